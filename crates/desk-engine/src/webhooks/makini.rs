//! Makini-format webhooks (makini-api.md, Webhooks): the legacy payload
//! `{"event": "<entity>.<inserted|updated|deleted>", "body": ["<id>", ...]}`, signed with an
//! HMAC-SHA256 of the raw body, hex, in `X-Webhook-Signature`, with no timestamp (as Makini
//! documents it).
//!
//! - After a sync run that changed records: one delivery per entity (Makini's path: our
//!   `inventory-items` is `inventories`, see [`crate::makini::shape`]) and change kind, the run's
//!   ids in chunks of at most [`MAX_IDS`]. They are parts 1, 2... of the run's `sync.completed`
//!   delivery, so they share its queue, retries and log. They are sent when the webhook takes
//!   every event or names `sync.completed`.
//! - Every other event the webhook takes: `{"event": "<our type>", "body": ["<connection id>"]}`.
//! - The engine's own choice: an `X-Makini-Connection: <connection id>` header, because Makini's
//!   payload names no connection and a receiver of several connections could not tell them
//!   apart (the inbox reads it, its name configurable).

use super::new_delivery;
use crate::error::EngineError;
use crate::makini::shape::SHAPES;
use crate::store::deliveries::{self, Delivery};
use desk_platform::connection::WebhookFormat;
use desk_platform::event::{Event, EventType};
use desk_platform::webhook_signature::WebhookKey;
use serde_json::json;
use sqlx::SqliteConnection;

/// Most ids in one payload.
pub const MAX_IDS: usize = 500;
/// Where the body's HMAC goes (Makini's name).
pub const SIGNATURE_HEADER: &str = "x-webhook-signature";
/// The connection a payload is about (ours: Makini's payload has no field for it).
pub const CONNECTION_HEADER: &str = "x-makini-connection";

/// What one sync run changed in one of our entities, ids in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityChanges {
    pub entity: String,
    pub inserted: Vec<String>,
    pub updated: Vec<String>,
    pub deleted: Vec<String>,
}

impl EntityChanges {
    pub fn is_empty(&self) -> bool {
        self.inserted.is_empty() && self.updated.is_empty() && self.deleted.is_empty()
    }
}

/// Makini's name of one of our entities (its path segment); ours when Makini has none.
pub fn makini_path(entity: &str) -> &str {
    SHAPES
        .iter()
        .find(|shape| shape.entity == entity)
        .map_or(entity, |shape| shape.path)
}

/// Turns an event's own delivery into Makini's payload about its connection.
pub(crate) fn for_event(delivery: &mut Delivery, event: &Event) {
    delivery.format = WebhookFormat::Makini.as_str().to_owned();
    let ids: Vec<&str> = delivery.connection_id.as_deref().into_iter().collect();
    delivery.body = Some(json!({"event": event.event_type.as_str(), "body": ids}).to_string());
}

/// Queues the record changes of a sync run (`event` is its `sync.completed`) for the
/// connection's webhook, when it is a Makini-format one that takes them.
pub(crate) async fn enqueue_changes(
    db: &mut SqliteConnection,
    event: &Event,
    changes: &[EntityChanges],
) -> Result<usize, EngineError> {
    let Some(connection_id) = event.connection_id.as_deref() else {
        return Ok(0);
    };
    if changes.iter().all(EntityChanges::is_empty) {
        return Ok(0);
    }
    let target: Option<(String, String, String)> = sqlx::query_as(
        "SELECT webhook_url, webhook_secret, webhook_events FROM connections
         WHERE id = ? AND webhook_format = 'makini'
           AND webhook_url IS NOT NULL AND webhook_secret IS NOT NULL",
    )
    .bind(connection_id)
    .fetch_optional(&mut *db)
    .await?;
    let Some((url, secret, events)) = target else {
        return Ok(0);
    };
    let events: Vec<String> = serde_json::from_str(&events)?;
    let completed = EventType::SyncCompleted.as_str();
    if !events.is_empty() && !events.iter().any(|e| e == completed) {
        return Ok(0);
    }
    let mut part = 0;
    for change in changes {
        let path = makini_path(&change.entity);
        let kinds = [
            ("inserted", &change.inserted),
            ("updated", &change.updated),
            ("deleted", &change.deleted),
        ];
        for (kind, ids) in kinds {
            for chunk in ids.chunks(MAX_IDS) {
                part += 1;
                let mut delivery = new_delivery(
                    event,
                    Some(connection_id.to_owned()),
                    url.clone(),
                    secret.clone(),
                );
                delivery.format = WebhookFormat::Makini.as_str().to_owned();
                delivery.part = part;
                delivery.body =
                    Some(json!({"event": format!("{path}.{kind}"), "body": chunk}).to_string());
                deliveries::insert(db, &delivery).await?;
            }
        }
    }
    Ok(usize::try_from(part).unwrap_or(usize::MAX))
}

/// Makini's signature headers on a request about to carry `body`.
pub(crate) fn signed(
    request: reqwest::RequestBuilder,
    key: &WebhookKey,
    delivery: &Delivery,
    body: &str,
) -> reqwest::RequestBuilder {
    let request = request.header(
        SIGNATURE_HEADER,
        hex::encode(key.body_hmac(body.as_bytes())),
    );
    match &delivery.connection_id {
        Some(id) => request.header(CONNECTION_HEADER, id),
        None => request,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_inventory_items_are_makini_inventories_and_other_entities_keep_their_names() {
        assert_eq!(makini_path("inventory-items"), "inventories");
        assert_eq!(makini_path("work-orders"), "work-orders");
        assert_eq!(makini_path("something-new"), "something-new");
    }
}
