//! Everything the client (and the engine it talks to) logs at the most verbose level, captured
//! and searched for every secret the test used.

use crate::harness::{client_config, TestEngine, CLIENT_SECRET};
use desk_client::{ListOptions, RecordQuery, SandboxFault};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_or_token_ever_reaches_the_log() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Global, not a thread default: tracing caches per call site whether anyone listens, and
    // tests on other threads without a subscriber would make it skip events here. Other tests'
    // logs land in the capture too, which only widens the search.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let engine = TestEngine::start().await;
    let (config, _) = client_config(&engine.clock);
    let client = engine.client_with(config);
    let first = client.access_token().await.unwrap();
    let (id, token) = engine.synced(&client).await;
    // A refresh, a retried rate-limited call, and a failed call, all logged.
    engine
        .clock
        .advance(chrono::Duration::minutes(59) + chrono::Duration::seconds(30));
    let second = client.access_token().await.unwrap();
    assert_ne!(first, second);
    client
        .sandbox_fault(
            &id,
            &SandboxFault {
                kind: desk_client::FaultKind::RateLimit,
                duration_seconds: Some(2),
            },
        )
        .await
        .unwrap();
    let data = client.connection_client(&id, token.clone());
    crate::harness::collect(data.records("work-orders", RecordQuery::default())).await;
    client.customer("cus_missing").await.unwrap_err();
    crate::harness::collect(client.customers(ListOptions::default())).await;

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains(&id), "the capture holds this test's events");
    assert!(log.contains("retrying"), "the capture holds the retry");
    for secret in [
        CLIENT_SECRET,
        first.expose(),
        second.expose(),
        token.expose(),
    ] {
        assert!(!log.contains(secret), "a secret leaked into the log");
    }
}
