use crate::harness::{clock, collect, engine_config, retry, Reply, ScriptedServer, TestEngine};
use desk_client::{ClientError, ConnectionFilter, ListOptions, PlatformClient, Secret};
use desk_engine::seed::Seed;
use desk_engine::EngineConfig;
use desk_platform::catalog::Deployment;
use desk_platform::connection::{Activate, CreateConnection, Reauthorize};
use desk_platform::customer::CreateCustomer;
use desk_platform::ErrorCode;
use futures::StreamExt;

fn api_code(err: &ClientError) -> (u16, ErrorCode) {
    match err {
        ClientError::Api {
            status,
            code,
            request_id,
            ..
        } => {
            assert!(
                request_id.as_deref().is_some_and(|id| !id.is_empty()),
                "{err:?}"
            );
            (*status, *code)
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn customer(client: &PlatformClient, name: &str) -> String {
    client
        .create_customer(&CreateCustomer {
            name: name.to_owned(),
            email: None,
            account_manager: None,
            metadata: serde_json::Map::new(),
        })
        .await
        .unwrap()
        .id
}

fn maintainx(customer: &str, key: &str) -> CreateConnection {
    CreateConnection {
        customer_id: customer.to_owned(),
        system_id: "maintainx".to_owned(),
        deployment: Deployment::Cloud,
        name: "Fleet".to_owned(),
        email: None,
        credentials: [("api_key".to_owned(), key.to_owned())].into(),
        user_metadata: serde_json::Map::new(),
        sync: None,
        webhook: None,
    }
}

#[tokio::test]
async fn each_error_answer_of_the_engine_becomes_its_typed_error() {
    let engine = TestEngine::start().await;
    let client = engine.client();

    let missing = client.customer("cus_missing").await.unwrap_err();
    assert_eq!(api_code(&missing), (404, ErrorCode::NotFound));
    assert_eq!(missing.code(), "NOT_FOUND");

    let mut bad_page = Box::pin(client.customers(ListOptions::page_size(0)));
    let bad = bad_page.next().await.unwrap().unwrap_err();
    assert_eq!(api_code(&bad), (400, ErrorCode::InvalidRequest));

    // The trial pool holds one credit: the first connection takes it, the second is inactive.
    let customer = customer(&client, "Calder Steelworks").await;
    client
        .create_connection(&maintainx(&customer, "k1"))
        .await
        .unwrap();
    let second = client
        .create_connection(&maintainx(&customer, "k2"))
        .await
        .unwrap()
        .connection;
    let short = client
        .activate(&second.id, &Activate { overage: false })
        .await
        .unwrap_err();
    assert_eq!(api_code(&short), (402, ErrorCode::InsufficientCredits));
    let trial = client
        .activate(&second.id, &Activate { overage: true })
        .await
        .unwrap_err();
    assert_eq!(api_code(&trial), (403, ErrorCode::PermissionDenied));

    client.disconnect(&second.id).await.unwrap();
    let gone = client.issue_connection_token(&second.id).await.unwrap_err();
    assert_eq!(api_code(&gone), (409, ErrorCode::Conflict));
}

#[tokio::test]
async fn a_connection_waiting_for_reauthorization_answers_its_own_variant() {
    let engine = TestEngine::start_with(EngineConfig {
        seed: Some(Seed::Demo),
        ..engine_config()
    })
    .await;
    let client = engine.client();
    let stale: Vec<_> =
        collect(client.connections(ConnectionFilter::default(), ListOptions::default()))
            .await
            .into_iter()
            .filter(|c| c.reauthorization_required)
            .collect();
    assert_eq!(stale.len(), 3);
    for connection in stale {
        let token = client.issue_connection_token(&connection.id).await.unwrap();
        let data = client.connection_client(&connection.id, Secret::new(token.token));
        let err = data.connection().await.unwrap_err();
        match &err {
            ClientError::ReauthorizationRequired {
                connection_id,
                request_id,
                message,
            } => {
                assert_eq!(connection_id.as_deref(), Some(connection.id.as_str()));
                assert!(request_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("req_")));
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.code(), "REAUTHORIZATION_REQUIRED");
    }
}

#[tokio::test]
async fn reauthorizing_kills_the_old_data_token_and_disconnecting_kills_the_new_one() {
    let engine = TestEngine::start().await;
    let client = engine.client();
    let customer = customer(&client, "Aurora Foods").await;
    let created = client
        .create_connection(&maintainx(&customer, "k1"))
        .await
        .unwrap();
    let id = created.connection.id.clone();
    let old = client.connection_client(&id, Secret::new(created.token));
    assert_eq!(old.connection().await.unwrap().id, id);

    let reauthorized = client
        .reauthorize(
            &id,
            &Reauthorize {
                credentials: [("api_key".to_owned(), "k2".to_owned())].into(),
                authorized_by: Some("ops@aurora.example".to_owned()),
            },
        )
        .await
        .unwrap();
    let new = client.connection_client(&id, Secret::new(reauthorized.token));
    assert_eq!(new.connection().await.unwrap().id, id);
    let err = old.connection().await.unwrap_err();
    assert!(matches!(err, ClientError::Unauthorized { .. }), "{err:?}");

    client.disconnect(&id).await.unwrap();
    let err = new.connection().await.unwrap_err();
    match &err {
        ClientError::ConnectionDisconnected { connection_id, .. } => {
            assert_eq!(connection_id.as_deref(), Some(id.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "CONNECTION_DISCONNECTED");
}

#[tokio::test]
async fn every_status_of_the_contract_maps_to_its_code() {
    let table = [
        (400, "INVALID_REQUEST", ErrorCode::InvalidRequest),
        (402, "INSUFFICIENT_CREDITS", ErrorCode::InsufficientCredits),
        (403, "PERMISSION_DENIED", ErrorCode::PermissionDenied),
        (404, "NOT_FOUND", ErrorCode::NotFound),
        (
            405,
            "OPERATION_NOT_SUPPORTED",
            ErrorCode::OperationNotSupported,
        ),
        (409, "CONFLICT", ErrorCode::Conflict),
        (413, "PAYLOAD_TOO_LARGE", ErrorCode::PayloadTooLarge),
        (
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::UnsupportedMediaType,
        ),
        (422, "FIELD_NOT_UPDATABLE", ErrorCode::FieldNotUpdatable),
        (429, "RATE_LIMIT_EXCEEDED", ErrorCode::RateLimitExceeded),
        (500, "INTERNAL_ERROR", ErrorCode::InternalError),
        (503, "SYSTEM_UNAVAILABLE", ErrorCode::SystemUnavailable),
    ];
    let server = ScriptedServer::start(vec![Reply::text(200, "{}")]).await;
    let clock = clock();
    // One attempt: this test is about parsing, not retrying.
    let (data, _) = server.data_client(&clock, retry(1));
    for (status, wire, code) in table {
        server.set_script(vec![Reply::envelope(status, wire)]);
        let err = data.connection().await.unwrap_err();
        match &err {
            ClientError::Api {
                status: got_status,
                code: got_code,
                error_type,
                message,
                request_id,
                ..
            } => {
                assert_eq!((*got_status, *got_code), (status, code));
                assert_eq!(error_type, "test_error");
                assert_eq!(message, &format!("scripted {wire}"));
                assert_eq!(
                    request_id.as_deref(),
                    Some(format!("req_{status}").as_str())
                );
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(err.code(), wire);
    }
    for (wire, expected) in [
        ("AUTHENTICATION_FAILED", "AUTHENTICATION_FAILED"),
        ("REAUTHORIZATION_REQUIRED", "REAUTHORIZATION_REQUIRED"),
        ("CONNECTION_DISCONNECTED", "CONNECTION_DISCONNECTED"),
    ] {
        server.set_script(vec![Reply::envelope(401, wire)]);
        assert_eq!(data.connection().await.unwrap_err().code(), expected);
    }
}

#[tokio::test]
async fn an_answer_that_is_not_an_envelope_keeps_its_text_and_the_header_request_id() {
    let server = ScriptedServer::start(vec![
        Reply::text(502, "upstream proxy error").header("x-request-id", "req_from_header")
    ])
    .await;
    let clock = clock();
    let (data, _) = server.data_client(&clock, retry(1));
    match data.connection().await.unwrap_err() {
        ClientError::Api {
            status,
            code,
            message,
            request_id,
            ..
        } => {
            assert_eq!((status, code), (502, ErrorCode::Other));
            assert_eq!(message, "upstream proxy error");
            assert_eq!(request_id.as_deref(), Some("req_from_header"));
        }
        other => panic!("{other:?}"),
    }
    server.set_script(vec![Reply::json(
        401,
        serde_json::json!({"error": "bad token"}),
    )]);
    match data.connection().await.unwrap_err() {
        ClientError::Unauthorized { message, .. } => assert_eq!(message, "bad token"),
        other => panic!("{other:?}"),
    }
    server.set_script(vec![Reply::text(200, "not json")]);
    let err = data.connection().await.unwrap_err();
    assert_eq!(err.code(), "DECODE_ERROR", "{err:?}");
}

#[tokio::test]
async fn plain_http_is_refused_for_hosts_other_than_loopback() {
    let clock = clock();
    for url in ["http://api.example.com", "http://192.168.1.10:8080"] {
        let err = PlatformClient::new(
            url,
            "id",
            Secret::new("s"),
            crate::harness::client_config(&clock).0,
        )
        .unwrap_err();
        assert_eq!(err.code(), "INVALID_URL");
        assert!(err.to_string().contains("loopback"), "{err}");
    }
    for url in [
        "https://api.example.com",
        "http://127.0.0.1:1",
        "http://localhost:1",
        "http://[::1]:1",
    ] {
        PlatformClient::new(
            url,
            "id",
            Secret::new("s"),
            crate::harness::client_config(&clock).0,
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_keeps_it_and_ids_cannot_escape_their_segment() {
    let server = ScriptedServer::start(vec![Reply::envelope(404, "NOT_FOUND")]).await;
    let clock = clock();
    let (config, _) = crate::harness::client_config(&clock);
    let data = desk_client::ConnectionClient::new(
        &format!("{}/platform/", server.url),
        "conn_x",
        Secret::new("ct_x"),
        config.with_retry(retry(1)),
    )
    .unwrap();
    data.record("work-orders", "../../account")
        .await
        .unwrap_err();
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(
        requests[0].1,
        "/platform/api/v1/work-orders/..%2F..%2Faccount"
    );
}

/// No server at the address: one line naming it and why, without the HTTP stack's wrappers
/// ("error sending request: client error (Connect)").
#[tokio::test]
async fn a_refused_connection_names_the_address_and_the_reason_once() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let clock = clock();
    let client = PlatformClient::new(
        &format!("http://127.0.0.1:{port}"),
        "id",
        Secret::new("s"),
        crate::harness::client_config(&clock).0.with_retry(retry(1)),
    )
    .unwrap();
    let err = client.account().await.unwrap_err();
    assert_eq!(err.code(), "TRANSPORT_ERROR");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot reach http://127.0.0.1:{port} (connection refused)"
        )),
        "{message}"
    );
    assert!(!message.contains("error sending request"), "{message}");
    assert!(
        std::error::Error::source(&err).is_none(),
        "no chain of wrappers to print after it"
    );
}
