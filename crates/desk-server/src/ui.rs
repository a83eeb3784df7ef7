//! The UI (ui/dist), embedded in release builds and read from the folder in debug builds (so a
//! rebuilt UI shows without rebuilding the server). `/?token=` turns the launch token into the
//! session cookie.

use crate::guard::COOKIE;
use crate::ServerState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

#[derive(rust_embed::Embed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Dist;

pub(crate) fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/", get(index))
        .fallback(get(asset))
}

#[derive(Deserialize)]
struct Launch {
    token: Option<String>,
}

async fn index(State(state): State<Arc<ServerState>>, Query(launch): Query<Launch>) -> Response {
    match launch.token {
        Some(token) if state.token.matches(&token) => {
            // Strict: the cookie never rides along a request another site starts.
            let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Some(_) => (
            StatusCode::UNAUTHORIZED,
            "This launch link is not valid (the server was restarted?). Open the URL `mdesk serve` printed last.",
        )
            .into_response(),
        None => file("index.html"),
    }
}

async fn asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if Dist::get(path).is_some() {
        return file(path);
    }
    // A path without an extension is a screen of the SPA's router.
    if !path.rsplit('/').next().unwrap_or_default().contains('.') {
        return file("index.html");
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn file(path: &str) -> Response {
    match Dist::get(path) {
        Some(content) => {
            let mime = content.metadata.mimetype().to_owned();
            // Hashed asset names never change content; index.html always may.
            let cache = if path.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, cache.to_owned()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'".to_owned(),
                    ),
                ],
                content.data.into_owned(),
            )
                .into_response()
        }
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The UI is not built: run `npm --prefix ui ci && npm --prefix ui run build`.",
        )
            .into_response(),
    }
}
