//! Laravel's length-aware page, as Makini's lists answer: `{data, links, meta}` with
//! `meta.current_page/from/last_page/path/per_page/to/total` and `links.first/last/prev/next`.
//! The links keep the request's other query parameters (filters, sorts, `per_page`), so a
//! client that follows `links.next` walks the same list.

use super::query::ListQuery;
use serde_json::{json, Value};

fn link(path: &str, pairs: &[(String, String)], page: i64) -> Value {
    let mut query: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    query.push(("page", page.to_string()));
    match serde_urlencoded::to_string(&query) {
        Ok(encoded) => Value::String(format!("{path}?{encoded}")),
        Err(_) => Value::String(format!("{path}?page={page}")),
    }
}

/// The page around `items` (already the requested slice) of a list of `total`.
pub fn envelope(
    items: Vec<Value>,
    total: i64,
    query: &ListQuery,
    path: &str,
    pairs: &[(String, String)],
) -> Value {
    let per_page = i64::from(query.per_page);
    let page = i64::from(query.page);
    let last_page = ((total + per_page - 1) / per_page).max(1);
    let count = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let (from, to) = if count == 0 {
        (Value::Null, Value::Null)
    } else {
        let from = query.offset() + 1;
        (json!(from), json!(from + count - 1))
    };
    json!({
        "data": items,
        "links": {
            "first": link(path, pairs, 1),
            "last": link(path, pairs, last_page),
            "prev": if page > 1 { link(path, pairs, page - 1) } else { Value::Null },
            "next": if page < last_page { link(path, pairs, page + 1) } else { Value::Null },
        },
        "meta": {
            "current_page": page,
            "from": from,
            "last_page": last_page,
            "path": path,
            "per_page": per_page,
            "to": to,
            "total": total,
        },
    })
}

/// `items` (every one) as the page the query asks for.
pub fn slice(
    items: Vec<Value>,
    query: &ListQuery,
    path: &str,
    pairs: &[(String, String)],
) -> Value {
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let start = usize::try_from(query.offset()).unwrap_or(usize::MAX);
    let chosen: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(query.per_page as usize)
        .collect();
    envelope(chosen, total, query, path, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_and_links_follow_laravel() {
        let pairs = vec![
            ("per_page".to_owned(), "2".to_owned()),
            ("filter[name:contains]".to_owned(), "a b".to_owned()),
            ("page".to_owned(), "2".to_owned()),
        ];
        let query = ListQuery::parse(&pairs);
        let items: Vec<Value> = (1..=5).map(|n| json!({"key": n.to_string()})).collect();
        let page = slice(items, &query, "http://e/api/eam/assets", &pairs);
        assert_eq!(page["data"], json!([{"key": "3"}, {"key": "4"}]));
        assert_eq!(page["meta"]["from"], 3);
        assert_eq!(page["meta"]["to"], 4);
        assert_eq!(page["meta"]["last_page"], 3);
        assert_eq!(page["meta"]["total"], 5);
        assert_eq!(
            page["links"]["next"],
            "http://e/api/eam/assets?per_page=2&filter%5Bname%3Acontains%5D=a+b&page=3"
        );
        let empty = slice(Vec::new(), &ListQuery::parse(&[]), "p", &[]);
        assert_eq!(empty["meta"]["last_page"], 1);
        assert!(empty["meta"]["from"].is_null() && empty["links"]["next"].is_null());
    }
}
