//! `mdesk connections list/show`: from the local mirror, with no network.

use super::desk::{failed, or_dash, with_desk};
use crate::output::{print, table};
use crate::Context;
use desk_core::actions::{self, Authorization, AuthorizationKind, Health};
use desk_core::offline::{self, ConnectionsQuery};
use desk_platform::connection::ConnectionStatus;

#[derive(Debug, clap::Subcommand)]
pub enum ConnectionsCommand {
    /// Every mirrored connection, oldest first.
    List(ListArgs),
    /// One connection: its customer, mirrored entities and recent pulls.
    Show {
        /// The connection (conn_...).
        id: String,
    },
    /// Connection tokens the app uses to read a connection's data.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Keep a token you supply (for example one generated in Makini's dashboard) in the vault;
    /// the app then reads the connection's records with it and never issues its own, which on
    /// Makini may replace the token your integration uses.
    Set {
        /// The connection (conn_...).
        id: String,
        /// The profile the connection belongs to (default: the only one, or the shown one).
        #[arg(long)]
        profile: Option<String>,
        /// The connection's access token (a value on the command line is visible to other
        /// users in `ps`: prefer MDESK_CONNECTION_TOKEN).
        #[arg(long, env = "MDESK_CONNECTION_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Whether the vault holds a token for the connection's pulls, and what issuing one does on
    /// its platform (never the token itself).
    Show {
        /// The connection (conn_...).
        id: String,
    },
    /// Issue a token for the app's pulls and keep it in the vault. On our platform it is the
    /// app's own named read-only token; on Makini the documented route may replace the token
    /// your integration uses, so it needs --replace-current.
    Issue {
        /// The connection (conn_...).
        id: String,
        /// On Makini: go on, knowing the connection's current token may stop working.
        #[arg(long)]
        replace_current: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this profile's connections (default: every profile's, with a profile column when
    /// there are several).
    #[arg(long)]
    profile: Option<String>,
    /// Only this customer's connections: its cus_ id or its name.
    #[arg(long)]
    customer: Option<String>,
    /// pending, synchronizing, in_progress, active, inactive, overage or disconnected
    #[arg(long, value_parser = parse_status)]
    status: Option<ConnectionStatus>,
    /// Only connections whose customer must reconnect them.
    #[arg(long)]
    needs_reauthorization: bool,
    /// Only connections whose system does not answer the platform.
    #[arg(long)]
    offline: bool,
    /// Only connections that need someone to act: needing reauthorization or offline.
    #[arg(long)]
    failing: bool,
}

impl ListArgs {
    /// The health filters given, as the core's health words (any of them matches).
    fn health(&self) -> Vec<Health> {
        let mut wanted = Vec::new();
        if self.needs_reauthorization || self.failing {
            wanted.push(Health::NeedsReauthorization);
        }
        if self.offline || self.failing {
            wanted.push(Health::Offline);
        }
        wanted
    }
}

fn parse_status(text: &str) -> Result<ConnectionStatus, String> {
    ConnectionStatus::parse(text).ok_or_else(|| {
        format!("{text:?}: use pending, synchronizing, in_progress, active, inactive, overage or disconnected")
    })
}

pub async fn run(context: &Context, command: ConnectionsCommand) -> anyhow::Result<()> {
    with_desk(context, async |desk| match command {
        ConnectionsCommand::List(args) => {
            let health = args.health();
            let rows = offline::list_connections(
                desk,
                &ConnectionsQuery {
                    profile: args.profile,
                    customer: args.customer,
                    status: args.status,
                    health,
                },
            )
            .await
            .map_err(failed)?;
            let several_profiles = rows
                .iter()
                .any(|row| row.connection.profile != rows[0].connection.profile);
            print(context.format, &rows, || {
                let lines: Vec<Vec<String>> = rows
                    .iter()
                    .map(|row| {
                        let c = &row.connection.connection;
                        let mut line = vec![
                            c.id.clone(),
                            or_dash(row.customer_name.as_deref()),
                            or_dash(c.system_id.as_deref()),
                            or_dash(c.deployment.map(|d| d.as_str())),
                            c.credits.to_string(),
                            c.status.as_str().to_owned(),
                            health_word(c).to_owned(),
                            or_dash(c.last_sync_at.map(|at| at.format("%Y-%m-%d %H:%M"))),
                        ];
                        if several_profiles {
                            line.insert(0, row.connection.profile.clone());
                        }
                        line
                    })
                    .collect();
                let mut headers = vec![
                    "id", "customer", "system", "deployment", "credits", "status", "health",
                    "last sync",
                ];
                if several_profiles {
                    headers.insert(0, "profile");
                }
                table(&headers, &lines)
            })
        }
        ConnectionsCommand::Token(TokenCommand::Set { id, profile, token }) => {
            desk_core::sync::set_connection_token(
                desk,
                profile.as_deref(),
                &id,
                desk_vault::SecretString::new(token),
            )
            .await?;
            print(context.format, &serde_json::json!({"connection_id": id, "token": "stored"}), || {
                format!("the token of {id} is in the vault\n")
            })
        }
        ConnectionsCommand::Token(TokenCommand::Show { id }) => {
            let state =
                actions::connection_token_show(desk, actions::ConnectionTokenShowRequest { id })
                    .await
                    .map_err(failed)?;
            print(context.format, &state, || token_state_text(&state))
        }
        ConnectionsCommand::Token(TokenCommand::Issue {
            id,
            replace_current,
        }) => {
            let state = actions::connection_token_issue(
                desk,
                actions::ConnectionTokenIssueRequest {
                    id,
                    replace_current_confirmed: replace_current,
                },
            )
            .await
            .map_err(failed)?;
            print(context.format, &state, || token_state_text(&state))
        }
        ConnectionsCommand::Show { id } => {
            let view = actions::connection_show(desk, actions::ConnectionShowRequest { id })
                .await
                .map_err(failed)?;
            print(context.format, &view, || {
                let detail = &view.detail;
                let c = &detail.connection.connection;
                let mut text = format!(
                    "{} {}\ncustomer    {}\nsystem      {} ({}, tier {})\nstatus      {} ({})\ncredits     {}\nconnected   {}\nauthorized  {} by {}\nlast sync   {}\nnext sync   {}\n\n",
                    c.id,
                    c.name,
                    detail
                        .customer
                        .as_ref()
                        .map_or_else(|| c.customer_id.clone(), |cu| format!("{} ({})", cu.name, cu.id)),
                    or_dash(c.system_id.as_deref()),
                    or_dash(c.deployment.map(|d| d.as_str())),
                    or_dash(detail.connection.tier),
                    c.status.as_str(),
                    health_word(c),
                    c.credits,
                    or_dash(c.connected_at.map(|at| at.to_rfc3339())),
                    // The latest authorization: its token's issue time, with who gave it.
                    or_dash(c.token_issued_at.or(c.connected_at).map(|at| at.to_rfc3339())),
                    or_dash(c.authorized_by.as_deref()),
                    or_dash(c.last_sync_at.map(|at| at.to_rfc3339())),
                    or_dash(c.next_sync_at.map(|at| at.to_rfc3339())),
                );
                text.push_str(&authorizations(&view.authorizations));
                text.push('\n');
                let entities: Vec<Vec<String>> = detail
                    .entities
                    .iter()
                    .map(|e| {
                        vec![
                            e.entity.clone(),
                            e.cursor.records.to_string(),
                            or_dash(e.cursor.high_water.map(|at| at.to_rfc3339())),
                            if e.unfinished { "unfinished (resumes)" } else { "complete" }.to_owned(),
                        ]
                    })
                    .collect();
                text.push_str(&table(&["entity", "records", "newest change", "walk"], &entities));
                text.push('\n');
                let runs: Vec<Vec<String>> = detail
                    .sync_runs
                    .iter()
                    .map(|r| {
                        vec![
                            r.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                            r.entity.clone(),
                            r.state.as_str().to_owned(),
                            r.records.to_string(),
                            r.error.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                text.push_str(&table(&["pulled at", "entity", "state", "records", "error"], &runs));
                if !detail.events.is_empty() {
                    text.push('\n');
                    let events: Vec<Vec<String>> = detail
                        .events
                        .iter()
                        .map(|e| {
                            vec![
                                e.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                                e.event_type.as_str().to_owned(),
                                e.data.to_string(),
                            ]
                        })
                        .collect();
                    text.push_str(&table(&["at", "event", "data"], &events));
                }
                text
            })
        }
    })
    .await
}

/// Every authorization, newest first: the one in force marked, the earlier ones beneath it.
fn authorizations(authorizations: &[Authorization]) -> String {
    let rows: Vec<Vec<String>> = authorizations
        .iter()
        .map(|a| {
            vec![
                a.at.to_rfc3339(),
                match a.kind {
                    AuthorizationKind::Initial => "connected",
                    AuthorizationKind::Reauthorization => "reauthorized",
                }
                .to_owned(),
                or_dash(a.authorized_by.as_deref()),
                [
                    a.current.then_some("in force"),
                    a.identity_changed.then_some("another account or instance"),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; "),
            ]
        })
        .collect();
    table(&["authorized at", "how", "by", "note"], &rows)
}

/// The core's health of a connection, as the table shows it: a connection that is not live
/// (disconnected, pending, inactive) has no health to show.
fn health_word(connection: &desk_platform::connection::Connection) -> &'static str {
    match Health::of(connection) {
        Health::Healthy => "online",
        Health::NeedsReauthorization => "reauthorization required",
        Health::Offline => "offline",
        Health::Inactive | Health::Pending | Health::Disconnected => "-",
    }
}

fn token_state_text(state: &actions::ConnectionTokenState) -> String {
    let kept = if state.kept {
        "a token is in the vault"
    } else {
        "no token in the vault"
    };
    let issuing = match state.issuing {
        actions::TokenIssuing::OwnReadToken => {
            "the app issues its own read-only token; the connection's token keeps working"
        }
        actions::TokenIssuing::MayReplaceCurrent => {
            "issuing one may replace the connection's current token (Makini)"
        }
    };
    format!(
        "{} ({}): {kept}; {issuing}\n",
        state.connection_id, state.profile
    )
}
