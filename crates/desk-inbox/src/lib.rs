//! The webhook inbox (see Cargo.toml description).
