//! The data folder holds customers' data (mirror.db, inbox.db, logs): only its owner may read
//! it. The folder is made 0700, which alone keeps every other user out of whatever is created
//! in it later; the files already there are made 0600 too, so a copy of the folder moved
//! elsewhere keeps the modes (SQLite and the log appender create files 0644).

use crate::error::CoreError;
use std::path::Path;

/// Folders below the data folder that are walked (the data folder, engine/, logs/, profile
/// folders, not records of a user's own exports).
const DEPTH: usize = 2;

#[cfg(unix)]
pub fn make_private(data_dir: &Path) -> Result<(), CoreError> {
    restrict(data_dir, 0o700)?;
    walk(data_dir, DEPTH)
}

#[cfg(not(unix))]
pub fn make_private(_data_dir: &Path) -> Result<(), CoreError> {
    // Windows folders under the user's profile are private by their ACL already.
    Ok(())
}

#[cfg(unix)]
fn walk(dir: &Path, depth: usize) -> Result<(), CoreError> {
    let entries = std::fs::read_dir(dir).map_err(|err| CoreError::io(dir, err))?;
    for entry in entries {
        let entry = entry.map_err(|err| CoreError::io(dir, err))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|err| CoreError::io(&path, err))?;
        if kind.is_dir() {
            restrict(&path, 0o700)?;
            if depth > 0 {
                walk(&path, depth - 1)?;
            }
        } else if kind.is_file() {
            restrict(&path, 0o600)?;
        }
    }
    Ok(())
}

/// Takes group and other bits away (never adds any the owner lacks).
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), CoreError> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::metadata(path).map_err(|err| CoreError::io(path, err))?;
    let current = meta.permissions().mode() & 0o777;
    if current & 0o077 == 0 {
        return Ok(());
    }
    let wanted = current & mode;
    tracing::debug!(path = %path.display(), from = format!("{current:o}"), to = format!("{wanted:o}"), "made private");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted))
        .map_err(|err| CoreError::io(path, err))
}
