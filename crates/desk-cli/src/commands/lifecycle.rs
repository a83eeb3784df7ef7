//! `mdesk connect`, `reauthorize`, `disconnect`, `activate` and `magic-link`: changes to
//! connections on the platform, each one desk-core action (which also updates the mirror, the
//! pool and the vault's copy of the token).

use super::desk::{failed, or_dash, with_new_desk};
use crate::output::print;
use crate::{Context, UsageError};
use desk_core::actions::{
    self, ConnectionActivateRequest, ConnectionCreateRequest, ConnectionDisconnectRequest,
    ConnectionReauthorizeRequest, Health, MagicLinkCreateRequest,
};
use desk_platform::account::CreditBalance;
use desk_platform::catalog::Deployment;
use desk_platform::connection::{Connection, ConnectionStatus, SyncSettings};
use std::collections::BTreeMap;
use std::fmt;

/// One `--credential KEY=VALUE`. The value is never printed: its `Debug` is redacted.
#[derive(Clone)]
pub struct Credential {
    key: String,
    value: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=<redacted>", self.key)
    }
}

/// `KEY=VALUE`; the value may be empty or contain '=' (only the first one splits).
fn parse_credential(text: &str) -> Result<Credential, String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err("expected KEY=VALUE, e.g. --credential password=...".to_owned());
    };
    let key = key.trim();
    if key.is_empty() {
        return Err("the KEY of KEY=VALUE is empty".to_owned());
    }
    Ok(Credential {
        key: key.to_owned(),
        value: value.to_owned(),
    })
}

/// The form the action takes; a field given twice is a usage error, not a silent overwrite.
fn credentials(list: Vec<Credential>) -> Result<BTreeMap<String, String>, UsageError> {
    let mut form = BTreeMap::new();
    for Credential { key, value } in list {
        if form.contains_key(&key) {
            return Err(UsageError(format!("--credential {key}=... is given twice")));
        }
        form.insert(key, value);
    }
    Ok(form)
}

fn parse_deployment(text: &str) -> Result<Deployment, String> {
    Deployment::parse(text).ok_or_else(|| format!("{text:?}: use cloud or on_premises"))
}

#[derive(Debug, clap::Args)]
pub struct ConnectArgs {
    /// The customer's id (cus_...): `mdesk customers list` shows them.
    #[arg(long)]
    customer: String,
    /// The system's catalog id, e.g. upkeep or sap-s4hana.
    #[arg(long)]
    system: String,
    /// cloud or on_premises (on-premises costs twice the credits).
    #[arg(long, value_parser = parse_deployment)]
    deployment: Deployment,
    /// The connection's name, e.g. "Plant maintenance".
    #[arg(long)]
    name: String,
    /// Who to contact about this connection.
    #[arg(long)]
    email: Option<String>,
    /// One field of the system's auth form; repeat for each. Values are never logged.
    #[arg(long = "credential", value_name = "KEY=VALUE", value_parser = parse_credential)]
    credentials: Vec<Credential>,
    /// Entities to sync, comma-separated (default: all the system offers).
    #[arg(long, value_delimiter = ',', value_name = "ENTITY,...")]
    entities: Option<Vec<String>>,
    /// Minutes between syncs (default 60).
    #[arg(long)]
    interval_minutes: Option<u32>,
    /// Days of history the first sync pulls (default 30).
    #[arg(long)]
    history_days: Option<u32>,
}

#[derive(Debug, clap::Args)]
pub struct ReauthorizeArgs {
    /// The connection's id (conn_...).
    id: String,
    /// One field of the system's auth form; repeat for each. Values are never logged.
    #[arg(long = "credential", value_name = "KEY=VALUE", value_parser = parse_credential)]
    credentials: Vec<Credential>,
    /// Who authorized (a name or email; the platform records the admin client otherwise).
    #[arg(long)]
    authorized_by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DisconnectArgs {
    /// The connection's id (conn_...).
    id: String,
    /// Also delete what the platform synced from the system (the local mirror keeps its copy).
    #[arg(long)]
    delete_data: bool,
}

#[derive(Debug, clap::Args)]
pub struct ActivateArgs {
    /// The inactive connection's id (conn_...).
    id: String,
    /// Go beyond the pool when it is short (paid plans).
    #[arg(long)]
    overage: bool,
}

#[derive(Debug, clap::Args)]
pub struct MagicLinkArgs {
    /// The customer's id (cus_...).
    #[arg(long)]
    customer: String,
    /// The system to connect; the customer's IT admin chooses when absent.
    #[arg(long)]
    system: Option<String>,
    /// The name the connection gets.
    #[arg(long)]
    name: String,
    /// How many days the link works (default 7, at most 30).
    #[arg(long)]
    expires_in_days: Option<u32>,
}

/// The pool, in one line.
fn pool(c: &CreditBalance) -> String {
    format!(
        "{} purchased, {} in use, {} available, {} in overage",
        c.purchased, c.in_use, c.available, c.overage_in_use
    )
}

fn plural(n: i64, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// `active`, or `active (offline)` when its health says more than its status.
fn status(c: &Connection, health: Health) -> String {
    let status = c.status.as_str();
    let health = health.as_str();
    if health == status || health == "healthy" {
        status.to_owned()
    } else {
        format!("{status} ({health})")
    }
}

fn describe(c: &Connection) -> String {
    format!(
        "{} \"{}\" ({}, {})",
        c.id,
        c.name,
        or_dash(c.system_id.as_deref()),
        or_dash(c.deployment.map(Deployment::as_str))
    )
}

pub async fn connect(context: &Context, args: ConnectArgs) -> anyhow::Result<()> {
    let credentials = credentials(args.credentials)?;
    let sync =
        (args.entities.is_some() || args.interval_minutes.is_some() || args.history_days.is_some())
            .then(|| {
                let default = SyncSettings::default();
                SyncSettings {
                    entities: args.entities.unwrap_or(default.entities),
                    interval_minutes: args.interval_minutes.unwrap_or(default.interval_minutes),
                    history_days: args.history_days.unwrap_or(default.history_days),
                }
            });
    let request = ConnectionCreateRequest {
        customer_id: args.customer,
        system_id: args.system,
        deployment: args.deployment,
        name: args.name,
        email: args.email,
        credentials,
        sync,
        webhook: None,
    };
    with_new_desk(context, async |desk| {
        let created = actions::connection_create(desk, request)
            .await
            .map_err(failed)?;
        print(context.format, &created, || {
            let c = &created.connection;
            let consumed = if c.status == ConnectionStatus::Inactive {
                format!(
                    "none taken: the pool lacks the {} it costs; `mdesk activate {} [--overage]` takes them later",
                    plural(c.credits, "credit"),
                    c.id
                )
            } else {
                format!("{} taken", plural(c.credits, "credit"))
            };
            let mut text = format!(
                "connected {} for {}\nstatus          {}\ncredits         {consumed}\npool after      {}\ntoken           {}\n",
                describe(c),
                c.customer_id,
                status(c, created.health),
                pool(&created.credits),
                created.token,
            );
            if let Some(secret) = &created.webhook_secret {
                text.push_str(&format!("webhook secret  {secret}\n"));
            }
            text.push_str(
                "warning: the token is shown this once and cannot be displayed again; store it now (the app keeps its own copy in the vault)\n",
            );
            text
        })
    })
    .await
}

pub async fn reauthorize(context: &Context, args: ReauthorizeArgs) -> anyhow::Result<()> {
    let request = ConnectionReauthorizeRequest {
        id: args.id,
        credentials: credentials(args.credentials)?,
        authorized_by: args.authorized_by,
        // The command line reauthorizes as asked and warns after the fact (below); the
        // window stops first and asks.
        confirm_identity_change: true,
    };
    with_new_desk(context, async |desk| {
        let answer = actions::connection_reauthorize(desk, request)
            .await
            .map_err(failed)?;
        let c = &answer.connection;
        if answer.identity_changed {
            eprintln!(
                "warning: {} was reauthorized with credentials for another account or instance than before; check that the data it syncs from now on belongs to customer {}",
                c.id, c.customer_id
            );
        }
        print(context.format, &answer, || {
            format!(
                "reauthorized {}\nstatus          {}\nauthorized by   {}\ntoken           {}\nwarning: the token is shown this once and cannot be displayed again; the previous token no longer works\n",
                describe(c),
                status(c, answer.health),
                or_dash(c.authorized_by.as_deref()),
                answer.token,
            )
        })
    })
    .await
}

pub async fn disconnect(context: &Context, args: DisconnectArgs) -> anyhow::Result<()> {
    let request = ConnectionDisconnectRequest {
        id: args.id,
        delete_data: args.delete_data,
    };
    with_new_desk(context, async |desk| {
        let outcome = actions::connection_disconnect(desk, request)
            .await
            .map_err(failed)?;
        print(context.format, &outcome, || {
            let c = &outcome.connection;
            let data = if outcome.data_deleted {
                "its synced data was deleted on the platform (the local mirror keeps its copy)"
                    .to_owned()
            } else {
                format!(
                    "its synced data is kept (`mdesk disconnect {} --delete-data` deletes it)",
                    c.id
                )
            };
            format!(
                "disconnected {}: its token no longer works and its syncs are stopped\ncredits         {} returned\npool after      {}\ndata            {data}\n",
                describe(c),
                plural(outcome.credits_returned, "credit"),
                pool(&outcome.credits),
            )
        })
    })
    .await
}

pub async fn activate(context: &Context, args: ActivateArgs) -> anyhow::Result<()> {
    let request = ConnectionActivateRequest {
        id: args.id,
        overage: args.overage,
    };
    with_new_desk(context, async |desk| {
        let outcome = actions::connection_activate(desk, request)
            .await
            .map_err(failed)?;
        print(context.format, &outcome, || {
            let c = &outcome.connection;
            let credits = if c.status == ConnectionStatus::Overage {
                format!(
                    "{} in overage, beyond the pool",
                    plural(c.credits, "credit")
                )
            } else {
                format!(
                    "{} taken from the pool",
                    plural(-outcome.credits_returned, "credit")
                )
            };
            format!(
                "activated {}\nstatus          {}\ncredits         {credits}\npool after      {}\n",
                describe(c),
                status(c, outcome.health),
                pool(&outcome.credits),
            )
        })
    })
    .await
}

pub async fn magic_link(context: &Context, args: MagicLinkArgs) -> anyhow::Result<()> {
    let request = MagicLinkCreateRequest {
        customer_id: args.customer,
        system_id: args.system,
        name: args.name,
        expires_in_days: args.expires_in_days,
    };
    with_new_desk(context, async |desk| {
        let link = actions::magic_link_create(desk, request)
            .await
            .map_err(failed)?;
        print(context.format, &link, || {
            format!(
                "magic link {}\nurl             {}\nexpires         {}\nconnection      {} (pending until the customer's IT admin completes the link)\n",
                link.id,
                link.url,
                link.expires_at.to_rfc3339(),
                link.connection_id,
            )
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_splits_at_its_first_equals_sign() {
        let parsed = parse_credential("api_key=a=b").unwrap();
        assert_eq!(
            (parsed.key.as_str(), parsed.value.as_str()),
            ("api_key", "a=b")
        );
        assert_eq!(parse_credential("password=").unwrap().value, "");
    }

    #[test]
    fn a_credential_without_an_equals_sign_or_a_key_is_refused() {
        assert!(parse_credential("foo").is_err());
        assert!(parse_credential("=value").is_err());
    }

    #[test]
    fn a_credentials_value_never_shows_in_its_debug_form() {
        let parsed = parse_credential("password=hunter2").unwrap();
        assert_eq!(format!("{parsed:?}"), "password=<redacted>");
    }

    #[test]
    fn a_credential_given_twice_is_a_usage_error() {
        let twice = vec![
            parse_credential("a=1").unwrap(),
            parse_credential("a=2").unwrap(),
        ];
        assert!(credentials(twice).is_err());
    }
}
