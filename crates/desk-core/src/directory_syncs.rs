//! Which profiles a sync is listing right now (account, customers, connections, ledger).
//!
//! The account is written first and a big account's connections arrive a minute later, so a
//! screen opened in between sees credits in use and no connection: it asks here (through
//! `app_status`) to say "syncing" rather than "no connections yet". Events alone cannot tell
//! it, since a page opened mid-sync missed `sync_started`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Default, Clone)]
pub(crate) struct DirectorySyncs {
    running: Arc<Mutex<HashMap<String, usize>>>,
}

impl DirectorySyncs {
    /// Marks `profile` as listing until the guard is dropped (at the end of the listing, or
    /// when the sync fails or is cancelled before it).
    pub(crate) fn start(&self, profile: &str) -> DirectorySyncGuard {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        *running.entry(profile.to_owned()).or_default() += 1;
        DirectorySyncGuard {
            running: self.running.clone(),
            profile: profile.to_owned(),
        }
    }

    pub(crate) fn is_running(&self, profile: &str) -> bool {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.get(profile).is_some_and(|n| *n > 0)
    }
}

#[derive(Debug)]
pub(crate) struct DirectorySyncGuard {
    running: Arc<Mutex<HashMap<String, usize>>>,
    profile: String,
}

impl Drop for DirectorySyncGuard {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = running.get_mut(&self.profile) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                running.remove(&self.profile);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DirectorySyncs;

    #[test]
    fn a_profile_lists_until_its_last_sync_drops_its_guard() {
        let syncs = DirectorySyncs::default();
        assert!(!syncs.is_running("local"));
        let first = syncs.start("local");
        let second = syncs.start("local");
        let other = syncs.start("team");
        drop(first);
        assert!(syncs.is_running("local"), "a second sync still lists");
        drop(second);
        assert!(!syncs.is_running("local"));
        assert!(syncs.is_running("team"));
        drop(other);
        assert!(!syncs.is_running("team"));
    }
}
