//! The OpenAPI document lists every status an operation can answer (what schemathesis'
//! status-code conformance checks against a running engine: scripts/schemathesis.sh): the rules
//! the extractors impose, checked on the document, and the same statuses answered for real.

use crate::harness::TestEngine;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

/// Every operation of the document: (method, path, operation).
fn operations() -> Vec<(String, String, Value)> {
    let doc = serde_json::to_value(desk_engine::openapi_document()).unwrap();
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    assert!(found.len() > 40, "{} operations", found.len());
    found
}

fn documents(operation: &Value, status: u16) -> bool {
    operation["responses"].get(status.to_string()).is_some()
}

fn secured(operation: &Value) -> bool {
    operation["security"]
        .as_array()
        .is_some_and(|requirements| !requirements.is_empty())
}

/// A path with its parameters filled in: a known entity, so data routes get past the router.
fn concrete(path: &str) -> String {
    path.replace("{entity}", "assets")
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "nothing_here"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_operation_documents_the_statuses_its_auth_body_and_path_can_answer() {
    let mut missing = Vec::new();
    for (method, path, operation) in operations() {
        let mut need = |status: u16, why: &str| {
            if !documents(&operation, status) {
                missing.push(format!("{method} {path}: {status} ({why})"));
            }
        };
        if secured(&operation) {
            need(401, "a security requirement");
        }
        let body_types = operation["requestBody"]["content"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if body_types.contains_key("application/json") {
            need(400, "a JSON body");
            need(413, "a JSON body");
            // /oauth/token reads any body, form-encoded or JSON: it has no 415 to answer.
            if body_types.len() == 1 {
                need(415, "a body taken as JSON only");
            }
        }
        if path.contains('{') {
            need(400, "a path segment that does not decode");
            need(404, "an id looked up");
        }
        if path.starts_with("/api/v1/{entity}") {
            need(429, "the system's rate limit");
            need(503, "the system offline");
        }
    }
    assert!(missing.is_empty(), "undocumented:\n{}", missing.join("\n"));
}

#[test]
fn parameters_are_where_the_routes_read_them() {
    for (method, path, operation) in operations() {
        let mut in_path = Vec::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            match parameter["in"].as_str().unwrap() {
                "path" => {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                    in_path.push(name);
                }
                "query" => assert_ne!(
                    parameter["required"], true,
                    "{method} {path}: every query parameter is optional"
                ),
                other => panic!("{method} {path}: {name} in {other}"),
            }
            if name == "limit" {
                assert_eq!(parameter["schema"]["minimum"], 1, "{method} {path}");
                let max = desk_platform::page::MAX_LIMIT;
                assert_eq!(parameter["schema"]["maximum"], max, "{method} {path}");
            }
        }
        let mut unique = in_path.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), in_path.len(), "{method} {path}: {in_path:?}");
        assert_eq!(
            in_path.len(),
            path.matches('{').count(),
            "{method} {path}: {in_path:?}"
        );
    }
}

#[test]
fn every_documented_error_is_the_error_envelope_in_json() {
    for (method, path, operation) in operations() {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('2') {
                continue;
            }
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorEnvelope",
                "{method} {path} {status}"
            );
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{method} {path} {status} has no description"
            );
        }
        if documents(&operation, 429) {
            assert!(
                operation["responses"]["429"]["headers"]
                    .get("Retry-After")
                    .is_some(),
                "{method} {path}: 429 without Retry-After"
            );
        }
    }
}

#[tokio::test]
async fn an_operation_answers_401_without_a_token_exactly_when_it_declares_security() {
    let t = TestEngine::start().await;
    for (method, path, operation) in operations() {
        let reply = t.send(&method, &concrete(&path), None, None).await;
        assert_eq!(
            reply.status == StatusCode::UNAUTHORIZED,
            secured(&operation),
            "{method} {path} answered {} without a token: {}",
            reply.status,
            reply.body
        );
        assert!(
            documents(&operation, reply.status.as_u16()),
            "{method} {path} answered an undocumented {}",
            reply.status
        );
    }
}

/// A request with an optional bearer token and, when `content_type` is given, a `{}` body.
fn request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    content_type: Option<&str>,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    match content_type {
        Some(content_type) => request
            .header("content-type", content_type)
            .body(Body::from("{}")),
        None => request.body(Body::empty()),
    }
    .unwrap()
}

#[tokio::test]
async fn bodies_of_another_type_and_unknown_ids_answer_documented_statuses() {
    let t = TestEngine::start().await;
    let (_, connection_token) = t.synced("upkeep").await;
    for (method, path, operation) in operations() {
        let token = match operation["security"][0].as_object() {
            Some(scheme) if scheme.contains_key("connection") => Some(connection_token.as_str()),
            Some(_) => Some(t.token.as_str()),
            None => None,
        };
        let has_body = operation.get("requestBody").is_some();
        let plain = has_body.then_some("text/plain");
        let reply = t
            .raw(request(&method, &concrete(&path), token, plain))
            .await;
        assert!(
            documents(&operation, reply.status.as_u16()),
            "{method} {path} answered an undocumented {}: {}",
            reply.status,
            reply.body
        );
        assert!(
            !reply.status.is_server_error(),
            "{method} {path}: {}",
            reply.body
        );
        // A path segment that does not decode to UTF-8 is refused with the envelope, too.
        if path.contains("{id}") || path.contains("{token}") {
            let bad = concrete(&path).replace("nothing_here", "%FF");
            let json = has_body.then_some("application/json");
            let reply = t.raw(request(&method, &bad, token, json)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{method} {path}");
            assert_eq!(reply.code(), "INVALID_REQUEST", "{method} {path}");
        }
    }
}

#[tokio::test]
async fn a_throttled_or_offline_system_answers_what_each_data_operation_documents() {
    let t = TestEngine::start().await;
    let (id, token) = t.synced("upkeep").await;
    let faults = format!("/api/v1/sandbox/connections/{id}/faults");
    // Offline first: a rate-limit storm is checked before the system's health and would hide it.
    for (fault, status) in [
        ("go_offline", StatusCode::SERVICE_UNAVAILABLE),
        ("come_online", StatusCode::OK),
        ("rate_limit", StatusCode::TOO_MANY_REQUESTS),
    ] {
        let reply = t.post(&faults, json!({"kind": fault})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        if status == StatusCode::OK {
            continue;
        }
        for (method, path, operation) in operations() {
            if !path.starts_with("/api/v1/{entity}") {
                continue;
            }
            let path = path.replace("{entity}", "assets").replace("{id}", "x");
            let body =
                (method != "GET" && method != "DELETE").then(|| match path.ends_with("/batch") {
                    true => json!({"operations": [{"op": "delete", "id": "x"}]}),
                    false => json!({"name": "pump"}),
                });
            let reply = t.data(&method, &path, &token, body).await;
            assert_eq!(
                reply.status, status,
                "{method} {path} under {fault}: {}",
                reply.body
            );
            assert!(documents(&operation, status.as_u16()), "{method} {path}");
        }
    }
}
