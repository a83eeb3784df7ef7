//! Full-text search and filters over mirrored records.

use crate::{mirror, CONN, PROFILE};
use desk_store::RecordQuery;
use serde_json::json;

async fn seeded() -> crate::TestMirror {
    let m = mirror().await;
    let orders = vec![
        json!({"id": "po_1", "vendor": "Acme Bearings GmbH", "status": "approved",
               "line_items": [{"description": "Hydraulic pump 40 bar", "quantity": 2}]}),
        json!({"id": "po_2", "vendor": "Nordic Valves AB", "status": "draft",
               "line_items": [{"description": "Ball valve DN50", "quantity": 10},
                              {"description": "Gasket \"special\" kit", "quantity": 1}]}),
        json!({"id": "po_3", "vendor": "Acme Bearings GmbH", "status": "draft",
               "notes": "rush order: NOT urgent OR maybe", "line_items": []}),
    ];
    m.mirror
        .upsert_records(PROFILE, CONN, "purchase-orders", &orders, None)
        .await
        .unwrap();
    let work = vec![
        json!({"id": "wo_1", "title": "Replace hydraulic pump seal", "asset": {"name": "Press 4"}}),
    ];
    m.mirror
        .upsert_records(PROFILE, "conn_2", "work-orders", &work, None)
        .await
        .unwrap();
    m
}

async fn ids(m: &crate::TestMirror, query: RecordQuery) -> Vec<String> {
    m.mirror
        .records(&query)
        .await
        .unwrap()
        .records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn search(text: &str) -> RecordQuery {
    RecordQuery {
        search: Some(text.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn search_finds_words_in_nested_fields() {
    let m = seeded().await;
    assert_eq!(ids(&m, search("hydraulic pump")).await, ["po_1", "wo_1"]);
    assert_eq!(
        ids(&m, search("press")).await,
        ["wo_1"],
        "a nested object's field"
    );
    assert_eq!(
        ids(&m, search("DN50")).await,
        ["po_2"],
        "an array element's field"
    );
    assert_eq!(
        ids(&m, search("hydr")).await,
        ["po_1", "wo_1"],
        "the last word as a prefix"
    );
}

#[tokio::test]
async fn search_combines_with_connection_and_entity_filters() {
    let m = seeded().await;
    let query = RecordQuery {
        connection_id: Some(CONN.into()),
        ..search("pump")
    };
    assert_eq!(ids(&m, query).await, ["po_1"]);
    let query = RecordQuery {
        entity: Some("work-orders".into()),
        ..search("pump")
    };
    assert_eq!(ids(&m, query).await, ["wo_1"]);
    let query = RecordQuery {
        entity: Some("purchase-orders".into()),
        ..Default::default()
    };
    assert_eq!(ids(&m, query).await, ["po_1", "po_2", "po_3"]);
}

#[tokio::test]
async fn quotes_and_search_operators_in_user_text_are_searched_as_words() {
    let m = seeded().await;
    assert_eq!(ids(&m, search("\"special\"")).await, ["po_2"]);
    assert_eq!(
        ids(&m, search("NOT urgent")).await,
        ["po_3"],
        "NOT is a word, not an operator"
    );
    assert_eq!(ids(&m, search("urgent OR")).await, ["po_3"]);
    for text in [
        "\"",
        "\"unbalanced",
        "pump*)",
        "NEAR(pump",
        "-pump",
        "col:pump",
        "^pump",
        "'; DROP TABLE records; --",
        "*",
        "()",
    ] {
        let found = m.mirror.records(&search(text)).await;
        assert!(found.is_ok(), "{text:?}: {found:?}");
    }
    assert_eq!(ids(&m, search("pump*)")).await, ["po_1", "wo_1"]);
    assert!(
        ids(&m, search("*")).await.is_empty(),
        "nothing searchable finds nothing"
    );
    assert_eq!(
        m.mirror
            .count_records(&RecordQuery::default())
            .await
            .unwrap(),
        4,
        "the table survived"
    );
}

#[tokio::test]
async fn pages_follow_the_cursor_and_the_offset_without_repeats() {
    let m = seeded().await;
    let first = m
        .mirror
        .records(&RecordQuery {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.records.len(), 2);
    let next = first.next_cursor.clone().unwrap();
    let second = m
        .mirror
        .records(&RecordQuery {
            limit: 2,
            after: Some(next),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        second
            .records
            .iter()
            .map(|r| r["id"].clone())
            .collect::<Vec<_>>(),
        [json!("po_3"), json!("wo_1")]
    );
    let third = m
        .mirror
        .records(&RecordQuery {
            limit: 2,
            after: second.next_cursor,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(third.records.is_empty() && third.next_cursor.is_none());
    assert_eq!(
        ids(
            &m,
            RecordQuery {
                offset: 3,
                ..Default::default()
            }
        )
        .await,
        ["wo_1"]
    );
    let bad = m
        .mirror
        .records(&RecordQuery {
            after: Some("x".into()),
            ..Default::default()
        })
        .await;
    assert_eq!(bad.unwrap_err().code(), "INVALID_INPUT");
}

#[tokio::test]
async fn search_words_never_match_the_scope_tokens_of_the_index() {
    let m = seeded().await;
    // "c" + hex of "conn_1": the token the index holds for the connection filter.
    let token: String = std::iter::once('c')
        .chain(
            CONN.bytes()
                .flat_map(|b| format!("{b:02x}").chars().collect::<Vec<_>>()),
        )
        .collect();
    assert!(ids(&m, search(&token)).await.is_empty());
    assert!(
        ids(&m, search(&token[..4])).await.is_empty(),
        "nor as a prefix"
    );
}
