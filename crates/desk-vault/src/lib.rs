//! The secrets vault (see Cargo.toml description).
