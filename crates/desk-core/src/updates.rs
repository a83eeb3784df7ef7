//! What the window's "Check for updates" answers. The check itself is the desktop shell's
//! (tauri-plugin-updater needs the app's handle, and a browser tab has nothing to update): the
//! types live here so the UI's TypeScript is generated from them like every other answer.

use serde::Serialize;
use ts_rs::TS;

/// The answer of a check against the update channel.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UpdateCheck {
    /// The running app's version.
    pub current_version: String,
    /// The channel asked (settings' `update_endpoint`, else the one built in).
    pub endpoint: String,
    /// A newer release the channel offers, signed (checked at download).
    pub available: Option<AvailableUpdate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AvailableUpdate {
    pub version: String,
    /// The release notes, as the channel wrote them (plain text or Markdown).
    pub notes: Option<String>,
    /// RFC 3339.
    pub published_at: Option<String>,
    pub download_url: String,
}

/// A release downloaded and its signature verified against the app's public key; installed
/// when asked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct UpdateDownloaded {
    pub version: String,
    pub bytes: u64,
    pub installed: bool,
    /// What the user does next ("restart the app" after an install).
    pub next: String,
}
