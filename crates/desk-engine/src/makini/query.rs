//! Makini's list grammar over the records table: `page`/`per_page`, `filter[field]` and
//! `filter[field:op]` with every documented operator spelling (`lteq` and `lted` alike),
//! `filterMatch=any|all`, `sort[field]=1` (descending) or `0`. Fields are Makini's names,
//! compared through the SQL of the shape that serves them, so a filter matches what is shown.

use super::schema::{JsonType, Schema};
use super::shape::{Shape, Source};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use desk_makini::{Filter, FilterOp};
use sqlx::{QueryBuilder, Sqlite};

/// Laravel's default page size.
pub const DEFAULT_PER_PAGE: u32 = 15;
/// The largest page served; a larger `per_page` is served at this size.
pub const MAX_PER_PAGE: u32 = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub page: u32,
    pub per_page: u32,
    pub filters: Vec<Filter>,
    pub any: bool,
    /// Makini field, descending.
    pub sorts: Vec<(String, bool)>,
}

impl ListQuery {
    /// Reads the query pairs; what is not part of the grammar is ignored, as Laravel does, and
    /// an unreadable `page` or `per_page` reads as the default.
    pub fn parse(pairs: &[(String, String)]) -> Self {
        let mut query = Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            filters: Vec::new(),
            any: false,
            sorts: Vec::new(),
        };
        for (key, value) in pairs {
            match key.as_str() {
                "page" => query.page = value.trim().parse().unwrap_or(1).max(1),
                "per_page" => {
                    query.per_page = value
                        .trim()
                        .parse()
                        .unwrap_or(DEFAULT_PER_PAGE)
                        .clamp(1, MAX_PER_PAGE)
                }
                "filterMatch" => query.any = value.trim().eq_ignore_ascii_case("any"),
                _ => {
                    if let Some((field, op)) = Filter::parse_key(key) {
                        query.filters.push(Filter::new(&field, op, value.clone()));
                    } else if let Some(field) =
                        key.strip_prefix("sort[").and_then(|k| k.strip_suffix(']'))
                    {
                        query.sorts.push((field.to_owned(), value.trim() == "1"));
                    }
                }
            }
        }
        query
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

fn like_pattern(value: &str, prefix: bool) -> String {
    let escaped = value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    if prefix {
        format!("{escaped}%")
    } else {
        format!("%{escaped}%")
    }
}

fn comparison(op: FilterOp) -> &'static str {
    match op {
        FilterOp::Eq | FilterOp::Contains | FilterOp::StartsWith => "=",
        FilterOp::Gt => ">",
        FilterOp::Gteq => ">=",
        FilterOp::Lt => "<",
        FilterOp::Lteq => "<=",
    }
}

/// One filter as SQL. A field the shape does not serve matches nothing: every served record
/// lacks it.
fn push_filter(
    builder: &mut QueryBuilder<'_, Sqlite>,
    shape: &Shape,
    schema: &Schema,
    filter: &Filter,
) {
    let Some((source, sql)) = shape
        .source(&filter.field)
        .and_then(|source| source.sql().map(|sql| (source, sql)))
    else {
        builder.push("0");
        return;
    };
    let value = filter.value.clone();
    if matches!(filter.op, FilterOp::Contains | FilterOp::StartsWith) {
        builder.push(format!("CAST({sql} AS TEXT) LIKE "));
        builder.push_bind(like_pattern(&value, filter.op == FilterOp::StartsWith));
        builder.push(" ESCAPE '\\'");
        return;
    }
    builder.push(format!("{sql} {} ", comparison(filter.op)));
    let documented = schema.field(&filter.field).map(|f| f.json_type);
    if source.is_time() {
        match parse_time(&value) {
            Some(at) => builder.push_bind(at),
            None => builder.push_bind(value),
        };
        return;
    }
    match documented {
        Some(JsonType::Integer | JsonType::Number) => match value.trim().parse::<f64>() {
            Ok(number) => builder.push_bind(number),
            Err(_) => builder.push_bind(value),
        },
        Some(JsonType::Boolean) => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => builder.push_bind(1_i64),
            "false" | "0" => builder.push_bind(0_i64),
            _ => builder.push_bind(value),
        },
        _ => builder.push_bind(value),
    };
}

/// `WHERE` for one connection's entity and the query's filters.
pub fn push_where(
    builder: &mut QueryBuilder<'_, Sqlite>,
    connection_id: &str,
    shape: &Shape,
    schema: &Schema,
    query: &ListQuery,
) {
    builder.push(" WHERE connection_id = ");
    builder.push_bind(connection_id.to_owned());
    builder.push(" AND entity = ");
    builder.push_bind(shape.entity.to_owned());
    if query.filters.is_empty() {
        return;
    }
    builder.push(" AND (");
    for (i, filter) in query.filters.iter().enumerate() {
        if i > 0 {
            builder.push(if query.any { " OR " } else { " AND " });
        }
        builder.push("(");
        push_filter(builder, shape, schema, filter);
        builder.push(")");
    }
    builder.push(")");
}

/// `ORDER BY` the query's sorts (fields the shape does not serve sort nothing), then the
/// records' own order, so pages never overlap.
pub fn push_order(builder: &mut QueryBuilder<'_, Sqlite>, shape: &Shape, query: &ListQuery) {
    builder.push(" ORDER BY ");
    for (field, descending) in &query.sorts {
        if let Some(sql) = shape.source(field).and_then(Source::sql) {
            builder.push(format!(
                "{sql} {}, ",
                if *descending { "DESC" } else { "ASC" }
            ));
        }
    }
    builder.push("seq");
}

/// The SQL of the query's sorts when a walk can continue by keyset: every served sort
/// ascending on a text column of the records table (`key`, `createdAt`, `updatedAt`), or
/// none. `None` when a page must be found with OFFSET (see `walks`).
pub fn keyset_sorts(shape: &Shape, query: &ListQuery) -> Option<Vec<String>> {
    let mut sorts = Vec::new();
    for (field, descending) in &query.sorts {
        let Some(source) = shape.source(field) else {
            continue; // sorts nothing, as in `push_order`
        };
        let text_column = matches!(source, Source::Id | Source::Created | Source::Updated);
        if *descending || !text_column {
            return None;
        }
        sorts.push(source.sql()?);
    }
    Some(sorts)
}

/// What identifies one walk: the whole query but its page.
pub fn walk_key(connection_id: &str, shape: &Shape, query: &ListQuery) -> String {
    format!(
        "{connection_id}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{:?}\u{1f}{}",
        shape.entity, query.filters, query.any, query.sorts, query.per_page
    )
}

/// `AND (sorts..., seq) > (values..., seq)`: the rows after a walk's position, in its order.
/// The first sort is also bounded on its own so SQLite ranges over that column's index.
pub fn push_after(
    builder: &mut QueryBuilder<'_, Sqlite>,
    sorts: &[String],
    values: &[String],
    seq: i64,
) {
    if let (Some(first), Some(value)) = (sorts.first(), values.first()) {
        builder.push(format!(" AND {first} >= "));
        builder.push_bind(value.clone());
    }
    builder.push(" AND (");
    for sql in sorts {
        builder.push(format!("{sql}, "));
    }
    builder.push("seq) > (");
    for value in values {
        builder.push_bind(value.clone());
        builder.push(", ");
    }
    builder.push_bind(seq);
    builder.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_grammar_reads_every_documented_spelling() {
        let query = ListQuery::parse(&pairs(&[
            ("page", "3"),
            ("per_page", "9999"),
            ("filter[title:contains]", "pump"),
            ("filter[createdAt:lted]", "2026-01-01"),
            ("filter[createdAt:lteq]", "2026-01-02"),
            ("filter[status]", "open"),
            ("filterMatch", "any"),
            ("sort[createdAt]", "1"),
            ("include", "ignored"),
        ]));
        assert_eq!(query.page, 3);
        assert_eq!(query.per_page, MAX_PER_PAGE);
        assert!(query.any);
        assert_eq!(query.filters.len(), 4);
        assert_eq!(query.filters[1].op, FilterOp::Lteq);
        assert_eq!(query.filters[2].op, FilterOp::Lteq);
        assert_eq!(query.filters[3].op, FilterOp::Eq);
        assert_eq!(query.sorts, vec![("createdAt".to_owned(), true)]);
        assert_eq!(query.offset(), 2 * i64::from(MAX_PER_PAGE));
        let defaults = ListQuery::parse(&pairs(&[("page", "zero"), ("per_page", "0")]));
        assert_eq!((defaults.page, defaults.per_page), (1, 1));
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off\\", true), "50\\%\\_off\\\\%");
        assert_eq!(like_pattern("pump", false), "%pump%");
    }
}
