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
        let engine = Self {
            store,
            catalog: Arc::new(Catalog::builtin()?),
            clock,
            config: Arc::new(config),
        };
        let info = engine.bootstrap().await?;
        if let (true, Some(seed)) = (info.created, engine.config.seed) {
            crate::seed::apply(&engine, seed).await?;
        }
        Ok((engine, info))
    }

    /// Creates the account on an empty store and registers the admin client.
    async fn bootstrap(&self) -> Result<StartupInfo, EngineError> {
        let now = self.clock.now();
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
                now,
            )
            .await?;
            crate::lifecycle::append_purchase(&mut tx, TRIAL_CREDITS, now).await?;
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

/// Serves the engine on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    engine: Engine,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EngineError> {
    let app = engine
        .router()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    engine.close().await;
    Ok(())
}
