//! The engine's second face: Makini's documented API (makini-api.md and Makini's published
//! OpenAPI files), served beside our own over the same store, so code written for Makini runs
//! against the local engine offline and the app's Makini adapter is tested end to end.

pub mod schema;
