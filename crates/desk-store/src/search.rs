//! Turning user text into a safe FTS5 query, and a record into the text the index holds.

use serde_json::Value;

/// The last word of a search is matched as a prefix from this many characters on (typing
/// "hydr" finds "hydraulic"); shorter prefixes would walk too much of the term list.
const PREFIX_FROM_CHARS: usize = 3;

/// The FTS5 query for what a user typed: every word must appear (AND), each word quoted as a
/// string so that quotes, `*`, `-`, `:`, `^`, parentheses and the words AND/OR/NOT/NEAR are
/// searched for as text, never read as FTS5 syntax. `None` when nothing searchable was typed.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .collect();
    let last = words.len().checked_sub(1)?;
    let mut query = String::with_capacity(text.len() + words.len() * 4);
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            query.push(' ');
        }
        query.push('"');
        query.push_str(&word.replace('"', "\"\""));
        query.push('"');
        if i == last && word.chars().filter(|c| c.is_alphanumeric()).count() >= PREFIX_FROM_CHARS {
            query.push('*');
        }
    }
    Some(query)
}

/// The FTS5 query of the overview's search box: every word must appear, each as the start of a
/// word (names and ids are typed from their start, and a list narrows while typing), quoted as
/// in [`fts_query`] so nothing typed is read as FTS5 syntax. `None` when nothing searchable was
/// typed. One-letter prefixes are served by the tables' prefix indexes (`prefix = '1 2 3'`).
pub fn prefix_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The MATCH expression of a query: the words in the `text` column, and one `scope` token per
/// profile, connection and entity filter. `None` when no search words were given or none is
/// searchable.
pub fn match_expression(
    text: &str,
    profile: Option<&str>,
    connection_id: Option<&str>,
    entity: Option<&str>,
) -> Option<String> {
    let words = fts_query(text)?;
    let mut expression = format!("text : ({words})");
    for (kind, value) in [('p', profile), ('c', connection_id), ('e', entity)] {
        if let Some(value) = value {
            expression.push_str(" AND scope : ");
            expression.push_str(&scope_token(kind, value));
        }
    }
    Some(expression)
}

/// One bare token (letters and digits only) for an id, whatever characters the id holds.
fn scope_token(kind: char, value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut token = String::with_capacity(1 + value.len() * 2);
    token.push(kind);
    for byte in value.bytes() {
        token.push(char::from(HEX[usize::from(byte >> 4)]));
        token.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    token
}

/// What the `scope` column of a record holds.
pub(crate) fn scope_text(profile: &str, connection_id: &str, entity: &str) -> String {
    format!(
        "{} {} {}",
        scope_token('p', profile),
        scope_token('c', connection_id),
        scope_token('e', entity)
    )
}

/// Fields whose values are bookkeeping, not content: left out of the index. Ours, and the same
/// times under Makini's names (legacy and v4), which its records keep beside ours: each is a
/// handful of nearly unique terms per record (`03t12`, `123456z`), a fifth of a Makini work
/// order's index, that no search of a data browser asks for (times are filtered, not typed).
const UNINDEXED_TOP_LEVEL: [&str; 9] = [
    "created_at",
    "updated_at",
    "deleted_at",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "_createdAt",
    "_updatedAt",
    "_deletedAt",
];

/// Every string and number of a record, nested objects and arrays included, separated by
/// newlines (the tokenizer splits on them, so a phrase never spans two fields' words... unless
/// the user types it that way; good enough for a data browser).
pub(crate) fn indexed_text(record: &Value) -> String {
    let mut text = String::new();
    match record {
        Value::Object(map) => {
            for (key, value) in map {
                if !UNINDEXED_TOP_LEVEL.contains(&key.as_str()) {
                    collect(value, &mut text);
                }
            }
        }
        other => collect(other, &mut text),
    }
    text
}

fn collect(value: &Value, text: &mut String) {
    match value {
        Value::String(s) => {
            text.push_str(s);
            text.push('\n');
        }
        Value::Number(n) => {
            text.push_str(&n.to_string());
            text.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, text)),
        Value::Object(map) => map.values().for_each(|item| collect(item, text)),
        Value::Null | Value::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_and_the_last_one_is_a_prefix() {
        assert_eq!(
            fts_query("hydraulic pum").as_deref(),
            Some("\"hydraulic\" \"pum\"*")
        );
        assert_eq!(fts_query("a b").as_deref(), Some("\"a\" \"b\""));
    }

    #[test]
    fn every_word_of_an_overview_search_is_a_prefix() {
        assert_eq!(prefix_query("Nord m").as_deref(), Some("\"Nord\"* \"m\"*"));
        assert_eq!(
            prefix_query("a\"b OR -").as_deref(),
            Some("\"a\"\"b\"* \"OR\"*")
        );
        assert_eq!(prefix_query(" - * "), None);
    }

    #[test]
    fn quotes_and_operators_are_text() {
        assert_eq!(
            fts_query("\"pump\" OR -x NEAR(").as_deref(),
            Some("\"\"\"pump\"\"\" \"OR\" \"-x\" \"NEAR(\"*")
        );
        assert_eq!(fts_query("  \"\" * - "), None);
        assert_eq!(fts_query(""), None);
    }

    #[test]
    fn filters_become_scope_tokens_of_letters_and_digits() {
        assert_eq!(
            match_expression("pump", None, Some("c:1"), Some("wo")).as_deref(),
            Some("text : (\"pump\"*) AND scope : c633a31 AND scope : e776f")
        );
        assert_eq!(scope_text("a", "b", "c"), "p61 c62 e63");
        assert_eq!(match_expression("***", None, Some("c"), None), None);
    }

    #[test]
    fn nested_values_are_indexed_and_times_are_not() {
        let record = serde_json::json!({
            "title": "Replace seal",
            "updated_at": "2026-01-01T00:00:00Z",
            "line_items": [{"description": "Hydraulic pump", "quantity": 3}],
            "approved": true,
        });
        let text = indexed_text(&record);
        assert!(text.contains("Hydraulic pump") && text.contains("Replace seal"));
        assert!(text.contains('3') && !text.contains("2026"));
        // A Makini record keeps its own names for the same times.
        let makini = serde_json::json!({
            "key": "WO-1", "title": "Replace seal", "dueAt": "2026-02-01",
            "createdAt": "2026-01-01 00:00:00", "updatedAt": "2026-01-02 00:00:00",
            "deletedAt": null, "_createdAt": "2026-01-01T00:00:00Z",
        });
        let text = indexed_text(&makini);
        assert!(text.contains("WO-1") && text.contains("Replace seal"));
        assert!(
            text.contains("2026-02-01"),
            "a field's date is content: {text}"
        );
        assert!(!text.contains("2026-01"), "{text}");
    }
}
