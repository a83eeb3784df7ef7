//! Storing pages of records with their cursor: idempotent, resumable, never going backwards.

use crate::{mirror, rows, work_order, CONN, PROFILE};
use desk_store::{Mirror, RecordQuery, UpsertOutcome};
use proptest::prelude::*;
use serde_json::{json, Value};

const ENTITY: &str = "work-orders";

#[tokio::test]
async fn upserting_the_same_page_twice_changes_nothing() {
    let m = mirror().await;
    let page: Vec<Value> = (0..250)
        .map(|n| work_order(n, "Lubricate gearbox"))
        .collect();
    let first = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &page, Some("c1"))
        .await
        .unwrap();
    assert_eq!(
        first,
        UpsertOutcome {
            inserted: 250,
            updated: 0,
            unchanged: 0
        }
    );
    let before = rows(&m.mirror).await;
    let cursor_before = m
        .mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .unwrap();

    let second = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &page, Some("c1"))
        .await
        .unwrap();
    assert_eq!(
        second,
        UpsertOutcome {
            inserted: 0,
            updated: 0,
            unchanged: 250
        }
    );
    assert_eq!(rows(&m.mirror).await, before);
    let cursor_after = m
        .mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cursor_after.records, 250);
    assert_eq!(cursor_after.cursor, cursor_before.cursor);
    assert_eq!(cursor_after.high_water, cursor_before.high_water);
    let search = RecordQuery {
        search: Some("gearbox".into()),
        limit: 1000,
        ..Default::default()
    };
    assert_eq!(
        m.mirror.count_records(&search).await.unwrap(),
        250,
        "indexed once"
    );
}

#[tokio::test]
async fn a_changed_record_replaces_the_old_one_and_its_index_entry() {
    let m = mirror().await;
    let mut record = work_order(1, "Calibrate pressure sensor");
    m.mirror
        .upsert_records(PROFILE, CONN, ENTITY, &[record.clone()], None)
        .await
        .unwrap();
    record["title"] = json!("Replace torque wrench");
    record["updated_at"] = json!("2026-12-01T00:00:00Z");
    let outcome = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &[record.clone()], None)
        .await
        .unwrap();
    assert_eq!(outcome.updated, 1);
    assert_eq!(
        m.mirror.record(CONN, ENTITY, "wo_000001").await.unwrap(),
        record
    );
    let old = RecordQuery {
        search: Some("calibrate".into()),
        ..Default::default()
    };
    let new = RecordQuery {
        search: Some("torque".into()),
        ..Default::default()
    };
    assert_eq!(m.mirror.count_records(&old).await.unwrap(), 0);
    assert_eq!(m.mirror.count_records(&new).await.unwrap(), 1);
}

#[tokio::test]
async fn an_older_version_of_a_record_never_replaces_a_newer_one() {
    let m = mirror().await;
    let mut newer = work_order(1, "Replace belt");
    newer["updated_at"] = json!("2026-11-20T00:00:00Z");
    let mut older = newer.clone();
    older["updated_at"] = json!("2026-11-10T00:00:00Z");
    older["state"] = json!("open");
    newer["state"] = json!("completed");
    m.mirror
        .upsert_records(PROFILE, CONN, ENTITY, &[newer.clone()], None)
        .await
        .unwrap();
    let outcome = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &[older], None)
        .await
        .unwrap();
    assert_eq!(outcome.unchanged, 1);
    assert_eq!(
        m.mirror.record(CONN, ENTITY, "wo_000001").await.unwrap(),
        newer
    );
}

#[tokio::test]
async fn a_deleted_record_is_kept_and_flagged_but_hidden_from_lists_by_default() {
    let m = mirror().await;
    let mut gone = work_order(2, "Old job");
    gone["deleted_at"] = json!("2026-11-24T09:00:00Z");
    m.mirror
        .upsert_records(
            PROFILE,
            CONN,
            ENTITY,
            &[work_order(1, "Live job"), gone.clone()],
            None,
        )
        .await
        .unwrap();
    let visible = m.mirror.records(&RecordQuery::default()).await.unwrap();
    assert_eq!(visible.records.len(), 1);
    let all = m
        .mirror
        .records(&RecordQuery {
            include_deleted: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.records.len(), 2);
    assert_eq!(
        m.mirror.record(CONN, ENTITY, "wo_000002").await.unwrap(),
        gone
    );
}

#[tokio::test]
async fn a_page_with_an_invalid_record_writes_nothing_not_even_the_cursor() {
    let m = mirror().await;
    let page = vec![work_order(1, "Fine"), json!({"title": "no id"})];
    let err = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &page, Some("next"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    let bad_time = vec![json!({"id": "x", "updated_at": "yesterday"})];
    let err = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &bad_time, Some("next"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(rows(&m.mirror).await.is_empty());
    assert_eq!(m.mirror.cursor(PROFILE, CONN, ENTITY).await.unwrap(), None);
}

#[tokio::test]
async fn an_unknown_record_is_not_found() {
    let m = mirror().await;
    let err = m.mirror.record(CONN, ENTITY, "wo_404").await.unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
}

#[tokio::test]
async fn the_cursor_keeps_the_newest_updated_at_and_a_completed_walk_clears_the_page_cursor() {
    let m = mirror().await;
    m.mirror
        .upsert_records(PROFILE, CONN, ENTITY, &[work_order(9, "a")], Some("p2"))
        .await
        .unwrap();
    m.mirror
        .upsert_records(PROFILE, CONN, ENTITY, &[work_order(1, "b")], None)
        .await
        .unwrap();
    let cursor = m
        .mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cursor.cursor, None);
    assert_eq!(
        cursor.high_water.unwrap().to_rfc3339(),
        "2026-11-10T08:00:00+00:00"
    );
    assert_eq!(cursor.records, 2);
}

/// The platform side of a walk: pages of `size` over `records`, the cursor an offset.
fn page(records: &[Value], cursor: Option<&str>, size: usize) -> (Vec<Value>, Option<String>) {
    let start: usize = cursor.map_or(0, |c| c.parse().unwrap());
    let end = (start + size).min(records.len());
    let next = (end < records.len()).then(|| end.to_string());
    (records[start..end].to_vec(), next)
}

/// Pulls from the stored cursor until the walk completes or `stop_after` pages were stored.
/// `replay_first` re-applies the page before the stored cursor first, as a client that lost
/// the answer of its last commit would.
async fn pull(
    mirror: &Mirror,
    records: &[Value],
    size: usize,
    stop_after: Option<usize>,
    replay_first: bool,
) {
    let mut cursor = mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .and_then(|c| c.cursor);
    if replay_first {
        if let Some(at) = cursor.as_deref().map(|c| c.parse::<usize>().unwrap()) {
            let prev = at.saturating_sub(size).to_string();
            let (items, next) = page(records, Some(&prev), size);
            mirror
                .upsert_records(PROFILE, CONN, ENTITY, &items, next.as_deref())
                .await
                .unwrap();
        }
    }
    let mut stored = 0;
    loop {
        if stop_after == Some(stored) {
            return;
        }
        let (items, next) = page(records, cursor.as_deref(), size);
        mirror
            .upsert_records(PROFILE, CONN, ENTITY, &items, next.as_deref())
            .await
            .unwrap();
        stored += 1;
        match next {
            Some(next) => cursor = Some(next),
            None => return,
        }
    }
}

fn source(count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let mut record = work_order(n as u32, &format!("Job {n} on press line {}", n % 7));
            if n % 11 == 3 {
                record["deleted_at"] = json!("2026-11-24T00:00:00Z");
            }
            record
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn an_interrupted_import_resumed_from_its_cursor_ends_with_the_same_rows(
        count in 0usize..300,
        size in 1usize..60,
        stops in proptest::collection::vec(0usize..8, 0..4),
        replay in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let records = source(count);
            let straight = mirror().await;
            pull(&straight.mirror, &records, size, None, false).await;

            let interrupted = mirror().await;
            let path = interrupted.path.clone();
            let mut current = interrupted.mirror.clone();
            for stop in &stops {
                pull(&current, &records, size, Some(*stop), replay).await;
                // The process dies: everything is closed, a new one opens the file.
                current.close().await;
                current = Mirror::open(&path).await.unwrap();
            }
            pull(&current, &records, size, None, replay).await;

            let expected = rows(&straight.mirror).await;
            prop_assert_eq!(expected.len(), count);
            prop_assert_eq!(rows(&current).await, expected);
            let a = straight.mirror.cursor(PROFILE, CONN, ENTITY).await.unwrap();
            let b = current.cursor(PROFILE, CONN, ENTITY).await.unwrap();
            prop_assert_eq!(a.as_ref().map(|c| (&c.cursor, c.high_water, c.records)),
                            b.as_ref().map(|c| (&c.cursor, c.high_water, c.records)));
            let query = RecordQuery { search: Some("press".into()), ..Default::default() };
            prop_assert_eq!(straight.mirror.count_records(&query).await.unwrap(),
                            current.count_records(&query).await.unwrap());
            Ok(())
        })?;
    }
}

const CHILD_ENV: &str = "DESK_STORE_KILL_TEST_MIRROR";
const KILL_TEST_RECORDS: usize = 20_000;
const KILL_TEST_PAGE: usize = 37;

/// Runs only as the child of the test below (this binary re-executed): pulls until killed.
#[tokio::test]
async fn child_import_for_the_kill_test() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mirror = Mirror::open(std::path::Path::new(&path)).await.unwrap();
    pull(
        &mirror,
        &source(KILL_TEST_RECORDS),
        KILL_TEST_PAGE,
        None,
        false,
    )
    .await;
}

#[tokio::test]
async fn an_import_killed_mid_transaction_resumes_to_exactly_the_rows_of_an_uninterrupted_one() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let records = source(KILL_TEST_RECORDS);
    let killed = mirror().await;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "records::child_import_for_the_kill_test",
            "--nocapture",
        ])
        .env(CHILD_ENV, &killed.path)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL, by its id) once it is well into the walk, at no particular point.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let done = killed
            .mirror
            .cursor(PROFILE, CONN, ENTITY)
            .await
            .unwrap()
            .map_or(0, |c| c.records);
        if done >= 3_000 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child finished before it was killed"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the child made no progress"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let stored = killed
        .mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.cursor.is_some() && (stored.records as usize) < KILL_TEST_RECORDS,
        "killed half-way"
    );
    killed.mirror.close().await;

    let resumed = Mirror::open(&killed.path).await.unwrap();
    pull(&resumed, &records, KILL_TEST_PAGE, None, false).await;
    let straight = mirror().await;
    pull(&straight.mirror, &records, KILL_TEST_PAGE, None, false).await;
    assert_eq!(rows(&resumed).await, rows(&straight.mirror).await);
    let (a, b) = (
        resumed
            .cursor(PROFILE, CONN, ENTITY)
            .await
            .unwrap()
            .unwrap(),
        straight
            .mirror
            .cursor(PROFILE, CONN, ENTITY)
            .await
            .unwrap()
            .unwrap(),
    );
    assert_eq!(
        (a.cursor, a.high_water, a.records),
        (b.cursor, b.high_water, b.records)
    );
    let query = RecordQuery {
        search: Some("press line".into()),
        limit: 10_000,
        ..Default::default()
    };
    assert_eq!(
        resumed.count_records(&query).await.unwrap(),
        straight.mirror.count_records(&query).await.unwrap()
    );
}

#[tokio::test]
async fn a_page_that_repeats_an_id_stores_its_last_copy_once() {
    let m = mirror().await;
    let mut second = work_order(1, "Second copy wins");
    second["updated_at"] = json!("2026-11-30T00:00:00Z");
    let page = vec![
        work_order(1, "First copy"),
        work_order(2, "Other"),
        second.clone(),
    ];
    let outcome = m
        .mirror
        .upsert_records(PROFILE, CONN, ENTITY, &page, None)
        .await
        .unwrap();
    assert_eq!(outcome.inserted, 2);
    assert_eq!(rows(&m.mirror).await.len(), 2);
    assert_eq!(
        m.mirror.record(CONN, ENTITY, "wo_000001").await.unwrap(),
        second
    );
    let found = |text: &str| RecordQuery {
        search: Some(text.into()),
        ..Default::default()
    };
    assert_eq!(
        m.mirror.count_records(&found("second copy")).await.unwrap(),
        1
    );
    assert_eq!(m.mirror.count_records(&found("first")).await.unwrap(), 0);
}

#[tokio::test]
async fn the_last_page_of_a_walk_moves_the_high_water_mark_back_to_the_walks_start_never_forward() {
    use chrono::{TimeZone, Utc};
    let m = mirror().await;
    // Records updated up to 2026-11-28; the walk began when the platform had synced up to the
    // 10th: changes behind the cursor may be as old as that, so the mark goes back to it.
    let page: Vec<Value> = (0..28).map(|n| work_order(n, "Inspect pump")).collect();
    m.mirror
        .upsert_records(PROFILE, CONN, ENTITY, &page[..14], Some("c1"))
        .await
        .unwrap();
    let walk_start = Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).unwrap();
    m.mirror
        .upsert_last_page(PROFILE, CONN, ENTITY, &page[14..], walk_start)
        .await
        .unwrap();
    let cursor = m
        .mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cursor.cursor, None, "the walk is complete");
    assert_eq!(cursor.high_water, Some(walk_start));
    assert_eq!(cursor.records, 28);

    // A cap later than what was seen leaves the mark where it is.
    let later = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
    m.mirror
        .upsert_last_page(PROFILE, CONN, ENTITY, &page[..1], later)
        .await
        .unwrap();
    let cursor = m
        .mirror
        .cursor(PROFILE, CONN, ENTITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cursor.high_water, Some(walk_start));
}
