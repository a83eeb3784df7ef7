//! The secrets vault of Makini Desk.
//!
//! Secrets (admin client secrets, connection tokens, webhook secrets, customer credentials) are
//! stored only sealed with AES-256-GCM, in their own SQLite file (`vault.db`) so the app's mirror
//! database can go into a support bundle with no secret in it.
//!
//! - Each scope (a customer id, or `"account"` for the admin's own secrets) has its own random
//!   256-bit data key; dropping it (`delete_scope`) crypto-shreds that customer.
//! - Data keys are wrapped by one master key, obtained from a [`MasterKeySource`] the caller
//!   chooses: the OS keyring, a passphrase (argon2id), or a key file readable by its owner only.
//! - Associated data binds every ciphertext to its record, so blobs cannot be swapped.
//! - A check value sealed under the master key detects a wrong passphrase or key before any
//!   write; a file written by a newer format is refused and left untouched.
//!
//! Testing the real keyring: the `vault` test binary uses the Secret Service when a D-Bus
//! session offers one and otherwise prints "NOT EXERCISED"; with `MDESK_REQUIRE_KEYRING=1` a
//! missing keyring fails instead. CI runs (Debian packages: libdbus-1-dev pkg-config to build;
//! dbus-daemon gnome-keyring to test):
//!
//! ```text
//! MDESK_REQUIRE_KEYRING=1 dbus-run-session -- sh -c \
//!   'echo -n pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; cargo test -p desk-vault'
//! ```

mod crypto;
mod error;
mod key_file;
mod master;
mod os_keyring;
mod secret;
mod source;
mod store;
mod vault;

pub use error::{Result, VaultError};
pub use os_keyring::probe as probe_keyring;
pub use secret::SecretString;
pub use source::{
    passphrase_from_env, MasterKeySource, SourceKind, KEYRING_SERVICE, PASSPHRASE_ENV,
};
pub use store::FORMAT_VERSION;
pub use vault::Vault;

/// The scope of the admin's own secrets (client secret, access and refresh tokens).
pub const ACCOUNT_SCOPE: &str = "account";
