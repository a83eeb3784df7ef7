//! Helping a user: the logs folder (shown, or opened in the OS file manager) and the redacted
//! support bundle (`crate::support`).

use crate::desk::Desk;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

pub use crate::support::SupportBundle;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct SupportBundleRequest {
    /// Where to write the `.tar.gz`; default `<data dir>/support/makini-desk-support-<time>.tar.gz`.
    pub out: Option<String>,
}

pub async fn support_bundle(
    desk: &Desk,
    request: SupportBundleRequest,
) -> Result<SupportBundle, CoreError> {
    crate::support::write_bundle(desk, request.out.map(PathBuf::from)).await
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct LogsFolderRequest {
    /// Open it in the OS file manager (on the machine the app runs on); otherwise only say where.
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogsFolder {
    pub path: String,
    pub opened: bool,
}

pub async fn logs_folder(desk: &Desk, request: LogsFolderRequest) -> Result<LogsFolder, CoreError> {
    let dir = crate::support::logs_dir(desk);
    // Created when missing, so the file manager has something to open before the first log.
    std::fs::create_dir_all(&dir).map_err(|source| CoreError::io(&dir, source))?;
    if request.open {
        open_in_file_manager(&dir)?;
    }
    Ok(LogsFolder {
        path: dir.display().to_string(),
        opened: request.open,
    })
}

/// The OS's own opener; its child is left to run (a file manager outlives the call) and reaped
/// by a thread, so no zombie stays behind.
fn open_in_file_manager(dir: &std::path::Path) -> Result<(), CoreError> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(opener)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|source| CoreError::io(std::path::Path::new(opener), source))?;
    std::thread::spawn(move || match child.wait() {
        Ok(status) if !status.success() => {
            tracing::warn!(opener, %status, "the file manager's opener failed")
        }
        Ok(_) => {}
        Err(err) => {
            tracing::warn!(opener, error = %err, "cannot wait for the file manager's opener")
        }
    });
    Ok(())
}
