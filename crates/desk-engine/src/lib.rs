//! The local engine: an embedded, faithful imitation of the Makini platform API.
//!
//! [`Engine::open`] opens (or creates) the engine's SQLite store; [`Engine::router`] is the whole
//! HTTP API as an axum router (tested without a socket); [`serve`] runs it on a listener until the
//! shutdown future resolves.

mod api;
pub mod catalog;
mod config;
mod credentials;
mod cursor;
mod data;
mod engine;
mod error;
mod lifecycle;
pub mod makini;
mod sandbox;
pub mod seed;
mod store;
mod sync;
mod token;
mod webhooks;

pub use api::openapi_document;
pub use config::EngineConfig;
pub use engine::{serve, Engine, StartupInfo};
pub use error::EngineError;
