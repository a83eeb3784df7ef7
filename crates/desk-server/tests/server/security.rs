//! quality.md's browser-mode bars: the launch token, Origin and Host checks, no CORS.

use crate::Served;

#[tokio::test]
async fn an_api_call_without_the_launch_token_is_401_with_a_typed_error() {
    let served = Served::start().await;
    let answer = served
        .http
        .post(format!("{}/api/actions/app_status", served.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = answer.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
    assert_eq!(body["error"]["next_step"], "reload");
    let wrong = served
        .http
        .post(format!("{}/api/actions/app_status", served.base))
        .bearer_auth("not-the-token")
        .send()
        .await
        .expect("an answer");
    assert_eq!(wrong.status(), 401);
    let events = served
        .http
        .get(format!("{}/api/events", served.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(events.status(), 401, "the event stream needs the token too");
    served.stop().await;
}

#[tokio::test]
async fn the_launch_link_sets_a_strict_http_only_cookie_that_then_works() {
    let served = Served::start().await;
    let launch = served
        .http
        .get(format!("{}/?token={}", served.base, served.token.as_str()))
        .send()
        .await
        .expect("an answer");
    assert!(launch.status().is_redirection());
    let cookie = launch
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().expect("name=value").to_owned();
    let answer = served
        .http
        .post(format!("{}/api/actions/profiles_list", served.base))
        .header("cookie", pair)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), 200);
    let bad = served
        .http
        .get(format!("{}/?token=guess", served.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(bad.status(), 401);
    assert!(bad.headers().get("set-cookie").is_none());
    served.stop().await;
}

#[tokio::test]
async fn a_foreign_origin_is_403_and_the_own_origin_passes() {
    let served = Served::start().await;
    let foreign = served
        .http
        .post(format!("{}/api/actions/profiles_list", served.base))
        .bearer_auth(served.token.as_str())
        .header("origin", "http://evil.example")
        .send()
        .await
        .expect("an answer");
    assert_eq!(foreign.status(), 403);
    let body: serde_json::Value = foreign.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "FORBIDDEN");
    let own = served
        .http
        .post(format!("{}/api/actions/profiles_list", served.base))
        .bearer_auth(served.token.as_str())
        .header("origin", served.base.clone())
        .send()
        .await
        .expect("an answer");
    assert_eq!(own.status(), 200);
    served.stop().await;
}

#[tokio::test]
async fn a_host_header_that_is_not_the_bound_address_is_refused() {
    let served = Served::start().await;
    for host in ["evil.example", "evil.example:80", "127.0.0.1.nip.io"] {
        let answer = served
            .http
            .get(format!("{}/", served.base))
            .header("host", host)
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status(), 403, "Host {host}");
    }
    let port = served.base.rsplit(':').next().expect("a port");
    let localhost = served
        .http
        .post(format!("{}/api/actions/profiles_list", served.base))
        .bearer_auth(served.token.as_str())
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(localhost.status(), 200);
    served.stop().await;
}

#[tokio::test]
async fn no_cors_headers_are_ever_sent() {
    let served = Served::start().await;
    let preflight = served
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/actions/app_status", served.base),
        )
        .header("origin", served.base.clone())
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("an answer");
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    served.stop().await;
}
