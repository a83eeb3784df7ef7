use crate::harness::{clock, collect, engine_config, retry, Reply, ScriptedServer, TestEngine};
use desk_client::{
    ConnectionFilter, EventFilter, LedgerFilter, ListOptions, RecordQuery, SystemFilter,
};
use desk_engine::seed::Seed;
use desk_engine::EngineConfig;
use desk_platform::catalog::Category;
use desk_platform::connection::ConnectionStatus;
use desk_platform::customer::CreateCustomer;
use futures::StreamExt;
use serde_json::json;

async fn demo() -> TestEngine {
    TestEngine::start_with(EngineConfig {
        seed: Some(Seed::Demo),
        ..engine_config()
    })
    .await
}

#[tokio::test]
async fn a_customer_stream_walks_every_page_in_order_without_repeats() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let mut created = Vec::new();
    for n in 0..7 {
        let customer = client
            .create_customer(&CreateCustomer {
                name: format!("Customer {n}"),
                email: None,
                account_manager: None,
                metadata: serde_json::Map::new(),
            })
            .await
            .unwrap();
        created.push(customer.id);
    }
    for page_size in [1, 2, 3, 7, 500] {
        let walked: Vec<String> = collect(client.customers(ListOptions::page_size(page_size)))
            .await
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(walked, created, "page size {page_size}");
    }
}

#[tokio::test]
async fn the_demo_lists_stream_completely_with_any_page_size() {
    let engine = demo().await;
    let client = engine.client();
    let all_systems =
        collect(client.systems(SystemFilter::default(), ListOptions::page_size(500))).await;
    let paged_systems =
        collect(client.systems(SystemFilter::default(), ListOptions::page_size(5))).await;
    assert_eq!(all_systems.len(), 52);
    assert_eq!(paged_systems, all_systems);
    let cmms = collect(client.systems(
        SystemFilter {
            category: Some(Category::Cmms),
            ..SystemFilter::default()
        },
        ListOptions::page_size(3),
    ))
    .await;
    assert!(!cmms.is_empty() && cmms.iter().all(|s| s.category == Category::Cmms));

    let connections =
        collect(client.connections(ConnectionFilter::default(), ListOptions::page_size(4))).await;
    assert_eq!(
        connections.len(),
        28,
        "27 connected and one pending magic link"
    );
    let inactive = collect(client.connections(
        ConnectionFilter {
            status: Some(ConnectionStatus::Disconnected),
            ..ConnectionFilter::default()
        },
        ListOptions::page_size(1),
    ))
    .await;
    assert!(inactive
        .iter()
        .all(|c| c.status == ConnectionStatus::Disconnected));
    assert_eq!(inactive.len(), 1);

    let ledger = collect(client.ledger(LedgerFilter::default(), ListOptions::page_size(7))).await;
    let whole = collect(client.ledger(LedgerFilter::default(), ListOptions::default())).await;
    assert_eq!(ledger, whole);
    let one = &connections[0].id;
    let mine = collect(client.ledger(
        LedgerFilter {
            connection_id: Some(one.clone()),
        },
        ListOptions::page_size(1),
    ))
    .await;
    assert!(mine.iter().all(|e| e.connection_id.as_deref() == Some(one)));
}

#[tokio::test]
async fn the_event_stream_resumes_after_a_given_event() {
    let engine = demo().await;
    let client = engine.client();
    let events = collect(client.events(EventFilter::default(), ListOptions::page_size(6))).await;
    assert!(events.len() > 10, "{}", events.len());
    let after = collect(client.events(
        EventFilter {
            after: Some(events[4].id.clone()),
            ..EventFilter::default()
        },
        ListOptions::page_size(3),
    ))
    .await;
    // The engine's background jobs may append events between the two walks: the resumed walk
    // starts right after the given event and holds at least everything seen since.
    assert!(after.len() >= events.len() - 5);
    assert_eq!(after[..events.len() - 5], events[5..]);
}

#[tokio::test]
async fn a_server_that_repeats_its_cursor_ends_the_stream_with_an_error() {
    let server = ScriptedServer::start(vec![Reply::json(
        200,
        json!({"data": [{"id": "wo_1"}], "next_cursor": "same"}),
    )])
    .await;
    let clock = clock();
    let (data, _) = server.data_client(&clock, retry(1));
    let items: Vec<_> = data
        .records("work-orders", RecordQuery::default())
        .take(10)
        .collect()
        .await;
    // First page (no cursor) and the second (cursor "same") both yield; the third would be
    // asked with the cursor it was given already.
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[1].is_ok());
    assert_eq!(items[2].as_ref().unwrap_err().code(), "DECODE_ERROR");
}

#[tokio::test]
async fn record_streams_send_the_page_size_cursor_and_modified_after() {
    let server = ScriptedServer::start(vec![
        Reply::json(
            200,
            json!({"data": [{"id": 1}, {"id": 2}], "next_cursor": "c2"}),
        ),
        Reply::json(200, json!({"data": [{"id": 3}], "next_cursor": null})),
    ])
    .await;
    let clock = clock();
    let (data, _) = server.data_client(&clock, retry(1));
    let since = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let records = collect(data.records(
        "work-orders",
        RecordQuery {
            modified_after: Some(since),
            list: ListOptions::page_size(2),
        },
    ))
    .await;
    assert_eq!(
        records,
        vec![json!({"id": 1}), json!({"id": 2}), json!({"id": 3})]
    );
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(
        requests
            .iter()
            .map(|(_, uri)| uri.as_str())
            .collect::<Vec<_>>(),
        [
            "/api/v1/work-orders?limit=2&modified_after=2026-01-02T03%3A04%3A05.000000Z",
            "/api/v1/work-orders?limit=2&cursor=c2&modified_after=2026-01-02T03%3A04%3A05.000000Z",
        ]
    );
}

#[tokio::test]
async fn webhook_deliveries_of_a_connection_are_listed_read_and_resent() {
    use desk_client::{DeliveryFilter, Secret};
    use desk_platform::clock::Clock;
    let engine = TestEngine::start().await;
    let client = engine.client();
    let since = engine.clock.now();
    let customer = client
        .create_customer(&CreateCustomer {
            name: "Hooked".to_owned(),
            email: None,
            account_manager: None,
            metadata: serde_json::Map::new(),
        })
        .await
        .unwrap();
    let created = client
        .create_connection(&desk_platform::connection::CreateConnection {
            customer_id: customer.id,
            system_id: "maintainx".to_owned(),
            deployment: desk_platform::catalog::Deployment::Cloud,
            name: "Fleet".to_owned(),
            email: None,
            credentials: [("api_key".to_owned(), "k".to_owned())].into(),
            user_metadata: serde_json::Map::new(),
            sync: None,
            webhook: Some(desk_platform::connection::WebhookSettings {
                url: format!("{}/webhooks", crate::harness::closed_port().await),
                events: Vec::new(),
                format: None,
            }),
        })
        .await
        .unwrap();
    let _token = Secret::new(created.token);
    let id = created.connection.id;
    let deliveries = collect(client.webhook_deliveries(
        DeliveryFilter {
            connection_id: Some(id.clone()),
            ..DeliveryFilter::default()
        },
        ListOptions::page_size(1),
    ))
    .await;
    assert!(!deliveries.is_empty());
    let first = deliveries[0]["id"].as_str().unwrap();
    let detail = client.webhook_delivery(first).await.unwrap();
    assert_eq!(detail["id"], first);
    assert!(detail["attempt_log"].is_array(), "{detail}");
    let resent = client.resend_failed_deliveries(since).await.unwrap();
    assert!(resent["resent"].is_u64(), "{resent}");
    let missing = client.resend_delivery("dlv_missing").await.unwrap_err();
    assert_eq!(missing.code(), "NOT_FOUND");
}
