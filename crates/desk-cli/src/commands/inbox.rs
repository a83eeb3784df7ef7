//! `mdesk inbox serve`: the webhook receiver alone, writing into the data dir.

use crate::secret_input::{self, WhenMissing};
use crate::Context;
use anyhow::Context as _;
use desk_core::profiles::resolve_profile;
use desk_inbox::{EventApplier, Inbox, InboxConfig};
use desk_platform::webhook_signature::WebhookKey;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, clap::Subcommand)]
pub enum InboxCommand {
    /// Receive webhooks on POST /webhooks until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one (printed at start).
    #[arg(long, default_value = "127.0.0.1:8790")]
    addr: SocketAddr,
    /// The webhook signing secret (whsec_...), as the platform shows it; asked for at a
    /// terminal when not given (a value on the command line is visible to other users in `ps`:
    /// prefer MDESK_INBOX_SECRET or --secret-stdin).
    #[arg(long, env = "MDESK_INBOX_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Read the signing secret from the first line of standard input.
    #[arg(long)]
    secret_stdin: bool,
    /// Header of Makini's plain body-HMAC signatures.
    #[arg(long, default_value = "x-webhook-signature")]
    body_hmac_header: String,
    /// Header naming the connection of a Makini-format webhook (whose payload names none);
    /// else the request's `connection` query parameter is read.
    #[arg(long, default_value = "x-makini-connection")]
    makini_connection_header: String,
    /// Apply processed events to this profile's mirrored connections (default: the only
    /// profile, when there is exactly one).
    #[arg(long)]
    profile: Option<String>,
}

/// The inbox's folder in the data dir (its database is `inbox.db` there).
pub fn inbox_dir(context: &Context) -> anyhow::Result<PathBuf> {
    let dir = context.data_dir.join("inbox");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

pub async fn run(context: &Context, command: InboxCommand) -> anyhow::Result<()> {
    match command {
        InboxCommand::Serve(args) => serve(context, args).await,
    }
}

async fn serve(context: &Context, args: ServeArgs) -> anyhow::Result<()> {
    let secret = secret_input::read(args.secret, args.secret_stdin, "--secret", WhenMissing::Prompt)?
        .context("--secret is required: the webhook signing secret (whsec_...), from --secret, MDESK_INBOX_SECRET or --secret-stdin")?;
    let key = WebhookKey::from_configured_secret(&secret).context("--secret")?;
    let desk = super::desk::open(context).await?;
    // One inbox per data folder: refused before anything is opened when another process
    // serves it (the message names its address and pid).
    if let Err(err) = desk.claim_inbox() {
        desk.close().await;
        return Err(super::desk::failed(err));
    }
    let appliers: Vec<Arc<dyn EventApplier>> =
        match resolve_profile(&desk, args.profile.as_deref()).await {
            Ok(profile) => {
                tracing::info!(profile = %profile.name, "processed events update the mirror");
                desk_core::alerts::applier::appliers(&desk, &profile.name).await?
            }
            Err(err) if args.profile.is_none() => {
                tracing::info!(reason = %err, "processed events update no mirror");
                Vec::new()
            }
            Err(err) => return Err(err.into()),
        };
    let config = InboxConfig {
        body_hmac_header: Some(args.body_hmac_header.to_ascii_lowercase()),
        makini_connection_header: Some(args.makini_connection_header.to_ascii_lowercase()),
        appliers,
        ..InboxConfig::with_secret(key)
    };
    let dir = inbox_dir(context)?;
    let inbox = Inbox::open(&dir, config)
        .await
        .with_context(|| format!("cannot open the inbox in {}", dir.display()))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    desk.announce_inbox(&format!("http://{addr}/webhooks"))
        .map_err(super::desk::failed)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}")?;
    stdout.flush()?;
    drop(stdout);
    tracing::info!(%addr, "inbox serving");
    // Record changes of Makini-format webhooks ask for pulls, run beside the receiver.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        super::shutdown_signal().await;
        if stop.send(true).is_err() {
            tracing::debug!("the webhook pulls had stopped already");
        }
    };
    let pulls = desk_core::jobs::pulls::run(&desk, async move {
        if stopped.wait_for(|stop| *stop).await.is_err() {
            tracing::debug!("the stop signal was dropped");
        }
    });
    let (served, ()) = tokio::join!(inbox.serve(listener, shutdown), pulls);
    desk.close().await;
    Ok(served?)
}
