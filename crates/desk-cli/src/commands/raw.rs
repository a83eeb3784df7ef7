//! `mdesk raw tables|data|passthrough`: Makini's raw data for support staff, printed as JSON.

use super::desk::with_desk;
use crate::output::print;
use crate::Context;
use desk_core::raw::{raw, RawCall};

#[derive(Debug, clap::Subcommand)]
pub enum RawCommand {
    /// The source system's raw tables (`GET /api/raw/tables`).
    Tables(Target),
    /// One raw table's rows, a page at a time.
    Data {
        /// The raw table's name, as `raw tables` lists it.
        table: String,
        /// Which page of rows, from 1.
        #[arg(long, default_value_t = 1)]
        page: u64,
        #[command(flatten)]
        target: Target,
    },
    /// A request passed through to the source system (`POST /api/passthrough`).
    Passthrough {
        /// The passthrough body as JSON: `{"path": "...", "method": "GET", ...}`.
        #[arg(long)]
        body: String,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(Debug, clap::Args)]
pub struct Target {
    /// The connection whose source system to ask (conn_...).
    #[arg(long)]
    connection: String,
    /// The profile the connection belongs to (default: the only one, or the shown one).
    #[arg(long)]
    profile: Option<String>,
}

pub async fn run(context: &Context, command: RawCommand) -> anyhow::Result<()> {
    let (target, call) = match command {
        RawCommand::Tables(target) => (target, RawCall::Tables),
        RawCommand::Data {
            table,
            page,
            target,
        } => (target, RawCall::Data { table, page }),
        RawCommand::Passthrough { body, target } => {
            let body = serde_json::from_str(&body)
                .map_err(|err| crate::UsageError(format!("--body is not JSON: {err}")))?;
            (target, RawCall::Passthrough { body })
        }
    };
    with_desk(context, async |desk| {
        let answer = raw(desk, target.profile.as_deref(), &target.connection, call).await?;
        // Raw answers have no table form: JSON either way.
        print(crate::output::Format::Json, &answer, String::new)
    })
    .await
}
