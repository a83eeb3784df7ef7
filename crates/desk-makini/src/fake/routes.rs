//! The fake's routes: one handler that reads method, path, query and body itself, so the
//! bracketed query keys and every odd answer (429, foreign error bodies) stay under the test's
//! control.

use super::query::select;
use super::FakeState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

type Shared = Arc<Mutex<FakeState>>;

pub(super) fn router(state: Shared) -> Router {
    Router::new().fallback(handle).with_state(state)
}

fn answer(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Laravel's error body, the shape Makini's stack most likely answers.
fn error(status: u16, message: &str) -> Response {
    answer(status, json!({"message": message}))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_owned)
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    state.requests.push(format!(
        "{method} {}{}",
        uri.path(),
        uri.query().map(|q| format!("?{q}")).unwrap_or_default()
    ));
    if let Some((status, raw)) = state.next_error.take() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, [("x-request-id", "req_fake_error")], raw).into_response();
    }
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["link", "token"]) => token(&mut state, &body),
        (_, ["api", "system", rest @ ..]) => {
            let authorised = bearer(&headers)
                .and_then(|t| state.admin_tokens.get(&t).copied())
                .is_some_and(|expiry| expiry > now());
            if !authorised {
                return error(401, "Unauthenticated.");
            }
            system(&mut state, method.as_str(), rest, &query, &body, uri.path())
        }
        (_, ["api", rest @ ..]) => {
            let token = bearer(&headers).unwrap_or_default();
            let Some(index) = state
                .connections
                .iter()
                .position(|c| c.tokens.contains(&token))
            else {
                return error(401, "Unauthenticated.");
            };
            if state.rate_limited > 0 {
                state.rate_limited -= 1;
                let wait = state.retry_after.to_string();
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, wait)],
                    json!({"message": "Too Many Attempts."}).to_string(),
                )
                    .into_response();
            }
            data(&mut state, index, method.as_str(), rest, &query, uri.path())
        }
        _ => error(404, "Not Found"),
    }
}

fn token(state: &mut FakeState, body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(400, "The body must be JSON.");
    };
    let grant = request["grant_type"].as_str().unwrap_or_default();
    match grant {
        "client_credentials" => {
            let ok = request["client_id"].as_str() == Some(state.client_id.as_str())
                && request["client_secret"].as_str() == Some(state.client_secret.as_str());
            if !ok {
                return answer(
                    401,
                    json!({"error": "invalid_client", "message": "Client authentication failed"}),
                );
            }
            state.logins += 1;
        }
        "refresh_token" => {
            let given = request["refresh_token"].as_str().unwrap_or_default();
            let Some(index) = state.refresh_tokens.iter().position(|t| t == given) else {
                return answer(
                    401,
                    json!({"error": "invalid_grant", "message": "The refresh token is invalid."}),
                );
            };
            // Refreshing invalidates the old pair (makini-api.md).
            state.refresh_tokens.remove(index);
            state.refreshes += 1;
        }
        _ => return error(400, "Unsupported grant type."),
    }
    let access = state.next_id("at_");
    let refresh = state.next_id("rt_");
    let expiry = now() + state.token_lifetime;
    state.admin_tokens.insert(access.clone(), expiry);
    state.refresh_tokens.push(refresh.clone());
    answer(
        200,
        json!({"access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": expiry}),
    )
}

fn system(
    state: &mut FakeState,
    method: &str,
    rest: &[&str],
    query: &[(String, String)],
    body: &[u8],
    path: &str,
) -> Response {
    match (method, rest) {
        ("GET", ["client"]) => answer(200, json!({"data": state.client})),
        ("GET", ["platforms"]) => answer(200, select(&state.platforms, query, path)),
        ("GET", ["connections"]) => {
            let objects: Vec<Value> = state.connections.iter().map(|c| c.object.clone()).collect();
            answer(200, select(&objects, query, path))
        }
        ("POST", ["connections"]) => {
            let request: Value = serde_json::from_slice(body).unwrap_or_default();
            let (Some(name), Some(email), Some(provider)) = (
                request["name"].as_str(),
                request["email"].as_str(),
                request["provider"].as_str(),
            ) else {
                return answer(
                    422,
                    json!({"message": "The given data was invalid.",
                    "errors": {"email": ["The email field is required."]}}),
                );
            };
            let token = state.next_id("ct_");
            let key = state.add_connection(name, email, provider, &token);
            if let Some(c) = state.connection_mut(&key) {
                c.object["created_at"] =
                    json!(chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string());
            }
            answer(
                200,
                json!({"data": {"access_token": token, "refresh_token": format!("r{token}"), "expires_in": now() + 86_400}}),
            )
        }
        ("DELETE", ["connections", key]) => {
            let before = state.connections.len();
            state
                .connections
                .retain(|c| c.object["key"].as_str() != Some(*key));
            if state.connections.len() == before {
                return error(404, "No query results.");
            }
            answer(200, json!({}))
        }
        ("POST", ["connections", key, "token"]) => {
            let token = state.next_id("ct_");
            let Some(connection) = state.connection_mut(key) else {
                return error(404, "No query results.");
            };
            // The documented route may replace the existing token: the fake does.
            connection.tokens = vec![token.clone()];
            answer(
                200,
                json!({"data": {"token": token, "expires_in": now() + 86_400}}),
            )
        }
        ("GET", ["connections", key, "metadata"]) => match state.connection_mut(key) {
            Some(c) => {
                let entries = c.metadata.clone();
                answer(200, select(&entries, query, path))
            }
            None => error(404, "No query results."),
        },
        ("POST", ["connections", key, "metadata"]) => {
            let entries: Vec<Value> = serde_json::from_slice(body).unwrap_or_default();
            match state.connection_mut(key) {
                Some(c) => {
                    c.metadata = entries.clone();
                    answer(200, json!({"data": entries}))
                }
                None => error(404, "No query results."),
            }
        }
        _ => error(404, "Not Found"),
    }
}

fn data(
    state: &mut FakeState,
    index: usize,
    method: &str,
    rest: &[&str],
    query: &[(String, String)],
    path: &str,
) -> Response {
    let max_per_page = state.max_per_page;
    let failing_page = state.failing_page;
    let Some(connection) = state.connections.get_mut(index) else {
        return error(401, "Unauthenticated.");
    };
    match (method, rest) {
        ("GET", ["integrations", "current"]) => answer(
            200,
            json!({"data": {"id": connection.object["key"], "company_name": connection.object["name"],
                "email": connection.object["email"], "provider": connection.object["integration_name"],
                "updated_at": connection.object["updated_at"], "sync_status": connection.sync_status,
                "sync_updated_at": "2026-01-01 10:05:00"}}),
        ),
        ("GET", ["raw", "tables"]) => answer(200, json!({"data": ["assets", "orders"]})),
        ("POST", ["passthrough"]) => answer(200, json!({"data": {"status": 200, "body": "ok"}})),
        ("GET", [namespace @ ("eam" | "erp" | "wms"), entity]) => {
            let page = query
                .iter()
                .find(|(key, _)| key == "page")
                .and_then(|(_, value)| value.parse::<u64>().ok())
                .unwrap_or(1);
            if let Some((_, status)) = failing_page.filter(|(failing, _)| *failing == page) {
                return error(status, "The page failed (a fault of the fake).");
            }
            let records = connection
                .records
                .get(&format!("{namespace}/{entity}"))
                .cloned()
                .unwrap_or_default();
            match max_per_page {
                Some(max) => answer(200, select(&records, &capped(query, max), path)),
                None => answer(200, select(&records, query, path)),
            }
        }
        ("GET", [namespace @ ("eam" | "erp" | "wms"), entity, key]) => connection
            .records
            .get(&format!("{namespace}/{entity}"))
            .and_then(|records| records.iter().find(|r| r["key"].as_str() == Some(*key)))
            .map_or_else(
                || error(404, "No query results."),
                |record| answer(200, json!({"data": record})),
            ),
        _ => error(404, "Not Found"),
    }
}

/// The query with `per_page` at most `max` (Laravel APIs cap it; the answer's `meta` says so).
fn capped(query: &[(String, String)], max: u64) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(key, value)| match value.parse::<u64>() {
            Ok(asked) if key == "per_page" && asked > max => (key.clone(), max.to_string()),
            _ => (key.clone(), value.clone()),
        })
        .collect()
}
