//! Browser mode: one axum server that gives a browser what the window has.
//!
//! ```text
//! GET  /?token=T           sets the launch token as an HttpOnly SameSite=Strict cookie, -> /
//! GET  /, /assets/...      the embedded UI (ui/dist); unknown paths get index.html (SPA)
//! POST /api/actions/{name} one route per action of desk-core's list (JSON in, JSON out)
//! GET  /api/events         the DeskEvent stream (server-sent events)
//! POST /webhooks           the webhook inbox (signature-checked, no token)
//! ```
//!
//! Security (quality.md): loopback by default; every `/api` call without the token (cookie or
//! `Authorization: Bearer`) is 401; a `Host` that is neither the bound address nor localhost is
//! refused (DNS rebinding); a foreign `Origin` is 403; no CORS headers at all.

mod actions;
mod events;
mod guard;
mod ui;

use axum::Router;
use desk_core::Desk;
use std::net::SocketAddr;
use std::sync::Arc;

pub use guard::{LaunchToken, COOKIE};

/// What the routes share.
pub struct ServerState {
    pub desk: Arc<Desk>,
    pub token: LaunchToken,
    /// `host:port` spellings a request's `Host` may have.
    pub allowed_hosts: Vec<String>,
}

impl ServerState {
    /// The state for a server bound to `addr`: it answers to that address and to `localhost`
    /// on the same port.
    pub fn new(desk: Arc<Desk>, token: LaunchToken, addr: SocketAddr) -> Self {
        let port = addr.port();
        let mut allowed_hosts = vec![
            addr.to_string(),
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ];
        allowed_hosts.dedup();
        Self {
            desk,
            token,
            allowed_hosts,
        }
    }
}

/// The whole app: UI, actions, events, guarded; `inbox` adds `POST /webhooks`.
pub fn router(state: Arc<ServerState>, inbox: Option<Router>) -> Router {
    let api = actions::routes()
        .merge(events::routes())
        .fallback(actions::unknown)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            guard::require_token,
        ));
    let mut app = Router::new()
        .nest("/api", api)
        .merge(ui::routes())
        .with_state(Arc::clone(&state));
    if let Some(inbox) = inbox {
        app = app.merge(inbox);
    }
    app.layer(axum::middleware::from_fn_with_state(
        state,
        guard::check_host_and_origin,
    ))
}

/// Serves `router` on `listener` until `shutdown` resolves, finishing in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
