//! The fake's list semantics: `filter[field:op]` (every documented spelling), `filterMatch`,
//! `sort[field]=0|1`, `page`/`per_page` with Laravel's `meta` and `links`.

use crate::filter::{Filter, FilterOp};
use crate::records::parse_time;
use serde_json::{json, Value};
use std::cmp::Ordering;

/// Times compare as times, numbers as numbers, the rest as text.
fn compare(field: &Value, wanted: &str) -> Option<Ordering> {
    match field {
        Value::String(text) => match (parse_time(text), parse_time(wanted)) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => Some(text.as_str().cmp(wanted)),
        },
        Value::Number(n) => n.as_f64()?.partial_cmp(&wanted.parse::<f64>().ok()?),
        Value::Bool(b) => Some(b.to_string().as_str().cmp(wanted)),
        _ => None,
    }
}

fn test(record: &Value, field: &str, op: FilterOp, wanted: &str) -> bool {
    let Some(value) = record.get(field) else {
        return false;
    };
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match op {
        FilterOp::Contains => text.to_lowercase().contains(&wanted.to_lowercase()),
        FilterOp::StartsWith => text.starts_with(wanted),
        FilterOp::Eq => compare(value, wanted) == Some(Ordering::Equal),
        FilterOp::Gt => compare(value, wanted) == Some(Ordering::Greater),
        FilterOp::Gteq => matches!(
            compare(value, wanted),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        FilterOp::Lt => compare(value, wanted) == Some(Ordering::Less),
        FilterOp::Lteq => matches!(
            compare(value, wanted),
            Some(Ordering::Less | Ordering::Equal)
        ),
    }
}

/// Whether `record` passes the query's filters (`filterMatch=any` needs one, else all).
pub fn matches(record: &Value, query: &[(String, String)]) -> bool {
    let any = query
        .iter()
        .any(|(k, v)| k == "filterMatch" && v.eq_ignore_ascii_case("any"));
    let mut tests = query
        .iter()
        .filter_map(|(k, v)| Filter::parse_key(k).map(|(field, op)| (field, op, v)))
        .peekable();
    if tests.peek().is_none() {
        return true;
    }
    let mut results = tests.map(|(field, op, v)| test(record, &field, op, v));
    if any {
        results.any(|ok| ok)
    } else {
        results.all(|ok| ok)
    }
}

/// Filters, sorts and pages `records` as a list route answers: `{data, meta, links}`.
pub fn select(records: &[Value], query: &[(String, String)], path: &str) -> Value {
    let mut chosen: Vec<&Value> = records.iter().filter(|r| matches(r, query)).collect();
    for (key, value) in query.iter().rev() {
        let Some(field) = key.strip_prefix("sort[").and_then(|k| k.strip_suffix(']')) else {
            continue;
        };
        let descending = value == "1";
        chosen.sort_by(|a, b| {
            let a = a.get(field).map(ToString::to_string).unwrap_or_default();
            let b = b.get(field).map(ToString::to_string).unwrap_or_default();
            if descending {
                b.cmp(&a)
            } else {
                a.cmp(&b)
            }
        });
    }
    let number = |name: &str, default: u64| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<u64>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let per_page = number("per_page", 15);
    let page = number("page", 1);
    let total = chosen.len() as u64;
    let last_page = total.div_ceil(per_page).max(1);
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let data: Vec<&Value> = chosen
        .into_iter()
        .skip(start)
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .collect();
    let from = (!data.is_empty()).then(|| (page - 1) * per_page + 1);
    let to = from.map(|f| f + data.len() as u64 - 1);
    let link = |p: u64| format!("{path}?page={p}");
    json!({
        "data": data,
        "links": {
            "first": link(1),
            "last": link(last_page),
            "prev": (page > 1).then(|| link(page - 1)),
            "next": (page < last_page).then(|| link(page + 1)),
        },
        "meta": {"current_page": page, "from": from, "last_page": last_page, "path": path,
            "per_page": per_page, "to": to, "total": total},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_operator_spelling_filters_as_documented() {
        let r = json!({"key": "7", "title": "Pump house", "updatedAt": "2026-01-02 00:00:00", "qty": 5});
        for (pairs, expected) in [
            (vec![("filter[title]", "Pump house")], true),
            (vec![("filter[title:contains]", "pump")], true),
            (vec![("filter[title:startsWith]", "Pump")], true),
            (vec![("filter[updatedAt:gt]", "2026-01-01T00:00:00Z")], true),
            (
                vec![("filter[updatedAt:gt]", "2026-01-02T00:00:00Z")],
                false,
            ),
            (
                vec![("filter[updatedAt:gteq]", "2026-01-02T00:00:00Z")],
                true,
            ),
            (
                vec![("filter[updatedAt:lt]", "2026-01-02T00:00:00Z")],
                false,
            ),
            (
                vec![("filter[updatedAt:lteq]", "2026-01-02T00:00:00Z")],
                true,
            ),
            (
                vec![("filter[updatedAt:lted]", "2026-01-02T00:00:00Z")],
                true,
            ),
            (vec![("filter[qty:gt]", "4")], true),
            (vec![("filter[qty:lted]", "4")], false),
            (
                vec![("filter[qty:gt]", "9"), ("filter[title:contains]", "pump")],
                false,
            ),
            (
                vec![
                    ("filter[qty:gt]", "9"),
                    ("filter[title:contains]", "pump"),
                    ("filterMatch", "any"),
                ],
                true,
            ),
        ] {
            assert_eq!(matches(&r, &q(&pairs)), expected, "{pairs:?}");
        }
    }

    #[test]
    fn pages_carry_laravel_meta_and_links() {
        let records: Vec<Value> = (0..5).map(|n| json!({"key": n.to_string()})).collect();
        let page = select(
            &records,
            &q(&[("page", "2"), ("per_page", "2"), ("sort[key]", "1")]),
            "/p",
        );
        assert_eq!(page["meta"]["last_page"], 3);
        assert_eq!(page["meta"]["total"], 5);
        assert_eq!(page["data"], json!([{"key": "2"}, {"key": "1"}]));
        assert_eq!(page["links"]["next"], "/p?page=3");
    }
}
