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

/// A file or folder that went away between the listing and its turn is left alone: others
/// create and remove files here at any time (SQLite's journals, a desk id's temporary file
/// while another process writes it).
#[cfg(unix)]
fn gone(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::NotFound
}

#[cfg(unix)]
fn walk(dir: &Path, depth: usize) -> Result<(), CoreError> {
    let entries = match std::fs::read_dir(dir) {
        Err(err) if gone(&err) => return Ok(()),
        listed => listed.map_err(|err| CoreError::io(dir, err))?,
    };
    for entry in entries {
        let entry = entry.map_err(|err| CoreError::io(dir, err))?;
        let path = entry.path();
        let kind = match entry.file_type() {
            Err(err) if gone(&err) => continue,
            kind => kind.map_err(|err| CoreError::io(&path, err))?,
        };
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
    let meta = match std::fs::metadata(path) {
        Err(err) if gone(&err) => return Ok(()),
        meta => meta.map_err(|err| CoreError::io(path, err))?,
    };
    let current = meta.permissions().mode() & 0o777;
    if current & 0o077 == 0 {
        return Ok(());
    }
    let wanted = current & mode;
    tracing::debug!(path = %path.display(), from = format!("{current:o}"), to = format!("{wanted:o}"), "made private");
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted)) {
        Err(err) if gone(&err) => Ok(()),
        set => set.map_err(|err| CoreError::io(path, err)),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_went_away_before_its_turn_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        assert!(restrict(&dir.path().join("gone.tmp"), 0o600).is_ok());
        assert!(walk(&dir.path().join("gone"), DEPTH).is_ok());
        let open = dir.path().join("open.db");
        std::fs::write(&open, "x").unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(dir.path()).unwrap();
        let mode = std::fs::metadata(&open).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
