//! The simulated industrial systems behind connections: deterministic records that change over
//! time, and the faults a tester can inject.

pub mod generate;
pub mod system;
