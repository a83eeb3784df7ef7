//! Account-level webhook subscriptions (`PUT /api/v1/webhooks/subscriptions`): every event of
//! the account to one URL, beside each connection's own webhook. Like Svix's endpoints, the
//! caller may bring the signing secret (the app's inbox keeps its own in its vault).

use super::extract::{AdminAuth, ApiJson};
use super::responses::{JsonBody, Unauthorized};
use super::ApiError;
use crate::engine::Engine;
use crate::lifecycle::new_webhook_secret;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use desk_platform::event::EventType;
use desk_platform::webhook_signature::WebhookKey;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new().routes(routes!(subscribe))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub url: String,
    /// Event types; empty: every type.
    #[serde(default)]
    pub events: Vec<String>,
    /// `whsec_...`; by default the subscription keeps (or makes) its own.
    #[serde(default)]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Subscribed {
    pub url: String,
    pub secret: String,
}

/// Subscribes a URL to the account's events (again: replaces its types and secret).
#[utoipa::path(put, path = "/api/v1/webhooks/subscriptions", tag = "webhooks", security(("admin" = [])), request_body = Subscription,
    responses((status = 200, body = Subscribed), JsonBody, Unauthorized))]
async fn subscribe(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiJson(request): ApiJson<Subscription>,
) -> Result<Json<Subscribed>, ApiError> {
    let url = request.url.trim().to_owned();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2048 {
        return Err(crate::error::EngineError::invalid(format!(
            "webhook url {url:?} must be an http(s) URL"
        ))
        .into());
    }
    if let Some(unknown) = request
        .events
        .iter()
        .find(|e| EventType::parse(e).is_none())
    {
        return Err(crate::error::EngineError::invalid(format!(
            "unknown webhook event type {unknown:?}"
        ))
        .into());
    }
    if let Some(secret) = &request.secret {
        WebhookKey::from_configured_secret(secret).map_err(|err| {
            crate::error::EngineError::invalid(format!("the secret is not usable: {err}"))
        })?;
    }
    let mut tx = engine.store.begin().await?;
    let kept: Option<String> =
        sqlx::query_scalar("SELECT secret FROM account_webhooks WHERE url = ?")
            .bind(&url)
            .fetch_optional(&mut *tx)
            .await
            .map_err(crate::error::EngineError::from)?;
    let secret = request.secret.or(kept).unwrap_or_else(new_webhook_secret);
    sqlx::query(
        "INSERT INTO account_webhooks (url, secret, events, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(url) DO UPDATE SET secret = excluded.secret, events = excluded.events,
            updated_at = excluded.updated_at",
    )
    .bind(&url)
    .bind(&secret)
    .bind(serde_json::to_string(&request.events).map_err(crate::error::EngineError::from)?)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut *tx)
    .await
    .map_err(crate::error::EngineError::from)?;
    tx.commit().await.map_err(crate::error::EngineError::from)?;
    Ok(Json(Subscribed { url, secret }))
}
