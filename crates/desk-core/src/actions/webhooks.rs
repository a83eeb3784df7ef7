//! The webhook inspector: what the inbox received (paged for a virtual list, searched,
//! filtered, in arrival or creation order), one webhook with its signature explained, and what
//! a user does with them: replay, forward, edit and resend, send a test, export.

use crate::desk::Desk;
use crate::CoreError;
use chrono::{DateTime, Utc};
use desk_inbox::{
    Edit, ExplainKeys, ForwardResult, InspectorPage, ListFilter, PageOrder, Processing,
    ReplayPreview, SendResult, SignatureCheck, SignatureExplanation, TestMark, WebhookDetail,
    WebhookEdit, WebhookSummary,
};
use desk_platform::event::EventType;
use desk_store::ConnectionName;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// The vault's name for the secret the app's own inbox checks webhooks with.
pub const INBOX_SECRET_NAME: &str = "inbox-secret";
/// Rows per page when the request names none.
const DEFAULT_PAGE: u32 = 100;
/// The most webhooks one replay or forward names (a filtered set included).
const MAX_BATCH: u32 = 1000;

/// Which webhooks: every filter is AND-ed; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookFilter {
    /// A substring of the event id, type, connection id or body.
    pub search: Option<String>,
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub signature: Option<SignatureCheck>,
    pub processing: Option<Processing>,
    pub received_after: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    pub hide_duplicates: bool,
}

impl WebhookFilter {
    fn list_filter(&self) -> ListFilter {
        let blank = |text: &Option<String>| text.clone().filter(|t| !t.trim().is_empty());
        ListFilter {
            search: blank(&self.search),
            event_type: blank(&self.event_type),
            connection_id: blank(&self.connection_id),
            customer_id: blank(&self.customer_id),
            signature: self.signature,
            processing: self.processing,
            received_after: self.received_after,
            received_before: self.received_before,
            hide_duplicates: self.hide_duplicates,
            ..ListFilter::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksListRequest {
    pub filter: WebhookFilter,
    pub order: PageOrder,
    pub offset: u32,
    /// Rows per page (default 100, at most 1000).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WebhooksView {
    #[serde(flatten)]
    pub page: InspectorPage,
    /// When catch-up last read the platform's event log (what webhooks missed comes back then).
    pub caught_up_at: Option<DateTime<Utc>>,
    /// The event types the platform sends, for the type filter.
    pub event_types: Vec<String>,
    /// Names of the rows' connections and customers, as the mirror knows them (a webhook
    /// carries ids only); ids the mirror does not hold are missing.
    pub connections: Vec<ConnectionName>,
}

pub async fn webhooks_list(
    desk: &Desk,
    request: WebhooksListRequest,
) -> Result<WebhooksView, CoreError> {
    let inbox = desk.inbox().await?;
    let page = inbox
        .page(
            &request.filter.list_filter(),
            request.order,
            request.offset,
            request.limit.unwrap_or(DEFAULT_PAGE),
        )
        .await?;
    let mut ids: Vec<String> = page
        .rows
        .iter()
        .filter_map(|row| row.summary.connection_id.clone())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let shown = crate::profiles::resolve_profile(desk, None).await.ok();
    let connections = desk
        .mirror()
        .connection_names(&ids, shown.as_ref().map(|p| p.name.as_str()))
        .await?;
    Ok(WebhooksView {
        page,
        connections,
        caught_up_at: inbox.caught_up_at().await?,
        event_types: EventType::ALL
            .iter()
            .map(|kind| kind.as_str().to_owned())
            .collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WebhookShowRequest {
    /// `#12`/`12` (arrival number) or an event id.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WebhookView {
    #[serde(flatten)]
    pub detail: WebhookDetail,
    pub explanation: SignatureExplanation,
    /// Edited resends of this webhook, oldest first.
    pub edits: Vec<WebhookEdit>,
}

pub async fn webhook_show(
    desk: &Desk,
    request: WebhookShowRequest,
) -> Result<WebhookView, CoreError> {
    let inbox = desk.inbox().await?;
    let detail = inbox.show(&request.key).await?;
    // The app's inbox checks with the vault's key; an inbox opened read-only knows no key of
    // its own, so the vault's is the one that was used.
    let vault_key = match desk.inbox_key().await {
        Ok(key) => Some(key),
        Err(err) => {
            tracing::warn!(error = %err, "the inbox secret is not available to explain");
            None
        }
    };
    let profile = detail.summary.profile.as_deref();
    let config = inbox.config();
    let keys = ExplainKeys {
        standard: config.standard_key(profile).or(vault_key.as_ref()),
        standard_name: INBOX_SECRET_NAME,
        body_hmac: config.body_key(profile),
        body_hmac_name: "the body HMAC secret given to the receiver",
        body_hmac_header: config.body_hmac_header.as_deref(),
    };
    let explanation = desk_inbox::explain(&detail, &keys);
    let edits = inbox.edits_of(detail.summary.seq).await?;
    Ok(WebhookView {
        detail,
        explanation,
        edits,
    })
}

/// Which webhooks a replay or forward names: the ones listed, or the filtered set.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSelection {
    /// Arrival numbers (`12`, `#12`) or event ids.
    pub keys: Vec<String>,
    /// Instead of keys: every webhook matching (at most 1000, oldest first).
    pub filter: Option<WebhookFilter>,
}

impl WebhookSelection {
    async fn keys(&self, desk: &Desk) -> Result<Vec<String>, CoreError> {
        let keys = match &self.filter {
            Some(filter) => desk
                .inbox()
                .await?
                .matching_seqs(&filter.list_filter(), MAX_BATCH)
                .await?
                .into_iter()
                .map(|seq| seq.to_string())
                .collect(),
            None => self.keys.clone(),
        };
        if keys.is_empty() {
            return Err(CoreError::InvalidInput(
                "no webhooks named: give keys or a filter that matches some".into(),
            ));
        }
        if keys.len() > MAX_BATCH as usize {
            return Err(CoreError::InvalidInput(format!(
                "{} webhooks named; at most {MAX_BATCH} at a time",
                keys.len()
            )));
        }
        Ok(keys)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksReplayRequest {
    pub selection: WebhookSelection,
    /// Only say what would be replayed.
    pub preview: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReplayOutcome {
    /// What would be (preview) or was put back into processing, and what cannot be.
    pub preview: ReplayPreview,
    /// After a replay: each webhook as processing left it. Empty for a preview.
    pub replayed: Vec<WebhookSummary>,
}

pub async fn webhooks_replay(
    desk: &Desk,
    request: WebhooksReplayRequest,
) -> Result<ReplayOutcome, CoreError> {
    let keys = request.selection.keys(desk).await?;
    let inbox = desk.inbox().await?;
    let preview = inbox.replay_preview(&keys).await?;
    if request.preview {
        return Ok(ReplayOutcome {
            preview,
            replayed: Vec::new(),
        });
    }
    // Only what can be replayed: the preview named the rest, and the user confirmed that.
    let replayable: Vec<String> = preview.webhooks.iter().map(|w| w.seq.to_string()).collect();
    let replayed = if replayable.is_empty() {
        Vec::new()
    } else {
        inbox.replay(&replayable).await?
    };
    Ok(ReplayOutcome { preview, replayed })
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WebhooksForwardRequest {
    pub selection: WebhookSelection,
    /// A local receiver, e.g. http://127.0.0.1:3000/webhooks.
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ForwardOutcome {
    pub results: Vec<ForwardResult>,
    /// The name of the secret the forwards are signed with (the value stays in the vault).
    pub secret_name: String,
}

pub async fn webhooks_forward(
    desk: &Desk,
    request: WebhooksForwardRequest,
) -> Result<ForwardOutcome, CoreError> {
    let keys = request.selection.keys(desk).await?;
    let key = desk.forward_key().await?;
    let results = desk
        .inbox()
        .await?
        .forward(&keys, &request.to, &key)
        .await?;
    Ok(ForwardOutcome {
        results,
        secret_name: crate::FORWARD_SECRET_NAME.to_owned(),
    })
}

#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct WebhookResendRequest {
    /// The original, named as for `webhook_show`.
    pub key: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
    /// Where to: a URL (signed with the forward secret), or `None` for this app's own inbox
    /// (signed with the inbox's secret, so it is verified and processed like any webhook).
    #[serde(default)]
    pub to: Option<String>,
}

pub async fn webhook_resend_edited(
    desk: &Desk,
    request: WebhookResendRequest,
) -> Result<WebhookEdit, CoreError> {
    let (url, key) = target(desk, request.to).await?;
    let edit = Edit {
        original: request.key,
        body: request.body,
        headers: request.headers,
        url,
    };
    Ok(desk.inbox().await?.resend_edited(&edit, &key).await?)
}

/// A URL with the forward key, or this folder's inbox with its own key.
async fn target(
    desk: &Desk,
    to: Option<String>,
) -> Result<(String, desk_platform::webhook_signature::WebhookKey), CoreError> {
    match to.filter(|url| !url.trim().is_empty()) {
        Some(url) => Ok((url, desk.forward_key().await?)),
        None => {
            let url = desk.inbox_url().ok_or_else(|| {
                CoreError::InvalidInput(
                    "no process receives webhooks for this data folder now; run `mdesk serve` \
                     or the app, or give a URL"
                        .into(),
                )
            })?;
            Ok((url, desk.inbox_key().await?))
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookTestRequest {
    /// One event type; `None`: one of every type.
    pub event_type: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    /// A URL, or `None` for this app's own inbox.
    pub to: Option<String>,
    /// Apply them as the platform's own (connection state, mirror, alerts), marked as tests.
    pub apply: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TestSent {
    pub sent: Vec<SendResult>,
}

pub async fn webhook_send_test(
    desk: &Desk,
    request: WebhookTestRequest,
) -> Result<TestSent, CoreError> {
    let connection = request.connection_id.as_deref().unwrap_or("conn_test");
    let customer = request.customer_id.as_deref().unwrap_or("cus_test");
    let now = Utc::now();
    let events = match request.event_type.as_deref() {
        Some(kind) => {
            let kind = EventType::parse(kind).ok_or_else(|| {
                CoreError::InvalidInput(format!(
                    "{kind:?} is not an event type; known: {}",
                    EventType::ALL.map(EventType::as_str).join(", ")
                ))
            })?;
            vec![desk_inbox::test_event(kind, connection, customer, now)]
        }
        None => desk_inbox::test_events(connection, customer, now),
    };
    let (url, key) = target(desk, request.to).await?;
    let mark = if request.apply {
        TestMark::Apply
    } else {
        TestMark::Show
    };
    let client = desk_inbox::http_client()?;
    let mut sent = Vec::with_capacity(events.len());
    for event in &events {
        sent.push(
            desk_inbox::send_test_event(&client, &url, &key, event, now.timestamp(), mark).await?,
        );
    }
    Ok(TestSent { sent })
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksExportRequest {
    pub filter: WebhookFilter,
    /// A `.json` file; by default one in the data folder's `exports/`.
    #[ts(type = "string | null")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WebhooksExported {
    #[ts(type = "string")]
    pub path: PathBuf,
    pub webhooks: u64,
}

pub async fn webhooks_export(
    desk: &Desk,
    request: WebhooksExportRequest,
) -> Result<WebhooksExported, CoreError> {
    let path = match request.path {
        Some(path) => path,
        None => desk.export_path("webhooks", "json")?,
    };
    let inbox = desk.inbox().await?;
    let webhooks =
        crate::offline::export_webhooks(inbox, &request.filter.list_filter(), &path).await?;
    Ok(WebhooksExported { path, webhooks })
}
