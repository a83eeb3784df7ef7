//! AES-256-GCM sealing with associated data, random keys and nonces, and argon2id.
//!
//! Every ciphertext is bound by its associated data to the record it belongs to (a data key to
//! its scope, a secret to its scope and name), so a blob copied to another row fails to open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::{Result, VaultError};

pub(crate) const KEY_LEN: usize = 32;
pub(crate) const NONCE_LEN: usize = 12;
pub(crate) const SALT_LEN: usize = 16;

/// A 256-bit key (master or data key); the bytes are wiped on drop.
pub(crate) struct Key(Zeroizing<[u8; KEY_LEN]>);

/// A sealed value: the nonce it was sealed with and ciphertext plus GCM tag.
pub(crate) struct Sealed {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Opening failed authentication: wrong key, tampered bytes or wrong associated data.
/// Deliberately carries no detail; the caller knows which record it was.
#[derive(Debug)]
pub(crate) struct OpenFailed;

pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<()> {
    OsRng
        .try_fill_bytes(buf)
        .map_err(|e| VaultError::Internal(format!("the OS random source failed: {e}")))
}

impl Key {
    pub fn random() -> Result<Key> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        random_bytes(bytes.as_mut_slice())?;
        Ok(Key(bytes))
    }

    /// `None` when the slice is not exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Key> {
        let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Key(Zeroizing::new(array)))
    }

    pub fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        // The slice comes from a fixed 32-byte array, so the length conversion cannot fail.
        Aes256Gcm::new(self.0.as_slice().into())
    }

    /// Seals with a fresh random 96-bit nonce; never reuse a nonce under one key.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let ciphertext = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| VaultError::Internal("AES-GCM encryption failed".to_owned()))?;
        Ok(Sealed {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    pub fn open(
        &self,
        nonce: &[u8],
        ciphertext: &[u8],
        aad: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, OpenFailed> {
        if nonce.len() != NONCE_LEN {
            return Err(OpenFailed);
        }
        self.cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| OpenFailed)
    }

    /// Wraps another key (a data key under the master key).
    pub fn wrap(&self, key: &Key, aad: &[u8]) -> Result<Sealed> {
        self.seal(key.bytes(), aad)
    }

    pub fn unwrap_key(&self, nonce: &[u8], wrapped: &[u8], aad: &[u8]) -> Result<Key, OpenFailed> {
        let bytes = self.open(nonce, wrapped, aad)?;
        Key::from_slice(&bytes).ok_or(OpenFailed)
    }
}

/// Associated data: a domain label then each part length-prefixed, so ("ab","c") and ("a","bc")
/// can never produce the same bytes.
fn aad(domain: &str, parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"makini-desk/vault/v1/");
    out.extend_from_slice(domain.as_bytes());
    for part in parts {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

pub(crate) fn aad_check() -> Vec<u8> {
    aad("check", &[])
}

pub(crate) fn aad_data_key(scope: &str) -> Vec<u8> {
    aad("data-key", &[scope])
}

pub(crate) fn aad_secret(scope: &str, name: &str) -> Vec<u8> {
    aad("secret", &[scope, name])
}

/// The known plaintext sealed under the master key: opening it proves a key is the right one
/// before anything is written.
pub(crate) const CHECK_PLAINTEXT: &[u8] = b"makini-desk vault key check";

/// argon2id cost parameters, stored in the vault so they can be raised for new vaults later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KdfParams {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: RFC 9106's second recommendation with one lane (2-core
    /// machines); about a quarter second, paid once per unlock.
    pub const DEFAULT: KdfParams = KdfParams {
        m_cost_kib: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Bounds for parameters read from a file, so a crafted vault cannot make us allocate
    /// gigabytes or spin for minutes.
    pub fn is_sane(&self) -> bool {
        (8..=1024 * 1024).contains(&self.m_cost_kib)
            && (1..=64).contains(&self.t_cost)
            && (1..=16).contains(&self.p_cost)
    }
}

/// Derives the master key from a passphrase; CPU- and memory-heavy, call from a blocking task.
pub(crate) fn derive_from_passphrase(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<Key> {
    use argon2::{Algorithm, Argon2, Params, Version};
    let argon_params = Params::new(
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        Some(KEY_LEN),
    )
    .map_err(|e| VaultError::corrupt(format!("invalid argon2 parameters: {e}")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(passphrase, salt, out.as_mut_slice())
        .map_err(|e| VaultError::Internal(format!("argon2id failed: {e}")))?;
    Ok(Key(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_associated_data() {
        let key = Key::random().expect("random key");
        let sealed = key.seal(b"hello", b"ad").expect("seal");
        let opened = key
            .open(&sealed.nonce, &sealed.ciphertext, b"ad")
            .expect("open");
        assert_eq!(opened.as_slice(), b"hello");
    }

    #[test]
    fn opening_with_other_associated_data_or_key_fails() {
        let key = Key::random().expect("random key");
        let other = Key::random().expect("random key");
        let sealed = key.seal(b"hello", b"ad").expect("seal");
        assert!(key.open(&sealed.nonce, &sealed.ciphertext, b"ae").is_err());
        assert!(other
            .open(&sealed.nonce, &sealed.ciphertext, b"ad")
            .is_err());
        assert!(key
            .open(&sealed.nonce[..8], &sealed.ciphertext, b"ad")
            .is_err());
    }

    #[test]
    fn two_seals_of_the_same_value_use_different_nonces() {
        let key = Key::random().expect("random key");
        let a = key.seal(b"same", b"").expect("seal");
        let b = key.seal(b"same", b"").expect("seal");
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn associated_data_is_unambiguous_across_part_boundaries() {
        assert_ne!(aad_secret("ab", "c"), aad_secret("a", "bc"));
        assert_ne!(aad_data_key("x"), aad_secret("x", ""));
    }

    #[test]
    fn the_same_passphrase_and_salt_derive_the_same_key() {
        let small = KdfParams {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
        };
        let a = derive_from_passphrase(b"pw", b"saltsaltsalt", small).expect("kdf");
        let b = derive_from_passphrase(b"pw", b"saltsaltsalt", small).expect("kdf");
        let c = derive_from_passphrase(b"pw2", b"saltsaltsalt", small).expect("kdf");
        assert_eq!(a.bytes(), b.bytes());
        assert_ne!(a.bytes(), c.bytes());
    }

    proptest::proptest! {
        #[test]
        fn any_value_round_trips_and_any_flipped_bit_is_rejected(
            msg in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            aad in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            bit in proptest::prelude::any::<usize>(),
        ) {
            let key = Key::random().expect("random key");
            let sealed = key.seal(&msg, &aad).expect("seal");
            let opened = key.open(&sealed.nonce, &sealed.ciphertext, &aad).expect("open");
            proptest::prop_assert_eq!(opened.as_slice(), msg.as_slice());

            let mut tampered = sealed.ciphertext.clone();
            let bit = bit % (tampered.len() * 8);
            tampered[bit / 8] ^= 1 << (bit % 8);
            proptest::prop_assert!(key.open(&sealed.nonce, &tampered, &aad).is_err());
        }
    }

    #[test]
    fn kdf_parameters_from_a_file_are_bounded() {
        assert!(KdfParams::DEFAULT.is_sane());
        let huge = KdfParams {
            m_cost_kib: u32::MAX,
            ..KdfParams::DEFAULT
        };
        assert!(!huge.is_sane());
    }
}
