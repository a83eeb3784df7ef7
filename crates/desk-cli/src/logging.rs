//! Logs go to stderr (so stdout stays clean for JSON) and to a daily rotating file in the data dir.

use std::io::IsTerminal as _;
use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::{Layer as _, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// The target of the log event that records how a command ended.
pub const OUTCOME_TARGET: &str = "mdesk_outcome";

/// Console logging, and the log file in `data_dir` when `to_file` (a folder a command does not
/// start or that holds no data gets no `logs/`: a mistyped --data-dir creates nothing).
pub fn init(
    data_dir: &Path,
    verbose: u8,
    quiet: bool,
    to_file: bool,
) -> anyhow::Result<Option<WorkerGuard>> {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    // A failed command's error is printed once, as one line, by main; its log event (target
    // OUTCOME_TARGET) goes to the file only.
    let console_filter = EnvFilter::try_from_env("MDESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},{OUTCOME_TARGET}=off")));
    // Colour only for a person at a terminal (and not when NO_COLOR asks for none): escape
    // codes in a redirected stderr or a CI log are noise.
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let console = fmt::layer()
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .with_filter(console_filter);
    if !to_file {
        tracing_subscriber::registry()
            .with(console)
            .try_init()
            .map_err(|err| anyhow::anyhow!("cannot set up logging: {err}"))?;
        return Ok(None);
    }
    let log_dir = data_dir.join("logs");
    std::fs::create_dir_all(&log_dir).map_err(|err| {
        anyhow::anyhow!("cannot create the log folder {}: {err}", log_dir.display())
    })?;
    let (file_writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::daily(&log_dir, "mdesk.log"));
    tracing_subscriber::registry()
        .with(console)
        .with(
            fmt::layer()
                .with_ansi(false)
                .with_writer(file_writer)
                .with_filter(EnvFilter::new("info")),
        )
        .try_init()
        .map_err(|err| anyhow::anyhow!("cannot set up logging: {err}"))?;
    Ok(Some(guard))
}
