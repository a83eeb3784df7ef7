//! desk-client against the real local engine on a loopback port, and against small real servers
//! on 127.0.0.1 that answer 429/503, drop connections or stall, for what the engine cannot do yet.
#![allow(clippy::unwrap_used)] // a failed step is a failed test

mod auth;
mod breaker;
mod engine_faults;
mod errors;
mod harness;
mod lists;
mod logs;
mod retries;
