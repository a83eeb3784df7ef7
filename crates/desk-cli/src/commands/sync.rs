//! `mdesk sync`: the platform into the local mirror, with progress on stderr.

use super::desk::with_new_desk;
use crate::output::{print, table};
use crate::Context;
use desk_core::events::DeskEvent;
use desk_core::sync::{self, SyncRequest};
use std::io::Write as _;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;

/// How often a page-count line may be printed.
const PAGE_LINE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// The profile to sync (needed when there are several; the local one is created when
    /// there are none).
    #[arg(long)]
    profile: Option<String>,
    /// Only this connection.
    #[arg(long)]
    connection: Option<String>,
    /// Pull every record again instead of what changed since the last sync.
    #[arg(long)]
    full: bool,
    /// On a Makini profile, have Makini issue the connection tokens the vault lacks: its
    /// documented route may replace the token the integrator's own code uses, which then stops
    /// working. Not needed on a local or self-hosted profile, where the app issues its own
    /// read-only token beside the connection's.
    #[arg(long)]
    issue_tokens: bool,
    /// How long to wait for a platform still pulling from a system, in seconds.
    #[arg(long, default_value_t = 120)]
    wait: u64,
    /// Only the account, customers, connections and credit ledger, not the records: seconds
    /// even for a very large account.
    #[arg(long, conflicts_with_all = ["connection", "full"])]
    directory_only: bool,
}

pub async fn run(context: &Context, args: SyncArgs) -> anyhow::Result<()> {
    with_new_desk(context, async |desk| {
        let mut events = desk.subscribe();
        let quiet = context.quiet;
        let progress = tokio::spawn(async move {
            if quiet {
                return;
            }
            // Page counts at most once a second, so a million-record pull is a few lines.
            let mut last_page_line: Option<Instant> = None;
            loop {
                match events.recv().await {
                    Ok(event @ DeskEvent::RecordsPulled { .. }) => {
                        if last_page_line.is_none_or(|at| at.elapsed() >= PAGE_LINE_EVERY) {
                            last_page_line = Some(Instant::now());
                            report_progress(&event);
                        }
                    }
                    Ok(event) => report_progress(&event),
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "progress fell behind; skipping lines");
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
        let report = sync::sync(
            desk,
            SyncRequest {
                profile: args.profile,
                connection_id: args.connection,
                full: args.full,
                issue_tokens: args.issue_tokens,
                platform_wait: Duration::from_secs(args.wait),
                directory_only: args.directory_only,
            },
        )
        .await;
        progress.abort();
        let report = report?;
        print(context.format, &report, || {
            let rows: Vec<Vec<String>> = report
                .entities
                .iter()
                .map(|e| {
                    vec![
                        e.connection_id.clone(),
                        e.entity.clone(),
                        e.state.as_str().to_owned(),
                        e.inserted.to_string(),
                        e.updated.to_string(),
                        e.unchanged.to_string(),
                        e.error.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            let mut text = table(
                &["connection", "entity", "state", "new", "changed", "unchanged", "error"],
                &rows,
            );
            for skipped in &report.skipped {
                text.push_str(&format!("skipped {}: {}\n", skipped.connection_id, skipped.reason));
            }
            text.push_str(&format!(
                "synced profile {}: {} customers, {} connections, {} new ledger entries, {} records new or changed, {} failed\n",
                report.profile,
                report.customers,
                report.connections,
                report.ledger_entries_added,
                report.records(),
                report.failures()
            ));
            text
        })?;
        if report.failures() > 0 {
            anyhow::bail!(
                "{} entities failed to sync; what was pulled is kept and the next sync resumes",
                report.failures()
            );
        }
        Ok(())
    })
    .await
}

/// One line per step on stderr, so stdout stays the result alone.
fn report_progress(event: &DeskEvent) {
    let line = match event {
        DeskEvent::SyncStarted { profile } => format!("syncing profile {profile}"),
        DeskEvent::SyncDirectoryDone {
            customers,
            connections,
            ledger_entries_added,
            ..
        } => format!(
            "account: {customers} customers, {connections} connections, {ledger_entries_added} new ledger entries"
        ),
        DeskEvent::WaitingForPlatform { connection_id, .. } => {
            format!("{connection_id}: waiting for the platform's own sync to finish")
        }
        DeskEvent::RecordsPulled {
            connection_id,
            entity,
            records,
            resumed,
            ..
        } => format!(
            "{connection_id} {entity}: {records} records{}",
            if *resumed { " (resumed)" } else { "" }
        ),
        DeskEvent::EntitySynced {
            connection_id,
            entity,
            records,
            state,
            error,
            ..
        } => format!(
            "{connection_id} {entity}: {state}, {records} new or changed{}",
            error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
        ),
        DeskEvent::ConnectionSkipped {
            connection_id,
            reason,
            ..
        } => format!("{connection_id}: skipped ({reason})"),
        DeskEvent::SyncFinished {
            records, failures, ..
        } => format!("done: {records} records new or changed, {failures} failed"),
        DeskEvent::AlertChanged { change, alert, .. } => format!(
            "alert {} ({}): {change:?}",
            alert.id,
            alert.kind.as_str()
        ),
        DeskEvent::ConnectionHealthChanged { change, .. } => format!(
            "{}: now {} ({})",
            change.connection_id,
            change.after.status.as_str(),
            if change.after.online { "online" } else { "offline" }
        ),
        DeskEvent::EntitySyncStarted {
            connection_id,
            entity,
            expected_records,
            ..
        } => match expected_records {
            Some(expected) => format!("{connection_id} {entity}: pulling {expected} records"),
            None => format!("{connection_id} {entity}: pulling changes"),
        },
        // Lifecycle actions report their own outcome; a sync does not cause these.
        DeskEvent::ConnectionChanged { .. }
        | DeskEvent::CreditsChanged { .. }
        | DeskEvent::ProfileSwitched { .. }
        | DeskEvent::WebhookStored { .. }
        | DeskEvent::WebhookProcessed { .. }
        | DeskEvent::WebhooksMissed { .. } => return,
    };
    let mut stderr = std::io::stderr().lock();
    if let Err(err) = writeln!(stderr, "{line}") {
        tracing::debug!(error = %err, "cannot write progress");
    }
}
