//! What the action-layer benches share (`#[path]`-included, not an example of its own): one
//! query timed three ways, interleaved (the store's own query as the baseline, the action fn,
//! the action over HTTP through `mdesk serve`'s router on loopback), and that server.

use desk_core::Desk;
use desk_server::{LaunchToken, ServerState};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs per query and way.
pub const RUNS: usize = 100;

pub type Error = Box<dyn std::error::Error>;

pub fn p95(samples: &mut [Duration]) -> f64 {
    samples.sort();
    let at = (samples.len() * 95).div_ceil(100).saturating_sub(1);
    samples.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn timed<F: Future<Output = Result<usize, Error>>>(f: F) -> Result<(Duration, usize), Error> {
    let started = Instant::now();
    let rows = f.await?;
    Ok((started.elapsed(), rows))
}

#[derive(Default)]
pub struct Figures {
    pub worst_action: f64,
    pub worst_ratio: f64,
    pub worst_http: f64,
}

/// Times the three ways of one query `RUNS` times each, rotating which goes first so none
/// always meets a warm cache. All three return how many rows they read, which must agree.
#[allow(dead_code)] // each bench uses one of the two
pub async fn compare<M, MF, A, AF, H, HF>(
    figures: &mut Figures,
    name: &str,
    mirror: M,
    action: A,
    http: H,
) -> Result<(), Error>
where
    M: Fn(usize) -> MF,
    MF: Future<Output = Result<usize, Error>>,
    A: Fn(usize) -> AF,
    AF: Future<Output = Result<usize, Error>>,
    H: Fn(usize) -> HF,
    HF: Future<Output = Result<usize, Error>>,
{
    compare_runs(figures, name, RUNS, mirror, action, http).await
}

/// [`compare`] with `runs` runs per way, for queries too slow for `RUNS`.
pub async fn compare_runs<M, MF, A, AF, H, HF>(
    figures: &mut Figures,
    name: &str,
    runs: usize,
    mirror: M,
    action: A,
    http: H,
) -> Result<(), Error>
where
    M: Fn(usize) -> MF,
    MF: Future<Output = Result<usize, Error>>,
    A: Fn(usize) -> AF,
    AF: Future<Output = Result<usize, Error>>,
    H: Fn(usize) -> HF,
    HF: Future<Output = Result<usize, Error>>,
{
    let mut times = [Vec::new(), Vec::new(), Vec::new()];
    for run in 0..runs {
        let mut rows = [0usize; 3];
        for turn in 0..3 {
            let way = (run + turn) % 3;
            let (took, n) = match way {
                0 => timed(mirror(run)).await?,
                1 => timed(action(run)).await?,
                _ => timed(http(run)).await?,
            };
            times[way].push(took);
            rows[way] = n;
        }
        if rows[0] != rows[1] || rows[0] != rows[2] {
            return Err(format!("{name}: rows differ (mirror, action, http): {rows:?}").into());
        }
    }
    let [mut bare, mut action, mut http] = times;
    let (bare, action, http) = (p95(&mut bare), p95(&mut action), p95(&mut http));
    println!(
        "{name}: action p95 {action:.2} ms (ratio {:.2} to the store's own query, {bare:.2} ms), http p95 {http:.2} ms (ratio {:.2})",
        action / bare,
        http / bare
    );
    figures.worst_action = figures.worst_action.max(action);
    figures.worst_http = figures.worst_http.max(http);
    figures.worst_ratio = figures.worst_ratio.max(action / bare);
    Ok(())
}

pub struct Http {
    client: reqwest::Client,
    base: String,
    token: LaunchToken,
}

impl Http {
    /// An action over HTTP; `rows` picks the row count out of the answer.
    pub async fn call(
        &self,
        name: &str,
        body: serde_json::Value,
        rows: &str,
    ) -> Result<usize, Error> {
        let answer: serde_json::Value = self
            .client
            .post(format!("{}/api/actions/{name}", self.base))
            .bearer_auth(self.token.as_str())
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let value = answer
            .pointer(rows)
            .ok_or_else(|| format!("{name}: no {rows}"))?;
        Ok(match value {
            serde_json::Value::Array(items) => items.len(),
            other => other.as_u64().ok_or("not a count")? as usize,
        })
    }
}

/// `mdesk serve`'s router for `desk` on a loopback port, until [`Loopback::stop`].
pub struct Loopback {
    pub http: Http,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Loopback {
    pub async fn start(desk: Arc<Desk>) -> Result<Self, Error> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let token = LaunchToken::random();
        let state = Arc::new(ServerState::new(desk, token.clone(), addr));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(desk_server::serve(listener, state, None, async move {
            if stopped.await.is_err() {
                eprintln!("the bench dropped its server's stop signal");
            }
        }));
        Ok(Self {
            http: Http {
                client: reqwest::Client::builder().no_proxy().build()?,
                base: format!("http://{addr}"),
                token,
            },
            stop,
            server,
        })
    }

    pub async fn stop(self) -> Result<(), Error> {
        if self.stop.send(()).is_err() {
            eprintln!("the server had already stopped");
        }
        self.server.await??;
        Ok(())
    }
}
