//! CSV and JSON exports read back to the records they came from.

use crate::{mirror, CONN, PROFILE};
use desk_store::RecordQuery;
use serde_json::{json, Value};

/// An RFC 4180 reader, small enough to trust by reading it.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

fn awkward_records() -> Vec<Value> {
    vec![
        json!({"id": "inv_1", "name": "Bearing, 6204-2RS", "quantity_on_hand": 12,
               "location": {"warehouse": "A", "bin": "3-07"}, "updated_at": "2026-11-02T10:00:00Z"}),
        json!({"id": "inv_2", "name": "Seal \"Viton\" 40mm", "notes": "line one\nline two\r\nthree",
               "tags": ["oil", "high-temp"], "unit_cost": 3.25, "active": true, "vendor_id": null}),
        json!({"id": "inv_3", "name": " leading and trailing spaces ", "reorder_point": 0}),
        json!({"id": "inv_4", "name": "Ünïcödé grease — 5 kg", "quantity_on_hand": -1}),
    ]
}

#[tokio::test]
async fn csv_export_round_trips_every_field_with_nested_values_as_json() {
    let m = mirror().await;
    let records = awkward_records();
    m.mirror
        .upsert_records(PROFILE, CONN, "inventory-items", &records, None)
        .await
        .unwrap();
    let mut out = Vec::new();
    let written = m
        .mirror
        .export_csv(&mut out, &RecordQuery::default())
        .await
        .unwrap();
    assert_eq!(written, 4);
    let rows = parse_csv(&String::from_utf8(out).unwrap());
    let header = &rows[0];
    assert_eq!(
        header[..4],
        ["connection_id", "customer_id", "customer_name", "id"]
    );
    assert!(
        !header.iter().any(|column| column == "vendor_id"),
        "a column empty in every record is left out: {header:?}"
    );
    let mut keys: Vec<&String> = header.iter().collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), header.len(), "each key once");
    assert_eq!(rows.len(), 1 + records.len());
    for (row, record) in rows[1..].iter().zip(&records) {
        assert_eq!(row.len(), header.len());
        assert_eq!(
            row[..3],
            [CONN, "", ""],
            "a connection the mirror does not hold"
        );
        for (column, cell) in header[3..].iter().zip(&row[3..]) {
            match record.get(column) {
                None | Some(Value::Null) => assert_eq!(cell, "", "{column}"),
                Some(Value::String(s)) => assert_eq!(cell, s, "{column}"),
                Some(other) => assert_eq!(
                    &serde_json::from_str::<Value>(cell).unwrap(),
                    other,
                    "{column}"
                ),
            }
        }
    }
}

#[tokio::test]
async fn json_export_round_trips_and_honours_the_filters() {
    let m = mirror().await;
    let records = awkward_records();
    m.mirror
        .upsert_records(PROFILE, CONN, "inventory-items", &records, None)
        .await
        .unwrap();
    m.mirror
        .upsert_records(
            PROFILE,
            CONN,
            "vendors",
            &[json!({"id": "v_1", "name": "Acme"})],
            None,
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    let query = RecordQuery {
        entity: Some("inventory-items".into()),
        ..Default::default()
    };
    assert_eq!(m.mirror.export_json(&mut out, &query).await.unwrap(), 4);
    let back: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert!(back.iter().all(|row| row["connection_id"] == CONN));
    let back_records: Vec<Value> = back.iter().map(|row| row["record"].clone()).collect();
    assert_eq!(back_records, records);

    let mut out = Vec::new();
    let query = RecordQuery {
        search: Some("viton".into()),
        ..Default::default()
    };
    m.mirror.export_json(&mut out, &query).await.unwrap();
    let back: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["record"], records[1]);
}

#[tokio::test]
async fn exports_of_nothing_are_valid_documents() {
    let m = mirror().await;
    let mut json_out = Vec::new();
    m.mirror
        .export_json(&mut json_out, &RecordQuery::default())
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<Value>>(&json_out).unwrap(),
        Vec::<Value>::new()
    );
    let mut csv_out = Vec::new();
    m.mirror
        .export_csv(&mut csv_out, &RecordQuery::default())
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(csv_out).unwrap(),
        "connection_id,customer_id,customer_name,id\r\n"
    );
}

#[tokio::test]
async fn a_failing_writer_is_reported() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let m = mirror().await;
    let err = m
        .mirror
        .export_json(Full, &RecordQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "IO");
}

fn plant(id: &str, customer: &str) -> desk_platform::connection::Connection {
    serde_json::from_value(json!({
        "id": id, "customer_id": customer, "system_id": "upkeep", "deployment": "cloud",
        "name": format!("Plant {id}"), "email": null, "credits": 1, "status": "active",
        "online": true, "reauthorization_required": false,
        "connected_at": "2026-10-01T00:00:00Z", "authorized_by": null, "token_issued_at": null,
        "last_sync_at": null, "next_sync_at": null, "created_at": "2026-10-01T00:00:00Z",
        "user_metadata": {}
    }))
    .unwrap()
}

/// Two plants' `WO-000001` are told apart by the connection and customer each row carries,
/// in a page, in CSV and in JSON.
#[tokio::test]
async fn records_and_exports_carry_their_connection_and_customer() {
    let m = mirror().await;
    for (customer, name) in [("cus_a", "Acme Works"), ("cus_b", "Borealis Foods")] {
        let customer = desk_platform::customer::Customer {
            id: customer.into(),
            name: name.into(),
            email: None,
            account_manager: None,
            metadata: serde_json::Map::new(),
            created_at: "2026-09-01T00:00:00Z".parse().unwrap(),
        };
        m.mirror.upsert_customer(PROFILE, &customer).await.unwrap();
    }
    m.mirror
        .upsert_connections(
            PROFILE,
            &[plant("conn_a", "cus_a"), plant("conn_b", "cus_b")],
            &[],
        )
        .await
        .unwrap();
    let same = json!({"id": "wo_1", "number": "WO-000001", "title": "Pump"});
    for connection in ["conn_a", "conn_b"] {
        m.mirror
            .upsert_records(
                PROFILE,
                connection,
                "work-orders",
                std::slice::from_ref(&same),
                None,
            )
            .await
            .unwrap();
    }
    let page = m.mirror.records(&RecordQuery::default()).await.unwrap();
    let sources: Vec<(String, Option<String>, Option<String>)> = page
        .sources
        .iter()
        .map(|s| {
            (
                s.connection_id.clone(),
                s.customer_id.clone(),
                s.customer_name.clone(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            (
                "conn_a".into(),
                Some("cus_a".into()),
                Some("Acme Works".into())
            ),
            (
                "conn_b".into(),
                Some("cus_b".into()),
                Some("Borealis Foods".into())
            ),
        ]
    );
    assert_eq!(page.records.len(), page.sources.len());

    let mut csv = Vec::new();
    m.mirror
        .export_csv(&mut csv, &RecordQuery::default())
        .await
        .unwrap();
    let rows = parse_csv(&String::from_utf8(csv).unwrap());
    assert_eq!(rows[1][..4], ["conn_a", "cus_a", "Acme Works", "wo_1"]);
    assert_eq!(rows[2][..4], ["conn_b", "cus_b", "Borealis Foods", "wo_1"]);

    let mut out = Vec::new();
    m.mirror
        .export_json(&mut out, &RecordQuery::default())
        .await
        .unwrap();
    let back: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(back[1]["customer_name"], "Borealis Foods");
    assert_eq!(back[1]["record"], same);
}
