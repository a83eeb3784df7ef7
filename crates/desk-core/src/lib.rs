//! The application core of Makini Desk: the jobs and actions that sit between the platform client
//! and the local databases, written once for the window, the browser mode, the CLI and the tests.
//!
//! - [`actions`]: every user action, listed once for the window, the browser and the CLI.
//! - [`Desk`]: one open data folder (mirror, vault on demand, the event stream for the UI).
//! - [`profiles`]: which platform to talk to; [`session::Session`] connects to it (a local
//!   profile attaches to or starts the data folder's engine in-process).
//! - [`platform::Platform`]: the seam to our platform API or Makini's (desk-makini).
//! - [`sync`]: the platform into the mirror, resumable; [`offline`]: what is read back with no
//!   network; [`catch_up`]: missed events into the webhook inbox.

pub mod actions;
pub mod alerts;
pub mod catch_up;
mod desk;
mod directory_syncs;
mod error;
pub mod events;
mod inspector_support;
pub mod jobs;
pub mod local_engine;
pub mod mirror_applier;
pub mod offline;
mod periodic;
pub mod platform;
pub mod poll;
mod private;
pub mod profiles;
pub mod raw;
pub mod serving;
pub mod session;
pub mod settings;
pub mod support;
pub mod sync;
pub mod time_input;
mod tokens;
pub mod updates;
mod walk_pages;

pub use desk::{Desk, DeskConfig, VaultAccess};
pub use error::{ActionError, Code, CoreError, NextStep};
pub use events::DeskEvent;
pub use inspector_support::FORWARD_SECRET_NAME;
