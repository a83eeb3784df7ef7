//! `mdesk engine serve`: the local engine alone.

use crate::secret_input::{self, WhenMissing};
use crate::Context;
use anyhow::Context as _;
use desk_engine::seed::Seed;
use desk_engine::{Engine, EngineConfig};
use std::io::Write as _;
use std::net::SocketAddr;

#[derive(Debug, clap::Subcommand)]
pub enum EngineCommand {
    /// Serve the platform API until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one (printed at start).
    #[arg(long, default_value = "127.0.0.1:8780")]
    addr: SocketAddr,
    /// Fill an empty store with this data set (never re-applied to a non-empty store).
    #[arg(long)]
    seed: Option<Seed>,
    /// Admin client id for /oauth/token.
    #[arg(long, env = "MDESK_ENGINE_CLIENT_ID", default_value = "mdesk-local")]
    client_id: String,
    /// Admin client secret; when left out, one is generated on first start and printed once
    /// (a value on the command line is visible to other users in `ps`: prefer
    /// MDESK_ENGINE_CLIENT_SECRET or --client-secret-stdin).
    #[arg(long, env = "MDESK_ENGINE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Read the admin client secret from the first line of standard input.
    #[arg(long)]
    client_secret_stdin: bool,
    /// First retry delay of failed webhook deliveries (e.g. 30s, 500ms, 2m); it doubles per attempt.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    webhook_retry_base: std::time::Duration,
}

pub async fn run(context: &Context, command: EngineCommand) -> anyhow::Result<()> {
    match command {
        EngineCommand::Serve(args) => serve(context, args).await,
    }
}

async fn serve(context: &Context, args: ServeArgs) -> anyhow::Result<()> {
    let dir = context.data_dir.join("engine");
    // One engine per data folder: refused here, before the store is opened, when another
    // process serves it (the message names its address and pid).
    let mut lock = desk_core::serving::ServingLock::claim(&dir, desk_core::serving::Role::Engine)
        .map_err(super::desk::failed)?;
    let db_path = dir.join("engine.db");
    let config = EngineConfig {
        admin_client_id: args.client_id,
        admin_client_secret: secret_input::read(
            args.client_secret,
            args.client_secret_stdin,
            "--client-secret",
            WhenMissing::Nothing,
        )?,
        seed: args.seed,
        webhook_retry_base: args.webhook_retry_base,
        ..EngineConfig::default()
    };
    let (engine, info) = Engine::open(&db_path, config)
        .await
        .with_context(|| format!("cannot open the engine store {}", db_path.display()))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    // Announced before it says it listens, so whoever reads that line can attach at once.
    lock.announce(&format!("http://{addr}"))
        .map_err(super::desk::failed)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}")?;
    match &info.generated_client_secret {
        Some(secret) => writeln!(
            stdout,
            "admin credentials: client_id={} client_secret={secret} (shown once; pass --client-secret to choose one)",
            info.admin_client_id
        )?,
        None => writeln!(stdout, "admin credentials: client_id={} (secret as configured)", info.admin_client_id)?,
    }
    stdout.flush()?;
    drop(stdout);
    tracing::info!(%addr, seeded = info.created && args.seed.is_some(), "engine serving");
    // Other commands on this data folder (`mdesk sync` with the local profile) attach to this
    // engine instead of opening a second one on the same store.
    let served = desk_engine::serve(listener, engine, super::shutdown_signal()).await;
    // Withdraws serving.json and releases the folder once the store is closed.
    drop(lock);
    served?;
    Ok(())
}

/// `500ms`, `30s`, `2m`, `1h`: the spellings people type for short durations.
pub(crate) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 30s or 500ms"))?;
    let millis = match unit {
        "ms" => number,
        "s" | "" => number * 1000,
        "m" => number * 60_000,
        "h" => number * 3_600_000,
        other => return Err(format!("unknown unit {other:?}: use ms, s, m or h")),
    };
    if millis == 0 {
        return Err("the retry base must be above zero".to_owned());
    }
    Ok(std::time::Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_parse_in_the_units_people_type() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3 weeks").is_err());
    }
}
