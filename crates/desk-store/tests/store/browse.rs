//! The data browser's reads: a customer's connections at once, updated-time and field filters,
//! sorting by a field (and exports in that order), the picker's entities and fields.
use crate::{mirror, work_order, PROFILE};
use desk_store::{FieldFilter, RecordQuery, RecordSort};
use serde_json::{json, Value};

const ENTITY: &str = "work-orders";

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn filled() -> crate::TestMirror {
    let m = mirror().await;
    let mut urgent = work_order(3, "Pump");
    urgent["priority"] = json!("urgent");
    let mut gone = work_order(4, "Old");
    gone["deleted_at"] = json!("2026-11-24T09:00:00Z");
    for (conn, records) in [
        (
            "conn_a",
            vec![work_order(1, "Valve"), work_order(2, "Belt")],
        ),
        ("conn_b", vec![urgent, gone]),
        ("conn_c", vec![work_order(5, "Fan")]),
    ] {
        m.mirror
            .upsert_records(PROFILE, conn, ENTITY, &records, None)
            .await
            .unwrap();
    }
    m
}

#[tokio::test]
async fn several_connections_field_and_time_filters_and_a_sort_combine() {
    let m = filled().await;
    let query = |q: RecordQuery| {
        let mirror = m.mirror.clone();
        async move { ids(&mirror.records(&q).await.unwrap().records) }
    };
    let two = RecordQuery {
        connection_ids: vec!["conn_a".into(), "conn_b".into()],
        ..Default::default()
    };
    assert_eq!(
        query(two.clone()).await,
        ["wo_000001", "wo_000002", "wo_000003"]
    );
    assert_eq!(
        query(RecordQuery {
            include_deleted: true,
            ..two.clone()
        })
        .await
        .len(),
        4
    );
    let urgent = RecordQuery {
        field_filters: vec![FieldFilter {
            field: "priority".into(),
            value: "urgent".into(),
        }],
        ..Default::default()
    };
    assert_eq!(query(urgent).await, ["wo_000003"]);
    // work_order(n) is updated on day 1 + n.
    let recent = RecordQuery {
        updated_after: Some("2026-11-04T00:00:00Z".into()),
        ..Default::default()
    };
    assert_eq!(query(recent).await, ["wo_000003", "wo_000005"]);
    let by_title = RecordQuery {
        sort: Some(RecordSort {
            field: "title".into(),
            descending: false,
        }),
        ..Default::default()
    };
    assert_eq!(
        query(by_title.clone()).await,
        ["wo_000002", "wo_000005", "wo_000003", "wo_000001"]
    );
    let newest = RecordQuery {
        sort: Some(RecordSort {
            field: "updated_at".into(),
            descending: true,
        }),
        limit: 2,
        offset: 1,
        ..Default::default()
    };
    assert_eq!(query(newest).await, ["wo_000003", "wo_000002"]);
    let weird = RecordQuery {
        field_filters: vec![FieldFilter {
            field: "a\"b".into(),
            value: "x".into(),
        }],
        ..Default::default()
    };
    assert!(query(weird).await.is_empty(), "any field name is safe");
    assert_eq!(m.mirror.count_records(&two).await.unwrap(), 3);

    let mut csv = Vec::new();
    m.mirror.export_csv(&mut csv, &by_title).await.unwrap();
    let lines: Vec<&str> = std::str::from_utf8(&csv).unwrap().lines().collect();
    assert_eq!(lines.len(), 5, "a header and every record, once");
    assert!(
        lines[1].split(',').nth(3) == Some("wo_000002"),
        "in the sorted order: {}",
        lines[1]
    );
}

#[tokio::test]
async fn the_picker_counts_entities_and_their_deleted_records_and_lists_fields() {
    let m = filled().await;
    let all = m.mirror.entity_records(PROFILE, &[]).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].records, all[0].deleted), (5, 1));
    assert_eq!(all[0].fields[0], "id");
    assert!(all[0].fields.contains(&"technician".to_owned()));
    let one = m
        .mirror
        .entity_records(PROFILE, &["conn_c".into()])
        .await
        .unwrap();
    assert_eq!((one[0].records, one[0].deleted), (1, 0));
    assert!(m
        .mirror
        .entity_records("other", &[])
        .await
        .unwrap()
        .is_empty());
}
