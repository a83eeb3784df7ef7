//! What the inspector's actions need of the desk: the stable forwarding secret, the URL this
//! folder's inbox receives on, where exports go, and the inbox's news on the event stream.

use crate::desk::Desk;
use crate::events::DeskEvent;
use crate::serving::SERVING_FILE;
use crate::CoreError;
use desk_inbox::{Inbox, InboxEvent};
use desk_platform::webhook_signature::WebhookKey;
use desk_vault::SecretString;
use std::path::PathBuf;
use tokio::sync::broadcast::error::RecvError;

/// The vault's name for the secret forwarded and edited webhooks are signed with.
pub const FORWARD_SECRET_NAME: &str = "forward-secret";

/// With a local profile, subscribes this folder's inbox to every event of the engine, signed
/// with the inbox's own secret, so the engine's webhooks reach the inspector at once. Idempotent
/// (one call per pass); a failure is logged: catch-up still brings the events.
pub(crate) async fn subscribe_inbox(desk: &Desk, session: &crate::session::Session) {
    if session.profile.kind != desk_store::ProfileKind::Local {
        return;
    }
    let (crate::platform::Platform::Desk(client), Some(url)) = (&session.client, desk.inbox_url())
    else {
        return;
    };
    let subscribed = async {
        let key = desk.inbox_key().await?;
        client
            .subscribe_webhooks(&url, &[], Some(&key.to_secret()))
            .await?;
        Ok::<(), CoreError>(())
    };
    if let Err(err) = subscribed.await {
        tracing::warn!(error = %err, %url, "cannot subscribe the inbox to the engine's webhooks");
    }
}

impl Desk {
    /// The stable forwarding secret, made on first use and kept in the vault, so a local
    /// receiver configured with it keeps verifying across restarts.
    pub async fn forward_key(&self) -> Result<WebhookKey, CoreError> {
        self.stable_key(FORWARD_SECRET_NAME).await
    }

    /// A signing key kept in the vault under `name`, made (32 random bytes) on first use.
    pub(crate) async fn stable_key(&self, name: &str) -> Result<WebhookKey, CoreError> {
        let vault = self.vault().await?;
        let secret = match vault.get(desk_vault::ACCOUNT_SCOPE, name).await? {
            Some(secret) => secret,
            None => {
                let mut bytes = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                let key = WebhookKey::from_bytes(bytes.to_vec())
                    .map_err(|err| CoreError::Internal(err.to_string()))?;
                let secret = SecretString::new(key.to_secret());
                vault.put(desk_vault::ACCOUNT_SCOPE, name, &secret).await?;
                secret
            }
        };
        WebhookKey::from_secret(secret.expose())
            .map_err(|err| CoreError::Corrupt(format!("the vault's {name} does not parse: {err}")))
    }

    /// The URL this folder's inbox receives on, when a process serves it now.
    pub fn inbox_url(&self) -> Option<String> {
        crate::serving::read_record(&self.inbox_dir().join(SERVING_FILE)).map(|record| record.url)
    }

    /// A new file in the data folder's `exports/`, named by what it holds and the time.
    pub(crate) fn export_path(&self, stem: &str, extension: &str) -> Result<PathBuf, CoreError> {
        let dir = self.data_dir().join("exports");
        std::fs::create_dir_all(&dir).map_err(|err| CoreError::io(&dir, err))?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
        Ok(dir.join(format!("{stem}-{stamp}.{extension}")))
    }

    /// Repeats the inbox's live tail on the desk's event stream (webhooks stored and
    /// processed), so the inspector updates without polling. Ends when the inbox closes.
    pub(crate) fn relay_inbox_events(&self, inbox: &Inbox) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(
                "no runtime to relay the inbox's events on; the inspector will not update live"
            );
            return;
        };
        let mut tail = inbox.subscribe();
        let events = self.events.clone();
        runtime.spawn(async move {
            loop {
                let event = match tail.recv().await {
                    Ok(InboxEvent::Received { webhook }) => DeskEvent::WebhookStored { webhook },
                    Ok(InboxEvent::Processed { webhook }) => {
                        DeskEvent::WebhookProcessed { webhook }
                    }
                    Err(RecvError::Lagged(missed)) => DeskEvent::WebhooksMissed { missed },
                    Err(RecvError::Closed) => break,
                };
                events.emit(event);
            }
        });
    }
}
