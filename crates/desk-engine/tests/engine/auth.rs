use crate::harness::{config, TestEngine, CLIENT_ID};
use desk_engine::EngineConfig;

fn hour_tokens() -> EngineConfig {
    EngineConfig {
        access_token_ttl: chrono::Duration::hours(1),
        ..config()
    }
}
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn client_credentials_give_a_bearer_pair_that_opens_admin_routes() {
    let t = TestEngine::start_with(hour_tokens()).await;
    let pair = t.login().await;
    assert_eq!(pair["token_type"], "bearer");
    assert_eq!(pair["expires_in"], 3600);
    assert!(pair["refresh_token"].as_str().unwrap().starts_with("rt_"));
    let reply = t
        .send(
            "GET",
            "/api/v1/account",
            pair["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn the_token_endpoint_accepts_a_form_body() {
    let t = TestEngine::start().await;
    let request = Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret=test-secret-123"
        )))
        .unwrap();
    let reply = t.raw(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body["access_token"]
        .as_str()
        .unwrap()
        .starts_with("at_"));
}

#[tokio::test]
async fn a_wrong_secret_or_unknown_client_is_refused_with_the_envelope() {
    let t = TestEngine::start().await;
    for (id, secret) in [(CLIENT_ID, "nope"), ("someone-else", "test-secret-123")] {
        let body =
            json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
        let reply = t.send("POST", "/oauth/token", None, Some(body)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "AUTHENTICATION_FAILED");
    }
}

#[tokio::test]
async fn an_unknown_grant_type_is_a_bad_request() {
    let t = TestEngine::start().await;
    let reply = t
        .send(
            "POST",
            "/oauth/token",
            None,
            Some(json!({"grant_type": "password"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "INVALID_REQUEST");
}

#[tokio::test]
async fn admin_routes_reject_missing_malformed_and_unknown_tokens() {
    let t = TestEngine::start().await;
    let missing = t.send("GET", "/api/v1/account", None, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "AUTHENTICATION_FAILED");
    let unknown = t
        .send("GET", "/api/v1/customers", Some("at_forged"), None)
        .await;
    assert_eq!(unknown.code(), "AUTHENTICATION_FAILED");
    let request = Request::get("/api/v1/account")
        .header("authorization", "Basic abc")
        .body(Body::empty())
        .unwrap();
    assert_eq!(t.raw(request).await.code(), "AUTHENTICATION_FAILED");
}

#[tokio::test]
async fn an_access_token_dies_when_it_expires() {
    let t = TestEngine::start_with(hour_tokens()).await;
    t.clock.advance(chrono::Duration::seconds(3599));
    assert_eq!(t.get("/api/v1/account").await.status, StatusCode::OK);
    t.clock.advance(chrono::Duration::seconds(2));
    let reply = t.get("/api/v1/account").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.code(), "AUTHENTICATION_FAILED");
}

#[tokio::test]
async fn refreshing_rotates_the_pair_and_kills_the_old_one() {
    let t = TestEngine::start().await;
    let first = t.login().await;
    let refresh = json!({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]});
    let second = t
        .send("POST", "/oauth/token", None, Some(refresh.clone()))
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_ne!(second.body["access_token"], first["access_token"]);
    let old = t
        .send(
            "GET",
            "/api/v1/account",
            first["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(
        old.status,
        StatusCode::UNAUTHORIZED,
        "the old access token must die with the refresh"
    );
    let new = t
        .send(
            "GET",
            "/api/v1/account",
            second.body["access_token"].as_str(),
            None,
        )
        .await;
    assert_eq!(new.status, StatusCode::OK);
    let replayed = t.send("POST", "/oauth/token", None, Some(refresh)).await;
    assert_eq!(
        replayed.status,
        StatusCode::UNAUTHORIZED,
        "a refresh token works once"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let t = TestEngine::start().await;
    for reply in [
        t.get("/api/v1/account").await,
        t.send("GET", "/api/v1/account", None, None).await,
    ] {
        let id = reply
            .headers
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(id.starts_with("req_"));
        if let Some(body_id) = reply.body["error"]["request_id"].as_str() {
            assert_eq!(
                body_id, id,
                "the envelope names the same request id as the header"
            );
        }
    }
}
