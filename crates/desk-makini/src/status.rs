//! `sync_status` of `integrations/current`, read leniently: Makini documents `inprogress`,
//! `done`, `fulldone`, `error` and `fail` (invalid platform credentials: the documented
//! reauthorization signal), and says the spellings have changed over time.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    InProgress,
    Done,
    FullDone,
    Error,
    /// The platform's credentials were refused: the customer must reauthorize.
    Fail,
    /// A spelling not known here, kept as it came so it can be shown.
    Other(String),
}

/// Lowercase letters and digits only: `in_progress`, `In Progress` and `inprogress` meet.
pub fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl SyncState {
    pub fn parse(text: &str) -> Self {
        match squash(text).as_str() {
            "inprogress" | "running" | "syncing" | "synchronizing" | "pending" | "started" => {
                Self::InProgress
            }
            "done" | "completed" | "complete" | "success" | "succeeded" | "synced" => Self::Done,
            "fulldone" | "fullsync" | "fullsyncdone" | "fullcompleted" => Self::FullDone,
            "error" | "errored" => Self::Error,
            "fail" | "failed" | "failure" | "invalidcredentials" | "reauthorizationrequired" => {
                Self::Fail
            }
            _ => Self::Other(text.to_owned()),
        }
    }

    /// Our platform's words for a sync's state (`SyncStatus::state`); an unknown spelling
    /// passes through as it came.
    pub fn as_state(&self) -> &str {
        match self {
            Self::InProgress => "in_progress",
            Self::Done | Self::FullDone => "completed",
            Self::Error | Self::Fail => "failed",
            Self::Other(raw) => raw,
        }
    }

    pub fn reauthorization_required(&self) -> bool {
        *self == Self::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_spelling_and_its_variants_parse() {
        for (text, state) in [
            ("inprogress", SyncState::InProgress),
            ("in_progress", SyncState::InProgress),
            ("In progress", SyncState::InProgress),
            ("IN-PROGRESS", SyncState::InProgress),
            ("done", SyncState::Done),
            ("Done", SyncState::Done),
            ("fulldone", SyncState::FullDone),
            ("full_done", SyncState::FullDone),
            ("error", SyncState::Error),
            ("fail", SyncState::Fail),
            ("failed", SyncState::Fail),
            ("FAIL", SyncState::Fail),
        ] {
            assert_eq!(SyncState::parse(text), state, "{text}");
        }
        assert!(SyncState::parse("fail").reauthorization_required());
        assert!(!SyncState::parse("error").reauthorization_required());
    }

    #[test]
    fn an_unknown_spelling_is_kept_and_shown() {
        let state = SyncState::parse("Queued for tomorrow");
        assert_eq!(state, SyncState::Other("Queued for tomorrow".to_owned()));
        assert_eq!(state.as_state(), "Queued for tomorrow");
        assert!(!state.reauthorization_required());
        assert_eq!(SyncState::parse("").as_state(), "");
    }
}
