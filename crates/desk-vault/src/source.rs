//! Where the master key comes from: the OS keyring, a passphrase, or a key file.
//!
//! The caller picks one explicitly ([`MasterKeySource::choose`] encodes the documented rule);
//! the vault never falls back on its own, because a silent fallback would move the key
//! somewhere weaker without anyone deciding so.

use std::path::{Path, PathBuf};

use crate::error::{Result, VaultError};
use crate::secret::SecretString;

/// The environment variable the CLI and the app read a passphrase from.
pub const PASSPHRASE_ENV: &str = "MDESK_VAULT_PASSPHRASE";

/// The keyring service name; the account is per vault file (see `os_keyring::new_account`).
pub const KEYRING_SERVICE: &str = "makini-desk";

/// How to obtain the vault's master key.
#[derive(Debug, Clone)]
pub enum MasterKeySource {
    /// A random key kept in the OS keyring (Secret Service on Linux), created on first use.
    Keyring,
    /// A key derived with argon2id from this passphrase and a random salt stored in the vault.
    Passphrase(SecretString),
    /// A key kept in this file (base64, one line), which must be readable by its owner only;
    /// created with mode 0600 when missing and the vault is new.
    KeyFile(PathBuf),
}

/// The kind of a source, as stored in the vault's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Keyring,
    Passphrase,
    KeyFile,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Keyring => "keyring",
            SourceKind::Passphrase => "passphrase",
            SourceKind::KeyFile => "key_file",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<SourceKind> {
        match text {
            "keyring" => Ok(SourceKind::Keyring),
            "passphrase" => Ok(SourceKind::Passphrase),
            "key_file" => Ok(SourceKind::KeyFile),
            other => Err(VaultError::corrupt(format!(
                "unknown master key source '{other}' in the vault metadata"
            ))),
        }
    }

    /// Words for error messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            SourceKind::Keyring => "OS keyring",
            SourceKind::Passphrase => "passphrase (MDESK_VAULT_PASSPHRASE)",
            SourceKind::KeyFile => "key file (--vault-key-file)",
        }
    }

    /// What a user must do to provide this kind of key.
    pub(crate) fn hint(self) -> &'static str {
        match self {
            SourceKind::Keyring => "run where the OS keyring that holds it is unlocked, without MDESK_VAULT_PASSPHRASE or --vault-key-file",
            SourceKind::Passphrase => "set MDESK_VAULT_PASSPHRASE to its passphrase",
            SourceKind::KeyFile => "pass --vault-key-file with the file it was created with",
        }
    }
}

/// Beside the vault: the key source last warned about, so the warning is said once per
/// folder and again only when the source changes.
const WARNED_FILE_SUFFIX: &str = ".key-warning";

/// Warns that the vault at `vault` is not protected by the OS keyring, the first time it is
/// opened with this kind of key.
pub(crate) fn warn_once(vault: &Path, source: &MasterKeySource) {
    let message = match source {
        MasterKeySource::Keyring => return,
        MasterKeySource::KeyFile(path) => format!(
            "the vault's master key comes from the key file {}, not the OS keyring; anyone who can read that file can read every secret",
            path.display()
        ),
        MasterKeySource::Passphrase(_) => format!(
            "the vault's master key is derived from {PASSPHRASE_ENV}, not kept in the OS keyring; the vault is only as strong as that passphrase"
        ),
    };
    let mut marker = vault.as_os_str().to_owned();
    marker.push(WARNED_FILE_SUFFIX);
    let marker = PathBuf::from(marker);
    let kind = source.kind().as_str();
    if std::fs::read_to_string(&marker).is_ok_and(|warned| warned == kind) {
        tracing::debug!(vault = %vault.display(), kind, "{message}");
        return;
    }
    tracing::warn!("{message} (said once for this data folder)");
    if let Err(err) = std::fs::write(&marker, kind) {
        tracing::debug!(marker = %marker.display(), error = %err, "cannot remember the warning; it will be said again");
    }
}

impl MasterKeySource {
    pub fn kind(&self) -> SourceKind {
        match self {
            MasterKeySource::Keyring => SourceKind::Keyring,
            MasterKeySource::Passphrase(_) => SourceKind::Passphrase,
            MasterKeySource::KeyFile(_) => SourceKind::KeyFile,
        }
    }

    /// The documented rule (contract.md, Secrets): an explicit key file or passphrase wins,
    /// with a warning that the keyring is not used; otherwise the OS keyring, which must be
    /// reachable; otherwise an error that says how to provide a key.
    pub async fn choose(
        key_file: Option<PathBuf>,
        passphrase: Option<SecretString>,
    ) -> Result<MasterKeySource> {
        match (key_file, passphrase) {
            (Some(_), Some(_)) => Err(VaultError::InvalidInput(format!(
                "both {PASSPHRASE_ENV} and --vault-key-file are set; choose one"
            ))),
            // The warning that the keyring is not used comes once per vault, when it opens
            // (`warn_once`), not on every command.
            (Some(path), None) => Ok(MasterKeySource::KeyFile(path)),
            (None, Some(passphrase)) => Ok(MasterKeySource::Passphrase(passphrase)),
            (None, None) => {
                crate::os_keyring::probe().await?;
                Ok(MasterKeySource::Keyring)
            }
        }
    }
}

/// Reads [`PASSPHRASE_ENV`]; an unset or empty variable is `None`.
pub fn passphrase_from_env() -> Option<SecretString> {
    let value = SecretString::new(std::env::var(PASSPHRASE_ENV).ok()?);
    (!value.is_empty()).then_some(value)
}

/// Absolute form of a path whose file may not exist yet (its directory must).
pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    let io = |source| VaultError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_name = path.file_name().ok_or_else(|| {
        VaultError::InvalidInput(format!("{} is not a file path", path.display()))
    })?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(parent.canonicalize().map_err(io)?.join(file_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_source_prints_without_its_passphrase() {
        let source = MasterKeySource::Passphrase(SecretString::from("do-not-print-me"));
        let printed = format!("{source:?}");
        assert!(!printed.contains("do-not-print-me"), "{printed}");
    }

    #[test]
    fn source_kinds_round_trip_through_their_stored_names() {
        for kind in [
            SourceKind::Keyring,
            SourceKind::Passphrase,
            SourceKind::KeyFile,
        ] {
            assert_eq!(SourceKind::parse(kind.as_str()).expect("parse"), kind);
        }
        assert_eq!(
            SourceKind::parse("tpm").expect_err("unknown").code(),
            "CORRUPT"
        );
    }
}
