//! Checking credentials against a system's auth form, as the simulated system would.
//!
//! The engine never stores credential values: only a fingerprint of the identity fields (host,
//! tenant, account id...), so a reauthorization against another account or instance is noticed.

use crate::error::EngineError;
use desk_platform::catalog::System;
use desk_platform::connection::TestCheck;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The sandbox convention: a secret value starting with this is refused by the simulated system,
/// so the wizard's "wrong password" path can be shown without a network.
pub const REJECTED_SECRET_PREFIX: &str = "invalid";

/// Refuses unknown fields and missing required ones (a malformed request).
pub fn validate_form(
    system: &System,
    credentials: &BTreeMap<String, String>,
) -> Result<(), EngineError> {
    for name in credentials.keys() {
        if !system.auth.fields.iter().any(|field| &field.name == name) {
            let expected: Vec<&str> = system.auth.fields.iter().map(|f| f.name.as_str()).collect();
            return Err(EngineError::invalid(format!(
                "unknown credential field {name:?} for {}; expected: {}",
                system.id,
                expected.join(", ")
            )));
        }
    }
    let missing: Vec<&str> = system
        .auth
        .fields
        .iter()
        .filter(|field| field.required)
        .filter(|field| {
            credentials
                .get(&field.name)
                .is_none_or(|v| v.trim().is_empty())
        })
        .map(|field| field.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(EngineError::invalid(format!(
            "missing required credential fields for {}: {}",
            system.id,
            missing.join(", ")
        )));
    }
    Ok(())
}

/// What the simulated system answers to a login with these (well-formed) credentials.
pub fn authenticate(system: &System, credentials: &BTreeMap<String, String>) -> TestCheck {
    let rejected = system
        .auth
        .fields
        .iter()
        .filter(|field| field.secret)
        .find(|field| {
            credentials
                .get(&field.name)
                .is_some_and(|v| v.starts_with(REJECTED_SECRET_PREFIX))
        });
    match rejected {
        Some(field) => TestCheck {
            name: "authentication".to_owned(),
            ok: false,
            message: format!(
                "{} refused the credentials: {} is not valid",
                system.name, field.label
            ),
        },
        None => TestCheck {
            name: "authentication".to_owned(),
            ok: true,
            message: format!("{} accepted the credentials", system.name),
        },
    }
}

/// SHA-256 over the normalised identity fields; `None` when the system has none.
pub fn identity_fingerprint(
    system: &System,
    credentials: &BTreeMap<String, String>,
) -> Option<String> {
    let mut hasher = Sha256::new();
    let mut any = false;
    for field in system.auth.fields.iter().filter(|field| field.identity) {
        let value = credentials
            .get(&field.name)
            .map(|v| v.trim().trim_end_matches('/').to_lowercase());
        hasher.update(field.name.as_bytes());
        hasher.update(b"=");
        hasher.update(value.unwrap_or_default().as_bytes());
        hasher.update(b"\n");
        any = true;
    }
    any.then(|| hex::encode(hasher.finalize()))
}
