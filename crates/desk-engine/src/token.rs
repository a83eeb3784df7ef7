//! Random tokens and their hashes: the engine stores only SHA-256 of every token it issues.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token with a type prefix, 256 bits of entropy.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// A new random id body, shorter than a token: ids are not secrets.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// High-entropy tokens need no salt or slow hash: SHA-256 resists preimages.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
