//! `mdesk`: Makini Desk from a terminal. Every subcommand is a thin adapter over a library crate.

mod commands;
mod logging;
mod output;
mod secret_input;

use clap::{Parser, Subcommand};
use output::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "mdesk",
    version,
    about = "Makini Desk: connections, credits, webhooks and synced data of a Makini account"
)]
struct Cli {
    /// Where Makini Desk keeps its databases and logs (default: the OS app-data folder).
    #[arg(long, global = true, env = "MDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Output format: a table for people, or one JSON document on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// More logging (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Quiet: no progress lines and no log messages but errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Take the vault's master key from this file (mode 0600) instead of the OS keyring.
    #[arg(long, global = true, env = "MDESK_VAULT_KEY_FILE")]
    vault_key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The local engine: an offline imitation of the Makini platform API.
    #[command(subcommand)]
    Engine(commands::engine::EngineCommand),
    /// Browser mode: the app's UI, actions, event stream, webhook inbox and background jobs on
    /// one loopback server; prints the URL to open.
    Serve(commands::serve::ServeArgs),
    /// The webhook receiver alone.
    #[command(subcommand)]
    Inbox(commands::inbox::InboxCommand),
    /// Reauthorization and other alerts: the queue, acknowledge, the customer notice, snooze,
    /// the live check that resolves.
    #[command(subcommand)]
    Alerts(commands::alerts::AlertsCommand),
    /// The webhook inspector: what the inbox received, replays and forwarding.
    #[command(subcommand)]
    Webhooks(commands::webhooks::WebhooksCommand),
    /// Platforms to talk to: the local engine, a self-hosted engine, Makini's cloud.
    #[command(subcommand)]
    Profiles(commands::profiles::ProfilesCommand),
    /// Pull account, customers, connections, credits and records into the local mirror.
    Sync(commands::sync::SyncArgs),
    /// Connections, from the local mirror (works offline).
    #[command(subcommand)]
    Connections(commands::connections::ConnectionsCommand),
    /// Customers: list them (from the local mirror) or add one.
    #[command(subcommand)]
    Customers(commands::customers::CustomersCommand),
    /// Connect a customer's system (the wizard's final step): prints the token once.
    Connect(commands::lifecycle::ConnectArgs),
    /// New credentials for a connection: same id, a new token, the old token dead.
    Reauthorize(commands::lifecycle::ReauthorizeArgs),
    /// Disconnect: the token dies, syncs stop, credits go back to the pool, data is kept.
    Disconnect(commands::lifecycle::DisconnectArgs),
    /// Activate an inactive connection: it takes credits now, or runs in overage.
    Activate(commands::lifecycle::ActivateArgs),
    /// A link the customer's IT admin opens to connect a system; creates a pending connection.
    MagicLink(commands::lifecycle::MagicLinkArgs),
    /// The credit pool, its breakdowns, history and forecast, from the local mirror.
    Credits(commands::credits::CreditsArgs),
    /// Synced records of an entity, from the local mirror, with full-text search.
    Records(commands::records::RecordsArgs),
    /// Write an entity's synced records to a .csv or .json file.
    Export(commands::records::ExportArgs),
    /// Makini's raw tables and passthrough, for support staff (Makini profiles).
    #[command(subcommand)]
    Raw(commands::raw::RawCommand),
    /// A redacted support bundle (.tar.gz): logs, request ids, connection states, versions;
    /// no secret, token or record body.
    SupportBundle(commands::support::SupportBundleArgs),
    /// The same read-only checks against two profiles (--profile A --profile B): every
    /// difference in shape and behaviour; exits 1 when there is one.
    Parity(commands::parity::ParityArgs),
}

impl Command {
    /// The commands that may start a new data folder (the servers, sync, `profiles add`, and
    /// the lifecycle commands, which start the local engine as sync does); every other one
    /// reads and refuses a folder that holds no data (a mistyped --data-dir) instead of
    /// creating it.
    fn starts_a_folder(&self) -> bool {
        matches!(
            self,
            Self::Engine(_)
                | Self::Serve(_)
                | Self::Inbox(_)
                | Self::Sync(_)
                | Self::Profiles(commands::profiles::ProfilesCommand::Add(_))
                | Self::Customers(commands::customers::CustomersCommand::Add(_))
                | Self::Connect(_)
                | Self::Reauthorize(_)
                | Self::Disconnect(_)
                | Self::Activate(_)
                | Self::MagicLink(_)
        )
    }
}

/// Bad usage found after parsing (a flag given twice, say): exits 2 like clap's own errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The context every command runs with.
pub struct Context {
    pub data_dir: PathBuf,
    pub format: Format,
    pub vault_key_file: Option<PathBuf>,
    /// `-q`: no progress lines (a sync's, a watcher's banner); errors still show.
    pub quiet: bool,
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    dirs::data_dir()
        .map(|dir| dir.join("makini-desk"))
        .ok_or_else(|| anyhow::anyhow!("no app-data folder on this system; pass --data-dir"))
}

fn main() -> ExitCode {
    // Usage errors exit 2 (clap's convention), failures 1.
    let cli = Cli::parse();
    let data_dir = match cli
        .data_dir
        .clone()
        .map(Ok)
        .unwrap_or_else(default_data_dir)
    {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let to_file = cli.command.starts_a_folder() || desk_core::Desk::holds_data(&data_dir);
    let _log_guard = match logging::init(&data_dir, cli.verbose, cli.quiet, to_file) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let context = Context {
        data_dir,
        format: cli.format,
        vault_key_file: cli.vault_key_file.clone(),
        quiet: cli.quiet,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Engine(command) => commands::engine::run(&context, command).await,
            Command::Serve(args) => commands::serve::run(&context, args).await,
            Command::Inbox(command) => commands::inbox::run(&context, command).await,
            Command::Webhooks(command) => commands::webhooks::run(&context, command).await,
            Command::Alerts(command) => commands::alerts::run(&context, command).await,
            Command::Profiles(command) => commands::profiles::run(&context, command).await,
            Command::Sync(args) => commands::sync::run(&context, args).await,
            Command::Connections(command) => commands::connections::run(&context, command).await,
            Command::Customers(command) => commands::customers::run(&context, command).await,
            Command::Connect(args) => commands::lifecycle::connect(&context, args).await,
            Command::Reauthorize(args) => commands::lifecycle::reauthorize(&context, args).await,
            Command::Disconnect(args) => commands::lifecycle::disconnect(&context, args).await,
            Command::Activate(args) => commands::lifecycle::activate(&context, args).await,
            Command::MagicLink(args) => commands::lifecycle::magic_link(&context, args).await,
            Command::Credits(args) => commands::credits::run(&context, args).await,
            Command::Records(args) => commands::records::records(&context, args).await,
            Command::Export(args) => commands::records::export(&context, args).await,
            Command::Raw(command) => commands::raw::run(&context, command).await,
            Command::SupportBundle(args) => commands::support::run(&context, args).await,
            Command::Parity(args) => commands::parity::run(&context, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(target: logging::OUTCOME_TARGET, error = %format!("{err:#}"), "command failed");
            eprintln!("error: {err:#}");
            if err.is::<UsageError>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod help_tests {
    use super::Cli;
    use clap::CommandFactory as _;

    /// Every command, option and argument says what it is for: `--help` is the manual.
    #[test]
    fn every_command_option_and_argument_has_help() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", command.get_name());
            if command.get_about().is_none() && path != " mdesk" {
                missing.push(format!("{path}: the command"));
            }
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && !arg.is_hide_set() {
                    missing.push(format!("{path}: {}", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                if sub.get_name() != "help" {
                    walk(sub, &path, missing);
                }
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no help text:\n{}", missing.join("\n"));
    }
}
