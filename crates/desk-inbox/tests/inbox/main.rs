//! Integration tests of the webhook inbox: real SQLite in temp dirs, the router through
//! `oneshot`, and real HTTP on 127.0.0.1 where the network matters.

// Helpers outside #[test] functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod answers;
mod burst;
mod catchup;
mod convergence;
mod crash;
mod inspector;
mod makini;
mod processing;
mod screens;
mod search;
mod support;
mod wal;
