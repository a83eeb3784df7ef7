//! The platform's wire contract, shared by the engine, the client and the app core.
//!
//! Everything here is plain data and pure functions: no I/O, no clocks read behind the caller's
//! back (see [`clock`]), so every crate agrees on exactly one definition of each type.

pub mod account;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod connection;
pub mod credits;
pub mod customer;
pub mod error;
pub mod event;
pub mod ids;
pub mod ledger;
pub mod page;
pub mod sync;
pub mod webhook_signature;

pub use error::{ApiErrorBody, ErrorCode, ErrorEnvelope};
pub use page::Page;
