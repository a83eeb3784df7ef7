//! The master key in a file readable only by its owner (for headless machines and CI).

use std::io::Write as _;
use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::crypto::Key;
use crate::error::{Result, VaultError};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> VaultError + '_ {
    move |source| VaultError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses a file that group or others can access: a world-readable master key is no key.
#[cfg(unix)]
fn check_permissions(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(VaultError::KeyFilePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _meta: &std::fs::Metadata) -> Result<()> {
    // Windows ACLs are not modes; the file lives in the user's profile, which is private.
    Ok(())
}

/// The key in `path`, or `None` when the file does not exist.
pub(crate) fn load(path: &Path) -> Result<Option<Key>> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io_err(path)(err)),
    };
    if !meta.is_file() {
        return Err(VaultError::KeyFileInvalid {
            path: path.to_path_buf(),
            reason: "not a regular file".to_owned(),
        });
    }
    check_permissions(path, &meta)?;
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io_err(path))?);
    let invalid = || VaultError::KeyFileInvalid {
        path: path.to_path_buf(),
        reason: "expected one line of base64 holding 32 bytes".to_owned(),
    };
    let bytes = Zeroizing::new(B64.decode(text.trim()).map_err(|_| invalid())?);
    Key::from_slice(&bytes).map(Some).ok_or_else(invalid)
}

/// Writes `key` to a new file with mode 0600; fails if the file appeared meanwhile, so an
/// existing key is never overwritten.
pub(crate) fn create(path: &Path, key: &Key) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_err(path))?;
    let mut line = Zeroizing::new(B64.encode(key.bytes()));
    line.push('\n');
    file.write_all(line.as_bytes()).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_file_loads_back_the_same_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vault.key");
        let key = Key::random().expect("key");
        create(&path, &key).expect("create");
        let loaded = load(&path).expect("load").expect("present");
        assert_eq!(loaded.bytes(), key.bytes());
    }

    #[test]
    fn creating_over_an_existing_key_file_fails() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vault.key");
        create(&path, &Key::random().expect("key")).expect("create");
        assert!(create(&path, &Key::random().expect("key")).is_err());
    }

    #[test]
    fn a_missing_key_file_loads_as_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(load(&dir.path().join("absent.key"))
            .expect("load")
            .is_none());
    }

    #[test]
    fn a_key_file_with_garbage_is_invalid() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vault.key");
        create(&path, &Key::random().expect("key")).expect("create");
        std::fs::write(&path, "not base64!").expect("write");
        let err = load(&path).err().expect("must fail");
        assert_eq!(err.code(), "KEY_FILE_INVALID");
    }
}
