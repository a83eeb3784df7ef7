//! The engine instance: its store, catalog, clock and configuration, and how it is served.

use crate::catalog::Catalog;
use crate::config::EngineConfig;
use crate::error::EngineError;
use crate::store::{accounts, tokens, Store};
use crate::token;
use desk_platform::account::Plan;
use desk_platform::clock::{Clock, SystemClock};
use desk_platform::ids::prefix;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Cheap to clone: every handler holds one.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(crate) store: Store,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Arc<EngineConfig>,
    pub(crate) rate_limiter: Arc<crate::sandbox::system::RateLimiter>,
    /// Where the Makini surface's page walks stand (crate::makini::walks).
    pub(crate) makini_walks: Arc<crate::makini::walks::Walks>,
    pub(crate) in_flight: crate::webhooks::SharedInFlight,
    pub(crate) syncing: crate::webhooks::SharedInFlight,
    /// Webhook deliveries; redirects are not followed (a receiver answers, it does not move).
    pub(crate) http: reqwest::Client,
}

/// What a start reports to the operator.
#[derive(Debug, Clone)]
pub struct StartupInfo {
    pub admin_client_id: String,
    /// Set only when this start generated the admin secret: it is shown this once.
    pub generated_client_secret: Option<String>,
    /// The store was empty and got its account now.
    pub created: bool,
}

/// A trial account starts with one credit, as on the platform.
const TRIAL_CREDITS: i64 = 1;

impl Engine {
    /// Opens the store at `db_path` (created when missing) with the wall clock.
    pub async fn open(
        db_path: &Path,
        config: EngineConfig,
    ) -> Result<(Self, StartupInfo), EngineError> {
        Self::open_with_clock(db_path, config, Arc::new(SystemClock)).await
    }

    pub async fn open_with_clock(
        db_path: &Path,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<(Self, StartupInfo), EngineError> {
        let store = Store::open(db_path).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| EngineError::Io(std::io::Error::other(err)))?;
        let engine = Self {
            store,
            catalog: Arc::new(Catalog::builtin()?),
            clock,
            config: Arc::new(config),
            rate_limiter: Arc::default(),
            makini_walks: Arc::default(),
            in_flight: Arc::default(),
            syncing: Arc::default(),
            http,
        };
        let info = engine.bootstrap().await?;
        if let (true, Some(seed)) = (info.created, engine.config.seed) {
            crate::seed::apply(&engine, seed).await?;
        }
        engine.resume_interrupted_syncs().await?;
        Ok((engine, info))
    }

    /// Creates the account on an empty store and registers the admin client.
    async fn bootstrap(&self) -> Result<StartupInfo, EngineError> {
        let now = self.clock.now();
        // A seeded account was opened when its history begins, so the ledger runs forward.
        let opened_at = self
            .config
            .seed
            .map_or(now, |seed| seed.history_starts(now));
        let mut tx = self.store.begin().await?;
        let created = !accounts::exists(&mut tx).await?;
        if created {
            let id = token::new_id(prefix::ACCOUNT);
            accounts::insert(
                &mut tx,
                &id,
                &self.config.account_name,
                Plan::Trial,
                &self.config.region,
                opened_at,
            )
            .await?;
            crate::lifecycle::append_purchase(&mut tx, TRIAL_CREDITS, opened_at).await?;
        }
        let client_id = &self.config.admin_client_id;
        let existing = tokens::client_secret_hash(&mut tx, client_id).await?;
        let generated_client_secret = match (&self.config.admin_client_secret, existing) {
            (Some(secret), _) => {
                tokens::upsert_client(&mut tx, client_id, &token::hash(secret), now).await?;
                None
            }
            (None, Some(_)) => None,
            (None, None) => {
                let secret = token::generate("cs_");
                tokens::upsert_client(&mut tx, client_id, &token::hash(&secret), now).await?;
                Some(secret)
            }
        };
        tx.commit().await?;
        Ok(StartupInfo {
            admin_client_id: client_id.clone(),
            generated_client_secret,
            created,
        })
    }

    /// Registers (or re-keys) an admin client in the store at `db_path` without starting an
    /// engine on it: the app gives itself its own credentials for an engine that may be served
    /// by another process at that moment (SQLite serialises the write between them). The
    /// store is created when missing; its account is created by the first engine start.
    pub async fn register_admin_client(
        db_path: &Path,
        client_id: &str,
        client_secret: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), EngineError> {
        let store = Store::open(db_path).await?;
        let outcome = async {
            let mut tx = store.begin().await?;
            tokens::upsert_client(&mut tx, client_id, &token::hash(client_secret), now).await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
        store.close().await;
        outcome
    }

    /// Syncs a stopped engine left half-done are marked failed and run again at the next tick.
    async fn resume_interrupted_syncs(&self) -> Result<(), EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        sqlx::query(
            "UPDATE connections SET next_sync_at = ? WHERE id IN
               (SELECT connection_id FROM sync_runs WHERE state = 'in_progress')",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let interrupted = crate::store::syncs::fail_interrupted(&mut tx, now).await?;
        tx.commit().await?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "syncs interrupted by a stop will run again");
        }
        Ok(())
    }

    /// One pass of every background job at the clock's now, waiting for all of them: the health
    /// monitor, due syncs and due webhook deliveries. Tests drive time with it.
    pub async fn tick(&self) -> Result<(), EngineError> {
        crate::sandbox::system::check_all(self).await?;
        crate::sync::run_due(self).await?;
        crate::webhooks::deliver_due(self).await?;
        Ok(())
    }

    /// The background jobs on the wall clock, until `shutdown` resolves. Each runs apart from
    /// the others: a long pass of due syncs (a seed's first syncs take a while) must neither
    /// delay the health monitor, which notices expired credentials and outages, nor hold back
    /// a webhook.
    pub async fn run_background(&self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let second = std::time::Duration::from_secs(1);
        let monitor = self.spawn_job("health monitor", second, stop_rx.clone(), |e| async move {
            crate::sandbox::system::check_all(&e).await
        });
        let scheduler = self.spawn_job("scheduler", second, stop_rx.clone(), |e| async move {
            crate::sync::run_due(&e).await.map(drop)
        });
        let deliverer = self.spawn_job(
            "webhook",
            std::time::Duration::from_millis(250),
            stop_rx,
            |e| async move { crate::webhooks::dispatch_due(&e).await.map(drop) },
        );
        shutdown.await;
        if stop_tx.send(true).is_err() {
            tracing::debug!("background jobs already stopped");
        }
        for job in [monitor, scheduler, deliverer] {
            if let Err(err) = job.await {
                tracing::error!(error = %err, "background job ended abnormally");
            }
        }
    }

    /// Runs `pass` every `period` on its own task until `stop` turns true; a failed pass is
    /// logged and the next one runs on time.
    fn spawn_job<F, Fut>(
        &self,
        job: &'static str,
        period: std::time::Duration,
        mut stop: tokio::sync::watch::Receiver<bool>,
        pass: F,
    ) -> tokio::task::JoinHandle<()>
    where
        F: Fn(Engine) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), EngineError>> + Send,
    {
        let engine = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            loop {
                tokio::select! {
                    _ = interval.tick() => {}
                    _ = stop.changed() => break,
                }
                if let Err(err) = pass(engine.clone()).await {
                    tracing::error!(job, error = %err, "background pass failed");
                }
            }
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The whole HTTP API.
    pub fn router(&self) -> axum::Router {
        crate::api::router(self.clone())
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// Serves the engine on `listener`, with its background jobs (scheduler, health monitor, webhook
/// delivery), until `shutdown` resolves; then finishes in-flight requests and stops the jobs.
pub async fn serve(
    listener: TcpListener,
    engine: Engine,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EngineError> {
    let app = engine
        .router()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let background = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .run_background(async move {
                    // An error means the sender is gone, which also means: stop.
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
        })
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    if stopping.send(true).is_err() {
        tracing::debug!("background jobs already stopped");
    }
    if let Err(err) = background.await {
        tracing::error!(error = %err, "background jobs ended abnormally");
    }
    served?;
    engine.close().await;
    Ok(())
}
