//! The engine's second face: Makini's documented API (makini-api.md and Makini's published
//! OpenAPI files), served beside our own over the same store, so code written for Makini runs
//! against the local engine offline and the app's Makini adapter is tested end to end.
//!
//! - `POST /link/token`: client credentials or a refresh token; `expires_in` is the Unix time
//!   of expiry, as Makini documents.
//! - `/api/system/client|platforms|connections[/{id}[/token|/metadata]]` on the admin token.
//! - `/api/integrations/current`, `/api/raw/tables[/{table}/data]`, `/api/passthrough` and the
//!   data lists `/api/{eam|erp|wms}/{entity}[/{key}]` on a connection token, with `page`,
//!   `per_page`, `meta`, `links`, `filter[...]`, `filterMatch` and `sort[...]`.
//!
//! Records are shaped by [`shape`] with the field names and types of Makini's files
//! ([`schema`], generated from them). Errors answer Makini's likely shape ([`error`]).

mod auth;
mod data;
mod error;
mod page;
mod query;
pub mod schema;
pub mod shape;
mod system;
pub(crate) mod walks;

use crate::engine::Engine;
use axum::http::{header, HeaderMap, Uri};
use axum::routing::{get, post};
use axum::Router;
use desk_makini::Namespace;

/// The request's URL without its query: a list's `meta.path`.
pub(crate) fn request_path(headers: &HeaderMap, uri: &Uri) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{}", uri.path())
}

fn data_routes(router: Router<Engine>, namespace: Namespace) -> Router<Engine> {
    let list = format!("/api/{}/{{path}}", namespace.as_str());
    let one = format!("/api/{}/{{path}}/{{key}}", namespace.as_str());
    router
        .route(
            &list,
            get(move |state, path, headers, uri, query| {
                data::list(state, path, namespace, headers, uri, query)
            }),
        )
        .route(
            &one,
            get(move |state, path, headers| data::get(state, path, namespace, headers)),
        )
}

/// Makini's routes, merged into the engine's router beside `/api/v1`.
pub(crate) fn router() -> Router<Engine> {
    let router = Router::new()
        .route("/link/token", post(auth::link_token))
        .route("/api/system/client", get(system::client))
        .route("/api/system/platforms", get(system::platforms))
        .route(
            "/api/system/connections",
            get(system::list_connections).post(system::create_connection),
        )
        .route(
            "/api/system/connections/{id}",
            axum::routing::delete(system::delete_connection),
        )
        .route(
            "/api/system/connections/{id}/token",
            post(system::issue_token),
        )
        .route(
            "/api/system/connections/{id}/metadata",
            get(system::metadata).post(system::set_metadata),
        )
        .route(
            "/api/integrations/current",
            get(system::current).delete(system::remove_current),
        )
        .route("/api/raw/tables", get(system::raw_tables))
        .route("/api/raw/tables/{table}/data", get(system::raw_table_data))
        .route("/api/passthrough", post(system::passthrough));
    [Namespace::Eam, Namespace::Erp, Namespace::Wms]
        .into_iter()
        .fold(router, data_routes)
}
