-- The records' full-text index merges its segments 16 at a time instead of FTS5's default 4.
-- Every page a pull writes is one transaction, so one new segment of about 500 records; with
-- 4 per merge a million records were rewritten by merges about twice as often, and merging
-- was the largest part of a page's commit (a 1M pull: 12.0 s of commits against 8.3 s at 16,
-- measured with the page's SQL alone). Searches read a few more segments per level; the
-- search benchmark (examples/bench_fts.rs) shows what that costs. A persistent setting of the
-- index (its %_config table), so older builds read and write the file as before.
INSERT INTO records_fts (records_fts, rank) VALUES ('automerge', 16);
