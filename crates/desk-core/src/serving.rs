//! One server of each kind per data folder: the local engine (`engine/`) and the webhook inbox
//! (`inbox/`) are each served by at most one process at a time.
//!
//! The server takes an exclusive OS lock on `serving.lock` in its folder and holds it for its
//! life (the OS releases it when the process ends, even when killed, so a crash never leaves a
//! folder locked). Holding it, it announces its address in `serving.json` (written atomically);
//! others read that file to attach, or to name the running server when they are refused. Only
//! the lock's holder writes or removes `serving.json`, so a refused second server never touches
//! the file of the first.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file inside the served folder.
pub const LOCK_FILE: &str = "serving.lock";
/// Who serves the folder right now.
pub const SERVING_FILE: &str = "serving.json";

/// What is served from a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Engine,
    Inbox,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Engine => "engine",
            Self::Inbox => "inbox",
        }
    }

    /// The command that serves it, for messages.
    fn command(self) -> &'static str {
        match self {
            Self::Engine => "mdesk engine serve",
            Self::Inbox => "mdesk inbox serve",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The contents of `serving.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServingRecord {
    pub url: String,
    pub pid: u32,
}

/// The right to serve a folder, held until dropped (which also withdraws the announcement).
#[derive(Debug)]
pub struct ServingLock {
    dir: PathBuf,
    role: Role,
    /// The locked file: the OS lock lives as long as this handle.
    _file: File,
    announced: Option<String>,
}

impl ServingLock {
    /// Takes the folder's lock, or says who holds it: [`CoreError::AlreadyServing`] with the
    /// running server's address and pid as its `serving.json` says.
    pub fn claim(dir: &Path, role: Role) -> Result<Self, CoreError> {
        std::fs::create_dir_all(dir).map_err(|err| CoreError::io(dir, err))?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| CoreError::io(&path, err))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let record = read_record(&dir.join(SERVING_FILE));
                return Err(CoreError::AlreadyServing {
                    role: role.as_str(),
                    dir: dir.to_path_buf(),
                    url: record.as_ref().map(|r| r.url.clone()),
                    pid: record.map(|r| r.pid),
                });
            }
            Err(TryLockError::Error(err)) => return Err(CoreError::io(&path, err)),
        }
        tracing::debug!(dir = %dir.display(), %role, "serving lock taken");
        Ok(Self {
            dir: dir.to_path_buf(),
            role,
            _file: file,
            announced: None,
        })
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `serving.json` naming this process at `url` (atomically: a reader never sees
    /// half a file).
    pub fn announce(&mut self, url: &str) -> Result<(), CoreError> {
        let record = ServingRecord {
            url: url.to_owned(),
            pid: std::process::id(),
        };
        let path = self.dir.join(SERVING_FILE);
        let temp = self
            .dir
            .join(format!("{SERVING_FILE}.{}", std::process::id()));
        let text = serde_json::to_vec_pretty(&record)
            .map_err(|err| CoreError::Internal(format!("the serving record: {err}")))?;
        std::fs::write(&temp, text).map_err(|err| CoreError::io(&temp, err))?;
        std::fs::rename(&temp, &path).map_err(|err| CoreError::io(&path, err))?;
        self.announced = Some(url.to_owned());
        Ok(())
    }

    /// Removes `serving.json` if it still names this process (the lock's holder is the only
    /// writer, so it does, unless someone edited it by hand).
    pub fn withdraw(&mut self) {
        let Some(url) = self.announced.take() else {
            return;
        };
        let path = self.dir.join(SERVING_FILE);
        match read_record(&path) {
            Some(record) if record.url == url && record.pid == std::process::id() => {
                if let Err(err) = std::fs::remove_file(&path) {
                    tracing::warn!(path = %path.display(), error = %err, "cannot remove the serving file");
                }
            }
            _ => {
                tracing::debug!(path = %path.display(), "the serving file names another server; left as it is");
            }
        }
    }
}

impl Drop for ServingLock {
    fn drop(&mut self) {
        self.withdraw();
    }
}

/// The message of [`CoreError::AlreadyServing`].
pub(crate) fn already_serving_message(
    role: &str,
    dir: &Path,
    url: Option<&str>,
    pid: Option<u32>,
) -> String {
    let who = match (url, pid) {
        (Some(url), Some(pid)) => format!("process {pid} at {url}"),
        _ => "another process (starting, or an older version that does not announce itself)"
            .to_owned(),
    };
    let command = match role {
        "inbox" => Role::Inbox.command(),
        _ => Role::Engine.command(),
    };
    format!(
        "the {role} of {} is served already by {who}; use that one, or stop it before running \
         `{command}` (or a command that starts it) again",
        dir.display()
    )
}

/// `serving.json` as written by [`ServingLock::announce`], if readable.
pub fn read_record(path: &Path) -> Option<ServingRecord> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "cannot read the serving file");
            return None;
        }
    };
    match serde_json::from_slice(&text) {
        Ok(record) => Some(record),
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "ignoring an unreadable serving file");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_is_refused_naming_the_first_and_leaves_its_announcement() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut first = ServingLock::claim(dir.path(), Role::Engine).expect("first claim");
        first.announce("http://127.0.0.1:1234").expect("announce");
        let refused = ServingLock::claim(dir.path(), Role::Engine).expect_err("second claim");
        let message = refused.to_string();
        assert!(message.contains("http://127.0.0.1:1234"), "{message}");
        assert!(
            message.contains(&format!("process {}", std::process::id())),
            "{message}"
        );
        assert_eq!(refused.code(), crate::Code::Conflict);
        drop(refused);
        assert_eq!(
            read_record(&dir.path().join(SERVING_FILE)).map(|r| r.url),
            Some("http://127.0.0.1:1234".to_owned())
        );
        drop(first);
        assert!(!dir.path().join(SERVING_FILE).exists());
        ServingLock::claim(dir.path(), Role::Engine).expect("free again once the first is gone");
    }
}
