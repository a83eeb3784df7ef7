//! The HTTP face of the engine: routes, auth, request ids, the error envelope and the OpenAPI
//! document generated from the handlers themselves.

mod account;
pub(crate) mod auth;
mod connections;
mod customers;
mod data;
pub(crate) mod extract;
mod magic_links;
pub(crate) mod middleware;
pub(crate) mod responses;
mod sandbox;
mod subscriptions;
mod syncs;
mod tokens;

pub(crate) use middleware::ApiError;

use crate::engine::Engine;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use desk_platform::ErrorCode;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

/// Requests above this are refused with 413 before they are read further.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Makini Desk local engine", description = "The platform API served by the local engine: an offline imitation of the Makini platform."),
    modifiers(&BearerAuth),
    components(schemas(desk_platform::ErrorEnvelope, data::Entity)),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "connection",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn documented_routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::routes())
        .merge(account::routes())
        .merge(customers::routes())
        .merge(connections::routes())
        .merge(magic_links::routes())
        .merge(sandbox::routes())
        .merge(syncs::routes())
        .merge(subscriptions::routes())
        .merge(tokens::routes())
        .merge(data::routes())
}

/// The engine's OpenAPI document, as served at `/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().split_for_parts().1
}

pub(crate) fn router(engine: Engine) -> Router {
    let (routes, openapi) = documented_routes().split_for_parts();
    let openapi = std::sync::Arc::new(openapi);
    routes
        .merge(magic_links::legacy_routes())
        .merge(crate::makini::router())
        .route(
            "/openapi.json",
            get(move || async move { Json(openapi.as_ref().clone()) }),
        )
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .fallback(|| async { ApiError::new(ErrorCode::NotFound, "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::OperationNotSupported,
                "this route does not take that method",
            )
        })
        .with_state(engine)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            middleware::panic_response,
        ))
        .layer(axum::middleware::from_fn(middleware::request_id))
}
