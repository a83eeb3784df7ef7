//! The engine's HTTP API, exercised through the real router and a real SQLite store.
#![allow(clippy::unwrap_used)] // test helpers panic on purpose: a failed step is a failed test

mod auth;
mod bad_input;
mod connections;
mod credits;
mod data;
mod faults;
mod harness;
mod lists;
mod magic_links;
mod makini_surface;
mod makini_webhooks;
mod named_tokens;
mod openapi;
mod store;
mod syncs;
mod webhooks;
