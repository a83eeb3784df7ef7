//! The application core of Makini Desk: the jobs and actions that sit between the platform client
//! and the local databases, written once for the window, the browser mode, the CLI and the tests.

pub mod catch_up;
mod error;

pub use error::CoreError;
