//! `mdesk serve`: browser mode. The UI, every action, the event stream, the webhook inbox and
//! the background jobs in one server on loopback; a local profile's engine runs in-process.

use crate::Context;
use anyhow::Context as _;
use desk_core::jobs::JobIntervals;
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_engine::seed::Seed;
use desk_inbox::{Inbox, InboxConfig};
use desk_server::{LaunchToken, ServerState};
use desk_store::IntegrityCheck;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one (printed at start). Loopback by default:
    /// anyone who can reach the port and has the printed link can act on the account.
    #[arg(long, default_value = "127.0.0.1:8780")]
    addr: SocketAddr,
    /// The profile to show (default: the active one; on first start, the local engine with
    /// demo data).
    #[arg(long)]
    profile: Option<String>,
    /// Between status polls and event catch-ups (the fallback for missed webhooks).
    #[arg(long, default_value = "5m", value_parser = super::engine::parse_duration)]
    poll_interval: Duration,
    /// Between background syncs of the profile's records.
    #[arg(long, default_value = "15m", value_parser = super::engine::parse_duration)]
    sync_interval: Duration,
    /// What the local engine starts with when this data folder has none yet: `demo` (a dozen
    /// customers) or `scale` (10,000 customers, 50,000 connections, to try the app at size).
    /// Never applied to an existing engine.
    #[arg(long, default_value = "demo")]
    seed: Seed,
}

pub async fn run(context: &Context, args: ServeArgs) -> anyhow::Result<()> {
    let desk = Desk::open(DeskConfig {
        data_dir: context.data_dir.clone(),
        vault: VaultAccess::from_env(context.vault_key_file.clone()),
        integrity: IntegrityCheck::Quick,
        local_seed: args.seed,
    })
    .await
    .with_context(|| format!("cannot open the data folder {}", context.data_dir.display()))?;
    let desk = Arc::new(desk);
    let served = serve(&desk, args).await;
    match Arc::try_unwrap(desk) {
        Ok(desk) => desk.close().await,
        Err(_) => tracing::warn!("the data folder was still in use at shutdown"),
    }
    served
}

async fn serve(desk: &Arc<Desk>, args: ServeArgs) -> anyhow::Result<()> {
    // First start: the local engine's profile with demo data.
    let profile =
        desk_core::profiles::resolve_or_create_profile(desk, args.profile.as_deref()).await?;
    if args.profile.is_some() {
        desk_core::actions::profile_switch(
            desk,
            desk_core::actions::ProfileSwitchRequest {
                name: profile.name.clone(),
            },
        )
        .await?;
    }
    let appliers = desk_core::alerts::applier::appliers(desk, &profile.name).await?;
    // One inbox per data folder: refused before it is opened when another process serves it.
    desk.claim_inbox().map_err(super::desk::failed)?;
    let inbox_dir = desk.inbox_dir();
    std::fs::create_dir_all(&inbox_dir)
        .with_context(|| format!("cannot create {}", inbox_dir.display()))?;
    let inbox = Inbox::open(
        &inbox_dir,
        InboxConfig {
            appliers,
            ..InboxConfig::with_secret(desk.inbox_key().await?)
        },
    )
    .await
    .with_context(|| format!("cannot open the inbox in {}", inbox_dir.display()))?;
    desk.attach_inbox(inbox.clone())?;

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    desk.announce_inbox(&format!("http://{addr}/webhooks"))
        .map_err(super::desk::failed)?;
    let token = LaunchToken::random();
    let state = Arc::new(ServerState::new(Arc::clone(desk), token.clone(), addr));

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let wait_stop = move || {
        let mut stopped = stopped.clone();
        async move {
            if stopped.wait_for(|s| *s).await.is_err() {
                tracing::debug!("the stop signal was dropped");
            }
        }
    };
    let server = tokio::spawn(desk_server::serve(
        listener,
        state,
        Some(inbox.router()),
        wait_stop(),
    ));
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{addr}")?;
        writeln!(stdout, "open http://{addr}/?token={}", token.as_str())?;
        stdout.flush()?;
    }
    tracing::info!(%addr, profile = %profile.name, "browser mode serving");
    let jobs = desk_core::jobs::run(
        desk,
        JobIntervals {
            sync: args.sync_interval,
            poll: args.poll_interval,
        },
        wait_stop(),
    );
    let signal = async {
        super::shutdown_signal().await;
        if stop.send(true).is_err() {
            tracing::debug!("everything had stopped already");
        }
    };
    tokio::join!(jobs, signal);
    let served = server.await.context("the server task failed")?;
    inbox.close().await;
    Ok(served?)
}
