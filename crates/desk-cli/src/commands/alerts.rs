//! `mdesk alerts`: the alert queue from a terminal. Works while `mdesk serve` or the window
//! runs on the same folder: alerts.db is shared (SQLite, WAL), and the calls that need the
//! platform reach the serving process's engine through its announcement.

use super::desk::{failed, or_dash, with_desk};
use crate::output::{print, table};
use crate::Context;
use desk_alerts::{AlertKind, AlertState};
use desk_core::actions::{
    self, AlertAcknowledgeRequest, AlertNoticeRequest, AlertResolveCheckRequest, AlertShowRequest,
    AlertSnoozeRequest, AlertView, AlertsListRequest, MaintenanceWindowAddRequest,
    MaintenanceWindowRemoveRequest,
};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum AlertsCommand {
    /// The queue, oldest first: unresolved alerts (every alert with --all).
    List(ListArgs),
    /// One alert: its sources with their times, its history, the connection's authorizations.
    Show {
        /// The alert, as `alerts list` shows it.
        id: String,
    },
    /// Acknowledge one or several alerts.
    Ack {
        /// The alerts, as `alerts list` shows them.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Who acknowledges (default: your user name).
        #[arg(long)]
        by: Option<String>,
    },
    /// The customer-facing reconnect instructions (text, then a mailto: link).
    Notice {
        /// The alert, as `alerts list` shows it.
        id: String,
        /// Preview another template (a file with {placeholders}).
        #[arg(long)]
        template_file: Option<PathBuf>,
        /// Leave the magic link out (none is made).
        #[arg(long)]
        no_magic_link: bool,
        /// The notice was sent (how, e.g. `email`): the alert becomes customer_notified.
        #[arg(long)]
        sent: Option<String>,
    },
    /// Hold an alert's notifications back until a time (`2h`, `1d`, a date or RFC 3339 time).
    Snooze {
        /// The alert, as `alerts list` shows it.
        id: String,
        /// Until when: `2h`, `1d`, a date or an RFC 3339 time.
        #[arg(long)]
        until: String,
    },
    /// Check the connection live now: passing, the alert resolves; failing, it says why.
    ResolveCheck {
        /// The alert, as `alerts list` shows it.
        id: String,
    },
    /// Maintenance windows: alerts inside them are recorded, not notified.
    #[command(subcommand)]
    Maintenance(MaintenanceCommand),
}

#[derive(Debug, clap::Subcommand)]
pub enum MaintenanceCommand {
    /// The maintenance windows, as settings keep them.
    List,
    /// A window in which alerts are recorded but not notified.
    Add {
        /// When it starts: a date, an RFC 3339 time, or a relative time (`2h`).
        #[arg(long)]
        from: String,
        /// When it ends, written the same ways.
        #[arg(long)]
        until: String,
        /// Why (shown beside the window).
        #[arg(long)]
        note: Option<String>,
    },
    /// Remove a window.
    Remove {
        /// The window, as `alerts maintenance list` shows it.
        id: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Resolved alerts too.
    #[arg(long)]
    all: bool,
    /// open, acknowledged, customer_notified or resolved (repeat for several).
    #[arg(long, value_parser = parse_state)]
    state: Vec<AlertState>,
    /// reauthorization_required, offline, sync_failing, system_error or credits_low.
    #[arg(long, value_parser = parse_kind)]
    kind: Vec<AlertKind>,
    /// Only this customer's alerts (its cus_ id).
    #[arg(long)]
    customer: Option<String>,
    /// Only this connection's alerts.
    #[arg(long)]
    connection: Option<String>,
    /// Only alerts open at least this many hours.
    #[arg(long)]
    min_age_hours: Option<u32>,
    /// Newest first instead of oldest first.
    #[arg(long)]
    newest_first: bool,
}

fn parse_state(text: &str) -> Result<AlertState, String> {
    AlertState::parse(text)
        .ok_or_else(|| format!("{text:?}: use open, acknowledged, customer_notified or resolved"))
}

fn parse_kind(text: &str) -> Result<AlertKind, String> {
    AlertKind::parse(text).ok_or_else(|| {
        format!("{text:?}: use reauthorization_required, offline, sync_failing, system_error or credits_low")
    })
}

fn age(seconds: i64) -> String {
    match seconds {
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3_600),
        s => format!("{}d", s / 86_400),
    }
}

fn rows(alerts: &[AlertView]) -> String {
    let rows: Vec<Vec<String>> = alerts
        .iter()
        .map(|v| {
            let a = &v.alert;
            vec![
                a.id.clone(),
                a.kind.as_str().to_owned(),
                a.state.as_str().to_owned()
                    + if v.snoozed { " (snoozed)" } else { "" }
                    + if v.escalated { " !" } else { "" },
                or_dash(v.connection_name.clone().or(a.connection_id.clone())),
                or_dash(v.customer_name.clone().or(a.customer_id.clone())),
                age(v.age_seconds),
                a.sources
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "KIND",
            "STATE",
            "CONNECTION",
            "CUSTOMER",
            "AGE",
            "SOURCES",
        ],
        &rows,
    )
}

pub async fn run(context: &Context, command: AlertsCommand) -> anyhow::Result<()> {
    let format = context.format;
    with_desk(context, async |desk| match command {
        AlertsCommand::List(args) => {
            let page = actions::alerts_list(
                desk,
                AlertsListRequest {
                    states: args.state,
                    all: args.all,
                    kinds: args.kind,
                    customer_id: args.customer,
                    connection_id: args.connection,
                    min_age_hours: args.min_age_hours,
                    newest_first: args.newest_first,
                    limit: None,
                },
            )
            .await
            .map_err(failed)?;
            print(format, &page.alerts, || {
                if page.alerts.is_empty() {
                    "no alerts\n".to_owned()
                } else {
                    rows(&page.alerts)
                }
            })
        }
        AlertsCommand::Show { id } => {
            let shown = actions::alert_show(desk, AlertShowRequest { id })
                .await
                .map_err(failed)?;
            print(format, &shown, || {
                let a = &shown.view.alert;
                let mut text = rows(std::slice::from_ref(&shown.view));
                text.push_str(&format!("\n{}\n", or_dash(a.detail.clone())));
                if let Some(message) = &a.last_check_message {
                    text.push_str(&format!("last check: {message}\n"));
                }
                text.push_str("\nsources:\n");
                for r in &shown.reports {
                    text.push_str(&format!(
                        "  {:<10} first {}  last {}  ({}x)\n",
                        r.source.as_str(),
                        r.first_at.to_rfc3339(),
                        r.last_at.to_rfc3339(),
                        r.count
                    ));
                }
                text.push_str("\nhistory:\n");
                for c in &shown.history {
                    text.push_str(&format!(
                        "  {}  {}{}{}\n",
                        c.at.to_rfc3339(),
                        c.change,
                        c.by.as_ref()
                            .map(|b| format!(" by {b}"))
                            .unwrap_or_default(),
                        c.note
                            .as_ref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default()
                    ));
                }
                text
            })
        }
        AlertsCommand::Ack { ids, by } => {
            let changed = actions::alert_acknowledge(desk, AlertAcknowledgeRequest { ids, by })
                .await
                .map_err(failed)?;
            print(format, &changed.alerts, || rows(&changed.alerts))
        }
        AlertsCommand::Notice {
            id,
            template_file,
            no_magic_link,
            sent,
        } => {
            let template = match template_file {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|err| {
                    anyhow::anyhow!("cannot read the template {}: {err}", path.display())
                })?),
                None => None,
            };
            let notice = actions::alert_notice(
                desk,
                AlertNoticeRequest {
                    id,
                    template,
                    magic_link: !no_magic_link,
                    sent_via: sent,
                },
            )
            .await
            .map_err(failed)?;
            if let Some(missing) = &notice.magic_link_missing {
                eprintln!("note: {missing}");
            }
            print(format, &notice, || {
                format!(
                    "To: {}\nSubject: {}\n\n{}\n\n{}\n",
                    or_dash(notice.to.clone()),
                    notice.subject,
                    notice.text,
                    notice.mailto
                )
            })
        }
        AlertsCommand::Snooze { id, until } => {
            let view = actions::alert_snooze(
                desk,
                AlertSnoozeRequest {
                    id,
                    until: Some(until),
                },
            )
            .await
            .map_err(failed)?;
            print(format, &view, || rows(std::slice::from_ref(&view)))
        }
        AlertsCommand::ResolveCheck { id } => {
            let view = actions::alert_resolve_check(desk, AlertResolveCheckRequest { id })
                .await
                .map_err(failed)?;
            print(format, &view, || {
                let a = &view.alert;
                let mut text = rows(std::slice::from_ref(&view));
                text.push_str(&format!("\n{}\n", or_dash(a.last_check_message.clone())));
                text
            })
        }
        AlertsCommand::Maintenance(command) => {
            let settings = match command {
                MaintenanceCommand::List => desk.settings().await.map_err(failed)?,
                MaintenanceCommand::Add { from, until, note } => actions::maintenance_window_add(
                    desk,
                    MaintenanceWindowAddRequest {
                        starts_at: from,
                        ends_at: until,
                        note,
                    },
                )
                .await
                .map_err(failed)?,
                MaintenanceCommand::Remove { id } => {
                    actions::maintenance_window_remove(desk, MaintenanceWindowRemoveRequest { id })
                        .await
                        .map_err(failed)?
                }
            };
            let windows = &settings.maintenance_windows;
            print(format, windows, || {
                let rows: Vec<Vec<String>> = windows
                    .iter()
                    .map(|w| {
                        vec![
                            w.id.clone(),
                            w.starts_at.to_rfc3339(),
                            w.ends_at.to_rfc3339(),
                            w.note.clone(),
                        ]
                    })
                    .collect();
                table(&["ID", "FROM", "UNTIL", "NOTE"], &rows)
            })
        }
    })
    .await
}
