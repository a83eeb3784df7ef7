//! The adapter against the fake Makini over real loopback HTTP.
#![allow(clippy::unwrap_used)] // a failed step is a failed test

mod admin;
mod data;
mod errors;

use desk_client::{ClientConfig, RetryPolicy, Secret, Sleeper};
use desk_makini::fake::FakeMakini;
use desk_makini::{MakiniClient, MakiniSettings};
use futures::future::BoxFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ID: &str = "client_1";
const SECRET: &str = "secret_1";

/// Records the waits asked for and returns at once, so Retry-After is checked exactly.
#[derive(Debug, Default)]
struct Waits(Mutex<Vec<Duration>>);

impl Sleeper for Waits {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

struct Setup {
    fake: FakeMakini,
    client: MakiniClient,
    waits: Arc<Waits>,
}

async fn setup() -> Setup {
    let fake = FakeMakini::start(ID, SECRET).await.unwrap();
    let waits = Arc::new(Waits::default());
    let config = ClientConfig::default()
        .with_sleeper(waits.clone())
        .with_retry(RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        });
    let client = MakiniClient::new(
        &fake.url,
        ID,
        Secret::new(SECRET),
        config,
        MakiniSettings::default(),
    )
    .unwrap();
    Setup {
        fake,
        client,
        waits,
    }
}
