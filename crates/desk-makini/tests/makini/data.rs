use super::*;
use chrono::{TimeZone, Utc};
use desk_client::RawRequest;
use serde_json::{json, Value};

fn work_orders(n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            json!({"key": format!("WO-{i:03}"), "title": format!("Order {i}"), "assetKey": "A-1",
                "createdAt": "2026-01-01 00:00:00",
                "updatedAt": format!("2026-01-{:02} 00:00:00", 1 + i % 20), "deletedAt": null})
        })
        .collect()
}

async fn with_orders(s: &Setup, n: usize, sync_status: &str) -> desk_makini::MakiniData {
    let key = s.fake.with_state(|st| {
        let key = st.add_connection("Acme", "it@acme.example", "maintainx", "ct_1");
        let c = st.connection_mut(&key).unwrap();
        c.records.insert("eam/work-orders".into(), work_orders(n));
        c.sync_status = sync_status.to_owned();
        key
    });
    s.client.connections().await.unwrap();
    s.client.connection_client(key, Secret::new("ct_1"))
}

#[tokio::test]
async fn a_walk_reads_every_page_and_an_incremental_one_only_what_changed() {
    let s = setup().await;
    let data = with_orders(&s, 250, "done").await;
    let mut page = 1;
    let mut seen = Vec::new();
    loop {
        let answer = data.records_page("work-orders", None, page).await.unwrap();
        assert_eq!(answer.total, Some(250));
        seen.extend(answer.records);
        match answer.next_page {
            Some(next) => page = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), 250);
    assert_eq!(seen[0]["id"], "WO-001");
    assert_eq!(seen[0]["assetKey"], "A-1", "fields kept");
    assert_eq!(seen[0]["updated_at"], "2026-01-02T00:00:00.000000Z");

    let since = Utc.with_ymd_and_hms(2026, 1, 19, 0, 0, 0).unwrap();
    let changed = data
        .records_page("work-orders", Some(since), 1)
        .await
        .unwrap();
    let expected = work_orders(250)
        .iter()
        .filter(|r| r["updatedAt"].as_str().unwrap() > "2026-01-19 00:00:00")
        .count();
    assert_eq!(
        changed.records.len() as u64,
        changed.total.unwrap().min(100)
    );
    assert_eq!(changed.total, Some(expected as u64));
    let asked = s.fake.with_state(|st| st.requests.last().cloned().unwrap());
    assert!(
        asked.contains("filter%5BupdatedAt%3Agt%5D=2026-01-19T00%3A00%3A00Z"),
        "{asked}"
    );
    assert!(
        asked.contains("sort%5Bkey%5D=0") && asked.contains("per_page=100"),
        "{asked}"
    );
}

#[tokio::test]
async fn lteq_and_lted_filter_alike_on_the_wire() {
    let s = setup().await;
    let data = with_orders(&s, 40, "done").await;
    let mut counts = Vec::new();
    for op in ["lteq", "lted"] {
        let answer: Value = data
            .raw(
                &RawRequest::get(&["api", "eam", "work-orders"])
                    .query(format!("filter[updatedAt:{op}]"), "2026-01-05T00:00:00Z")
                    .query("per_page", "100"),
            )
            .await
            .unwrap()
            .decode()
            .unwrap();
        counts.push(answer["meta"]["total"].as_u64().unwrap());
    }
    assert_eq!(counts[0], counts[1]);
    assert!(counts[0] > 0 && counts[0] < 40);
}

#[tokio::test]
async fn sync_status_spellings_parse_fail_asks_for_reauthorization_unknown_is_shown() {
    let s = setup().await;
    let data = with_orders(&s, 1, "done").await;
    let key = data.connection_id().to_owned();
    for (raw, state) in [
        ("inprogress", "in_progress"),
        ("done", "completed"),
        ("fulldone", "completed"),
        ("error", "failed"),
        ("In Progress", "in_progress"),
        ("paused-by-ops", "paused-by-ops"),
    ] {
        s.fake
            .with_state(|st| st.connection_mut(&key).unwrap().sync_status = raw.to_owned());
        let status = data.sync_status().await.unwrap();
        assert_eq!(status.state, state, "{raw}");
        assert_eq!(status.entities.len(), 5, "every EAM entity is listed");
    }
    s.fake
        .with_state(|st| st.connection_mut(&key).unwrap().sync_status = "fail".to_owned());
    let err = data.sync_status().await.unwrap_err();
    assert_eq!(err.code(), "REAUTHORIZATION_REQUIRED");
}

#[tokio::test]
async fn a_429_waits_exactly_the_retry_after_it_names() {
    let s = setup().await;
    let data = with_orders(&s, 3, "done").await;
    s.fake.with_state(|st| {
        st.rate_limited = 2;
        st.retry_after = 7;
    });
    let page = data.records_page("work-orders", None, 1).await.unwrap();
    assert_eq!(page.records.len(), 3);
    assert_eq!(
        *s.waits.0.lock().unwrap(),
        vec![Duration::from_secs(7), Duration::from_secs(7)]
    );
}

#[tokio::test]
async fn raw_tables_and_passthrough_reach_the_connection() {
    let s = setup().await;
    let data = with_orders(&s, 1, "done").await;
    assert_eq!(data.raw_tables().await.unwrap()["data"][0], "assets");
    let answer = data
        .passthrough(json!({"path": "/v1/assets", "method": "GET"}))
        .await
        .unwrap();
    assert_eq!(answer["data"]["status"], 200);
}
