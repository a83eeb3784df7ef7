//! The engine's request parsing: arbitrary bodies and query strings against the real router. It
//! must never panic and must always answer the error envelope for bad input (never a 500).
#![no_main]

use axum::body::Body;
use http::Request;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

struct Target {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    token: String,
    _dir: tempfile::TempDir,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = desk_engine::EngineConfig { admin_client_secret: Some("fuzz".into()), ..Default::default() };
        let (router, token) = runtime.block_on(async {
            let (engine, _) = desk_engine::Engine::open(&dir.path().join("engine.db"), config).await.expect("engine");
            let router = engine.router();
            let request = Request::post("/oauth/token")
                .header("content-type", "application/json")
                .body(Body::from(r#"{"grant_type":"client_credentials","client_id":"mdesk-local","client_secret":"fuzz"}"#))
                .expect("request");
            let response = router.clone().oneshot(request).await.expect("token");
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body");
            let text = String::from_utf8_lossy(&bytes).to_string();
            let token = text.split("\"access_token\":\"").nth(1).and_then(|t| t.split('"').next()).expect("token").to_owned();
            (router, token)
        });
        Target { runtime, router, token, _dir: dir }
    })
}

const ROUTES: [(&str, &str); 8] = [
    ("POST", "/api/v1/connections"),
    ("POST", "/api/v1/customers"),
    ("POST", "/api/v1/magic-links"),
    ("POST", "/oauth/token"),
    ("PUT", "/api/v1/connections/conn_x/webhook"),
    ("GET", "/api/v1/connections"),
    ("GET", "/api/v1/events"),
    ("POST", "/api/v1/sandbox/credits"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (method, path) = ROUTES[usize::from(selector) % ROUTES.len()];
    let t = target();
    let uri = if method == "GET" {
        format!("{path}?{}", String::from_utf8_lossy(rest).replace(['#', ' '], ""))
    } else {
        path.to_owned()
    };
    let Ok(request) = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {}", t.token))
        .header("content-type", "application/json")
        .body(Body::from(rest.to_vec()))
    else {
        return;
    };
    let status = t.runtime.block_on(async { t.router.clone().oneshot(request).await.expect("infallible").status() });
    assert!(status.as_u16() < 500, "{method} {path} answered {status}");
});
