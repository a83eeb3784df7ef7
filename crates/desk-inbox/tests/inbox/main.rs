//! Integration tests of the webhook inbox: real SQLite in temp dirs, the router through
//! `oneshot`, and real HTTP on 127.0.0.1 where the network matters.

mod answers;
mod burst;
mod catchup;
mod convergence;
mod crash;
mod inspector;
mod processing;
mod support;
