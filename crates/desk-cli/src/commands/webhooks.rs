//! `mdesk webhooks list/show/replay/forward`: the inspector, from the inbox's database.

use super::inbox::inbox_dir;
use crate::secret_input::{self, WhenMissing};
use crate::Context;
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use desk_inbox::{
    send_test_event, test_event, test_events, Inbox, InboxConfig, ListFilter, Processing,
    SignatureCheck, TestMark, WatchOutcome,
};
use desk_platform::event::EventType;
use desk_platform::webhook_signature::WebhookKey;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Subcommand)]
pub enum WebhooksCommand {
    /// Received webhooks, newest first.
    List(ListArgs),
    /// One webhook: headers, body, signature check and processing.
    Show {
        /// The event id (evt_...), or `#SEQ` for the SEQth request received.
        id: String,
    },
    /// Run webhooks through processing again.
    Replay {
        /// The webhooks: event ids or `#SEQ`s.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Forward verified webhooks to a local URL, re-signed with a stable secret: the ones named,
    /// or every new one as it arrives until Ctrl-C.
    Forward(ForwardArgs),
    /// Write the webhooks matching the filters (headers, bodies, checks, results) to a JSON file.
    Export(ExportArgs),
    /// Send signed test events (every type, or one) to a URL, e.g. this inbox's `/webhooks`.
    Test(TestArgs),
}

/// Which webhooks: the filters `list` and `export` share.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only this event type (connection.status_changed, sync.failed, ...).
    #[arg(long = "type")]
    event_type: Option<String>,
    /// Only events about this connection (conn_...).
    #[arg(long)]
    connection: Option<String>,
    /// Only events about this customer (cus_...).
    #[arg(long)]
    customer: Option<String>,
    /// valid, invalid, missing or stale
    #[arg(long, value_parser = parse_signature)]
    signature: Option<SignatureCheck>,
    /// pending, processed, skipped or failed
    #[arg(long, value_parser = parse_processing)]
    processing: Option<Processing>,
    /// Text in the body.
    #[arg(long)]
    search: Option<String>,
    /// Received at or after this time: a date (2026-12-01), a date and time
    /// (2026-12-01T08:00:00Z; UTC without a zone) or a span back from now (30m, 2h, 7d).
    #[arg(long, value_parser = parse_time)]
    since: Option<DateTime<Utc>>,
    /// Received before this time (spelled as for --since).
    #[arg(long, value_parser = parse_time)]
    until: Option<DateTime<Utc>>,
    /// Leave out requests stored as duplicates.
    #[arg(long)]
    hide_duplicates: bool,
}

impl FilterArgs {
    fn filter(self) -> ListFilter {
        ListFilter {
            event_type: self.event_type,
            connection_id: self.connection,
            customer_id: self.customer,
            signature: self.signature,
            processing: self.processing,
            text: self.search,
            received_after: self.since,
            received_before: self.until,
            hide_duplicates: self.hide_duplicates,
            ..ListFilter::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// How many to list, 1 to 1000; when more match, the command says how to list the next page.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=i64::from(desk_inbox::MAX_PAGE)))]
    limit: u32,
    /// The next page: the cursor the previous page ended with.
    #[arg(long)]
    after: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// The file to write: a .json file (other names are refused).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Where to send them, e.g. http://127.0.0.1:8790/webhooks.
    #[arg(long)]
    to: String,
    /// One event type (connection.status_changed, sync.failed, ...); all types by default.
    #[arg(long = "type")]
    event_type: Option<String>,
    /// Signing secret (whsec_...); by default the stable forwarding secret from the vault.
    /// (A value on the command line is visible to other users in `ps`: prefer
    /// MDESK_FORWARD_SECRET or --secret-stdin.)
    #[arg(long, env = "MDESK_FORWARD_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Read the signing secret from the first line of standard input.
    #[arg(long)]
    secret_stdin: bool,
    /// The connection the events name.
    #[arg(long, default_value = "conn_test")]
    connection: String,
    /// The customer the events name.
    #[arg(long, default_value = "cus_test")]
    customer: String,
    /// Apply the events as if the platform had sent them (the connection's state, the mirror,
    /// alerts; the timeline marks them as tests). Without it they are only stored and shown.
    #[arg(long)]
    apply: bool,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    desk_core::time_input::parse_instant(text, Utc::now()).map_err(|err| err.to_string())
}

#[derive(Debug, clap::Args)]
pub struct ForwardArgs {
    /// Where to send them, e.g. http://127.0.0.1:3000/webhooks.
    #[arg(long)]
    to: String,
    /// Re-signing secret; by default a stable one kept in the vault (printed at start).
    /// (A value on the command line is visible to other users in `ps`: prefer
    /// MDESK_FORWARD_SECRET or --secret-stdin.)
    #[arg(long, env = "MDESK_FORWARD_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Read the signing secret from the first line of standard input.
    #[arg(long)]
    secret_stdin: bool,
    /// Webhooks to forward now; none: forward new ones as they arrive.
    ids: Vec<String>,
}

fn parse_signature(text: &str) -> Result<SignatureCheck, String> {
    SignatureCheck::parse(text)
        .ok_or_else(|| format!("{text:?}: use valid, invalid, missing or stale"))
}

fn parse_processing(text: &str) -> Result<Processing, String> {
    Processing::parse(text)
        .ok_or_else(|| format!("{text:?}: use pending, processed, skipped or failed"))
}

/// The inspector reads and replays; the serving process (or the app) does the processing.
async fn open(context: &Context) -> anyhow::Result<Inbox> {
    let dir = inbox_dir(context)?;
    let config = InboxConfig {
        background_processing: false,
        ..InboxConfig::default()
    };
    Inbox::open(&dir, config)
        .await
        .with_context(|| format!("cannot open the inbox in {}", dir.display()))
}

pub async fn run(context: &Context, command: WebhooksCommand) -> anyhow::Result<()> {
    if let WebhooksCommand::Test(args) = command {
        return send_tests(context, args).await;
    }
    // The inspector reads: a folder without data is a mistyped --data-dir, not a new inbox.
    if !desk_core::Desk::holds_data(&context.data_dir) {
        return Err(super::desk::failed(desk_core::CoreError::NoData(
            context.data_dir.clone(),
        )));
    }
    let inbox = open(context).await?;
    let result = match command {
        WebhooksCommand::List(args) => list(context, &inbox, args).await,
        WebhooksCommand::Export(args) => export(context, &inbox, args).await,
        WebhooksCommand::Test(args) => send_tests(context, args).await,
        WebhooksCommand::Show { id } => {
            let detail = inbox.show(&id).await?;
            crate::output::print(context.format, &detail, || {
                let s = &detail.summary;
                let mut text = format!(
                    "{} {} {}\nreceived  {}\nsignature {}{}\nanswered  {}\nprocessing {}{}\n\n",
                    s.id.as_deref().unwrap_or("-"),
                    s.event_type.as_deref().unwrap_or("-"),
                    s.connection_id.as_deref().unwrap_or("-"),
                    s.received_at.to_rfc3339(),
                    s.signature.as_str(),
                    detail
                        .signature_reason
                        .as_deref()
                        .map(|why| format!(" ({why})"))
                        .unwrap_or_default(),
                    match (s.status, detail.answer_reason.as_deref()) {
                        (Some(status), Some(why)) => format!("{status} ({why})"),
                        (Some(status), None) => status.to_string(),
                        (None, _) => "- (fetched by catch-up)".to_owned(),
                    },
                    s.processing.as_str(),
                    reason_suffix(s),
                );
                for (name, value) in &detail.headers {
                    text.push_str(&format!("{name}: {value}\n"));
                }
                text.push('\n');
                text.push_str(detail.body_pretty.as_deref().unwrap_or(&detail.body));
                text
            })
        }
        WebhooksCommand::Replay { ids } => {
            let replayed = inbox.replay(&ids).await?;
            crate::output::print(context.format, &replayed, || {
                replayed
                    .iter()
                    .map(|w| {
                        format!(
                            "#{} {} {}{}\n",
                            w.seq,
                            w.id.as_deref().unwrap_or("-"),
                            w.processing.as_str(),
                            reason_suffix(w)
                        )
                    })
                    .collect()
            })
        }
        WebhooksCommand::Forward(args) => forward(context, &inbox, args).await,
    };
    inbox.close().await;
    result
}

/// Why a webhook ended as it did, where the inbox recorded it: its error, else the
/// processor's note (out of order, nothing to apply, replayed...).
fn reason_of(w: &desk_inbox::WebhookSummary) -> Option<&str> {
    w.error.as_deref().or(w.note.as_deref())
}

/// `: <reason>` after a processing state, or nothing.
fn reason_suffix(w: &desk_inbox::WebhookSummary) -> String {
    reason_of(w)
        .map(|why| format!(": {why}"))
        .unwrap_or_default()
}

/// The list's note column: the reason, with the duplicate / out-of-order marker.
fn note_of(w: &desk_inbox::WebhookSummary, marker: &str) -> String {
    match (reason_of(w), marker.is_empty()) {
        (Some(why), true) => why.to_owned(),
        (Some(why), false) => format!("{marker}; {why}"),
        (None, _) => marker.to_owned(),
    }
}

async fn list(context: &Context, inbox: &Inbox, args: ListArgs) -> anyhow::Result<()> {
    let filter = ListFilter {
        limit: Some(args.limit),
        cursor: args.after,
        ..args.filter.filter()
    };
    let page = inbox.list(&filter).await?;
    if let Some(cursor) = &page.next_cursor {
        // On stderr, so `--format json` keeps its array on stdout.
        eprintln!(
            "listed {} webhooks, the most --limit asked for; more match: add --after {cursor}",
            page.data.len()
        );
    }
    crate::output::print(context.format, &page.data, || {
        let mut text = format!(
            "{:<6} {:<20} {:<36} {:<30} {:<9} {:<10} {}\n",
            "#", "received", "type", "connection", "signature", "processing", "note"
        );
        for w in &page.data {
            let marker = match (&w.duplicate_of, w.out_of_order) {
                (Some(first), _) => format!("duplicate of {first}"),
                (None, true) => "out of order".to_owned(),
                _ => String::new(),
            };
            text.push_str(&format!(
                "{:<6} {:<20} {:<36} {:<30} {:<9} {:<10} {}\n",
                w.seq,
                w.received_at.format("%Y-%m-%d %H:%M:%S"),
                w.event_type.as_deref().unwrap_or("-"),
                w.connection_id.as_deref().unwrap_or("-"),
                w.signature.as_str(),
                w.processing.as_str(),
                note_of(w, &marker),
            ));
        }
        text
    })
}

async fn export(context: &Context, inbox: &Inbox, args: ExportArgs) -> anyhow::Result<()> {
    let written = desk_core::offline::export_webhooks(inbox, &args.filter.filter(), &args.out)
        .await
        .map_err(super::desk::failed)?;
    let report = serde_json::json!({"path": args.out, "webhooks": written});
    crate::output::print(context.format, &report, || {
        format!("{written} webhooks written to {}\n", args.out.display())
    })
}

/// Signed test events, one per type (or the one asked for), as the platform would send them.
async fn send_tests(context: &Context, args: TestArgs) -> anyhow::Result<()> {
    desk_inbox::check_url(&args.to).context("--to")?;
    let key = forward_key(context, args.secret, args.secret_stdin).await?;
    let now = chrono::Utc::now();
    let events: Vec<_> = match &args.event_type {
        Some(kind) => {
            let kind = EventType::parse(kind).with_context(|| {
                format!(
                    "{kind:?} is not an event type; known: {}",
                    EventType::ALL.map(EventType::as_str).join(", ")
                )
            })?;
            vec![test_event(kind, &args.connection, &args.customer, now)]
        }
        None => test_events(&args.connection, &args.customer, now),
    };
    let client = desk_inbox::http_client()?;
    let mut results = Vec::with_capacity(events.len());
    for event in &events {
        let mark = if args.apply {
            TestMark::Apply
        } else {
            TestMark::Show
        };
        results.push(send_test_event(&client, &args.to, &key, event, now.timestamp(), mark).await?);
    }
    let refused = results
        .iter()
        .filter(|r| !(200..300).contains(&r.status))
        .count();
    crate::output::print(context.format, &results, || {
        events
            .iter()
            .zip(&results)
            .map(|(event, r)| format!("{} {} -> {}\n", r.id, event.event_type, r.status))
            .collect()
    })?;
    anyhow::ensure!(
        refused == 0,
        "{refused} of {} test events were not accepted",
        results.len()
    );
    Ok(())
}

/// The forwarding key: `--secret` (or its variable, or standard input), else the stable one
/// kept in the vault under the account scope.
async fn forward_key(
    context: &Context,
    given: Option<String>,
    from_stdin: bool,
) -> anyhow::Result<WebhookKey> {
    let given = secret_input::read(given, from_stdin, "--secret", WhenMissing::Nothing)?;
    if let Some(secret) = given {
        return WebhookKey::from_configured_secret(&secret).context("--secret");
    }
    super::desk::with_new_desk(context, async |desk| {
        desk.forward_key()
            .await
            .context("no --secret given and the vault is not available")
    })
    .await
}

async fn forward(context: &Context, inbox: &Inbox, args: ForwardArgs) -> anyhow::Result<()> {
    desk_inbox::check_url(&args.to).context("--to")?;
    let key = forward_key(context, args.secret, args.secret_stdin).await?;
    if !args.ids.is_empty() {
        let results = inbox.forward(&args.ids, &args.to, &key).await?;
        let failed = results
            .iter()
            .filter(|r| r.error.is_some() || r.status.is_some_and(|s| !(200..300).contains(&s)))
            .count();
        crate::output::print(context.format, &results, || {
            results
                .iter()
                .map(|r| {
                    format!(
                        "#{} -> {}\n",
                        r.seq,
                        r.status
                            .map_or_else(|| r.error.clone().unwrap_or_default(), |s| s.to_string())
                    )
                })
                .collect()
        })?;
        anyhow::ensure!(failed == 0, "{failed} of {} forwards failed", results.len());
        return Ok(());
    }
    if !context.quiet {
        eprintln!(
            "forwarding new verified webhooks to {} (signing secret {}); Ctrl-C to stop",
            args.to,
            key.to_secret()
        );
    }
    let stop = super::shutdown_signal();
    tokio::pin!(stop);
    let mut holding: Option<i64> = None;
    loop {
        let pass = inbox.forward_watch_pass(&args.to, &key).await?;
        for watched in &pass.handled {
            let id = watched.id.as_deref().unwrap_or("-");
            match &watched.outcome {
                WatchOutcome::Forwarded { status } => {
                    eprintln!("#{} {id} -> {status}", watched.seq);
                }
                WatchOutcome::Skipped { reason } => {
                    eprintln!("#{} {id} skipped: {reason}", watched.seq);
                }
            }
        }
        match &pass.held_back {
            // Said once per webhook held back, not on every retry.
            Some(held) if holding != Some(held.seq) => {
                holding = Some(held.seq);
                eprintln!(
                    "#{} {} not sent yet ({}); retrying",
                    held.seq,
                    held.id.as_deref().unwrap_or("-"),
                    held.error
                );
            }
            Some(_) => {}
            None => holding = None,
        }
        let pause = if pass.held_back.is_some() {
            Duration::from_secs(2)
        } else {
            Duration::from_millis(300)
        };
        tokio::select! {
            () = &mut stop => return Ok(()),
            () = tokio::time::sleep(pause) => {}
        }
    }
}
