pub mod alerts;
pub mod connections;
pub mod credits;
pub mod customers;
pub mod desk;
pub mod engine;
pub mod inbox;
pub mod lifecycle;
pub mod parity;
pub mod profiles;
pub mod raw;
pub mod records;
pub mod serve;
pub mod support;
pub mod sync;
pub mod webhooks;

/// Resolves on Ctrl-C or SIGTERM, so servers stop cleanly with what they acknowledged on disk.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
