//! Named connection tokens: issued beside the main token without breaking it, read-only when
//! asked, listed without their values, revoked by name, kept by a reissue or a reauthorization
//! of the same account, ended by a disconnect or credentials of another account.

use crate::harness::{credentials_for, TestEngine};
use axum::http::StatusCode;
use serde_json::json;

async fn issue(t: &TestEngine, id: &str, name: &str, scope: &str) -> String {
    let reply = t
        .post(
            &format!("/api/v1/connections/{id}/tokens"),
            json!({"name": name, "scope": scope}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["name"], name);
    assert_eq!(reply.body["scope"], scope);
    assert!(reply.body["revoked_at"].is_null());
    reply.body["token"].as_str().unwrap().to_owned()
}

async fn works(t: &TestEngine, token: &str) -> bool {
    let reply = t.data("GET", "/api/v1/connection", token, None).await;
    match reply.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("unexpected {other}: {}", reply.body),
    }
}

#[tokio::test]
async fn a_read_token_reads_beside_the_main_token_and_cannot_write() {
    let t = TestEngine::start().await;
    let (id, main) = t.synced("upkeep").await;
    let read = issue(&t, &id, "makini-desk", "read").await;
    assert!(works(&t, &main).await, "the main token must keep working");
    assert!(works(&t, &read).await);
    let listed = t
        .data("GET", "/api/v1/work-orders?limit=5", &read, None)
        .await;
    let by_main = t
        .data("GET", "/api/v1/work-orders?limit=5", &main, None)
        .await;
    assert_eq!(
        listed.body, by_main.body,
        "a read token sees the same records"
    );

    let record_id = listed.body["data"][0]["id"].as_str().unwrap().to_owned();
    let writes = [
        (
            "POST",
            "/api/v1/work-orders".to_owned(),
            Some(json!({"title": "x"})),
        ),
        (
            "PATCH",
            format!("/api/v1/work-orders/{record_id}"),
            Some(json!({"priority": "low"})),
        ),
        ("DELETE", format!("/api/v1/work-orders/{record_id}"), None),
        (
            "POST",
            "/api/v1/work-orders/batch".to_owned(),
            Some(json!({"operations": []})),
        ),
    ];
    for (method, path, body) in writes {
        let refused = t.data(method, &path, &read, body).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            refused.body
        );
        assert_eq!(refused.code(), "PERMISSION_DENIED");
    }
    let record = t
        .data(
            "GET",
            &format!("/api/v1/work-orders/{record_id}"),
            &main,
            None,
        )
        .await;
    assert_eq!(
        record.body["deleted_at"],
        serde_json::Value::Null,
        "nothing was written"
    );
    let full = issue(&t, &id, "etl", "full").await;
    let patched = t
        .data(
            "PATCH",
            &format!("/api/v1/work-orders/{record_id}"),
            &full,
            Some(json!({"priority": "low"})),
        )
        .await;
    assert_ne!(
        patched.status,
        StatusCode::FORBIDDEN,
        "a full named token writes: {}",
        patched.body
    );
}

#[tokio::test]
async fn named_tokens_are_listed_without_values_and_revoked_by_name() {
    let t = TestEngine::start().await;
    let (id, main) = t.synced("upkeep").await;
    let first = issue(&t, &id, "makini-desk", "read").await;
    let bi = issue(&t, &id, "bi.tool_2", "read").await;
    // Issuing a name again replaces only that name's token.
    let second = issue(&t, &id, "makini-desk", "read").await;
    assert!(!works(&t, &first).await);
    assert!(works(&t, &second).await && works(&t, &bi).await && works(&t, &main).await);

    let listed = t.get(&format!("/api/v1/connections/{id}/tokens")).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let rows = listed.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{}", listed.body);
    let live: Vec<_> = rows
        .iter()
        .filter(|r| r["revoked_at"].is_null())
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(live.len(), 2);
    assert!(live.contains(&"makini-desk") && live.contains(&"bi.tool_2"));
    assert!(rows[0]["revoked_at"].is_null(), "live tokens come first");
    assert!(
        !listed.body.to_string().contains(&second),
        "values are never listed"
    );

    let revoked = t
        .send(
            "DELETE",
            &format!("/api/v1/connections/{id}/tokens/bi.tool_2"),
            Some(&t.token),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(!revoked.body["revoked_at"].is_null());
    assert!(!works(&t, &bi).await);
    assert!(works(&t, &second).await && works(&t, &main).await);
    let again = t
        .send(
            "DELETE",
            &format!("/api/v1/connections/{id}/tokens/bi.tool_2"),
            Some(&t.token),
            None,
        )
        .await;
    assert_eq!(again.code(), "NOT_FOUND");
}

#[tokio::test]
async fn bad_names_and_unknown_scopes_are_refused_and_reads_need_no_admin_token() {
    let t = TestEngine::start().await;
    let (id, main) = t.synced("upkeep").await;
    for name in ["", "has space", "slash/name", &"x".repeat(65)] {
        let reply = t
            .post(
                &format!("/api/v1/connections/{id}/tokens"),
                json!({"name": name}),
            )
            .await;
        assert_eq!(reply.code(), "INVALID_REQUEST", "{name:?}: {}", reply.body);
    }
    let scope = t
        .post(
            &format!("/api/v1/connections/{id}/tokens"),
            json!({"name": "a", "scope": "admin"}),
        )
        .await;
    assert_eq!(scope.code(), "INVALID_REQUEST", "{}", scope.body);
    // Issuing takes the admin token, not a connection's.
    let by_connection = t
        .send(
            "POST",
            &format!("/api/v1/connections/{id}/tokens"),
            Some(&main),
            Some(json!({"name": "a"})),
        )
        .await;
    assert_eq!(by_connection.status, StatusCode::UNAUTHORIZED);
    let unknown = t
        .post(
            "/api/v1/connections/con_missing/tokens",
            json!({"name": "a"}),
        )
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}

#[tokio::test]
async fn reissue_and_reauthorization_keep_named_tokens_another_account_and_disconnect_end_them() {
    let t = TestEngine::start().await;
    let (id, main) = t.synced("netsuite").await;
    let read = issue(&t, &id, "makini-desk", "read").await;

    let reissued = t
        .post(&format!("/api/v1/connections/{id}/token"), json!({}))
        .await;
    assert_eq!(reissued.status, StatusCode::OK, "{}", reissued.body);
    assert!(!works(&t, &main).await, "a reissue rotates the main token");
    assert!(works(&t, &read).await, "and keeps the named ones");

    let same = t
        .post(
            &format!("/api/v1/connections/{id}/reauthorize"),
            json!({"credentials": credentials_for("netsuite")}),
        )
        .await;
    assert_eq!(same.body["identity_changed"], false, "{}", same.body);
    assert!(
        works(&t, &read).await,
        "a reauthorization of the same account keeps them"
    );

    let mut other = credentials_for("netsuite");
    other["account_id"] = json!("7654321");
    let moved = t
        .post(
            &format!("/api/v1/connections/{id}/reauthorize"),
            json!({"credentials": other}),
        )
        .await;
    assert_eq!(moved.body["identity_changed"], true, "{}", moved.body);
    assert!(
        !works(&t, &read).await,
        "another account's credentials end them"
    );

    let read = issue(&t, &id, "makini-desk", "read").await;
    let disconnected = t
        .post(&format!("/api/v1/connections/{id}/disconnect"), json!({}))
        .await;
    assert_eq!(disconnected.status, StatusCode::OK, "{}", disconnected.body);
    assert!(!works(&t, &read).await);
    let refused = t
        .post(
            &format!("/api/v1/connections/{id}/tokens"),
            json!({"name": "late"}),
        )
        .await;
    assert_eq!(refused.code(), "CONFLICT");
}
