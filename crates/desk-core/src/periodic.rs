//! Background jobs that run a pass on an interval until shutdown: catch-up, status polling.

use crate::CoreError;
use std::future::Future;
use std::time::Duration;

/// Runs `pass` every `interval` (the first at once) until `shutdown` resolves. A failed pass is
/// logged and retried at the next tick: the platform may be unreachable for a while, which is
/// when these jobs matter. `job` names it in the logs.
pub(crate) async fn every<F, Fut, T>(
    job: &'static str,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CoreError>>,
{
    tokio::pin!(shutdown);
    let mut ticker = tokio::time::interval(interval);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticker.tick() => {}
        }
        if let Err(err) = pass().await {
            tracing::warn!(job, error = %err, code = %err.code(), "pass failed; retrying at the next one");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::every;
    use crate::CoreError;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_failed_pass_does_not_stop_the_job_and_shutdown_does() {
        let passes = Arc::new(AtomicU32::new(0));
        let done = Arc::new(tokio::sync::Notify::new());
        let job = {
            let passes = Arc::clone(&passes);
            let done = Arc::clone(&done);
            every(
                "test",
                Duration::from_millis(5),
                done.clone().notified_owned(),
                move || {
                    let passes = Arc::clone(&passes);
                    let done = Arc::clone(&done);
                    async move {
                        let n = passes.fetch_add(1, Ordering::SeqCst) + 1;
                        if n == 3 {
                            done.notify_one();
                        }
                        // Every other pass fails; the job goes on regardless.
                        if n % 2 == 1 {
                            return Err(CoreError::InvalidInput("unreachable platform".into()));
                        }
                        Ok(())
                    }
                },
            )
        };
        // Bounded: three passes 5 ms apart end well within this.
        tokio::time::timeout(Duration::from_secs(10), job)
            .await
            .expect("the job stopped on shutdown");
        assert!(passes.load(Ordering::SeqCst) >= 3);
    }
}
