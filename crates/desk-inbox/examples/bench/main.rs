//! Throughput and latency of the receiver under a real load generator, side by side with
//! baselines driven the same way in the same run.
//!
//! `cargo run -p desk-inbox --release --example bench -- [seconds] [connections]`
//!
//! `wrk` (Debian's package) sends pre-signed requests, each with its own event id, over
//! `connections` keep-alive connections for `seconds` to: a bare axum server that answers 200
//! and does nothing (the baseline), nginx answering 200 (when installed), Debian's
//! adnanh/webhook with an HMAC rule (when installed; it does not persist), and the inbox (FULL
//! and NORMAL durability with the processor running, and FULL receiving alone). After each
//! inbox run it checks that every acknowledged webhook is stored and reports how long the
//! processor took to finish what the burst left pending, and where an answer's wait went
//! (`Inbox::intake_timing`). Prints `name: value unit (ratio)`.

#![allow(clippy::print_stdout)]

mod wrk;

use axum::routing::post;
use desk_inbox::{Durability, Inbox, InboxConfig};
use desk_platform::webhook_signature::WebhookKey;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wrk::{Failure, Prepared};

const SECRET: &[u8] = b"bench-secret";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Signing {
    Standard,
    /// adnanh/webhook's `payload-hmac-sha256` rule: hex HMAC of the body in a header.
    BodyHex,
}

/// Prepares `per_thread` signed requests per wrk thread for `host` + `path`.
fn prepare(
    dir: &Path,
    host: &str,
    path: &str,
    per_thread: usize,
    signing: Signing,
) -> Result<(), Failure> {
    let key = WebhookKey::from_bytes(SECRET.to_vec())?;
    let now = chrono::Utc::now().timestamp();
    wrk::prepare(dir, host, path, per_thread, |thread, n| {
        let id = format!("evt_bench_{thread}_{n}");
        let body = format!(
            r#"{{"id":"{id}","type":"sync.completed","created_at":"2026-03-01T12:00:00Z","connection_id":"conn_{}","customer_id":"cus_1","data":{{"sync_id":"sync_{n}","records":3}}}}"#,
            n % 50
        );
        let headers = match signing {
            Signing::Standard => vec![
                ("webhook-id".to_owned(), id.clone()),
                ("webhook-timestamp".to_owned(), now.to_string()),
                (
                    "webhook-signature".to_owned(),
                    key.sign(&id, now, body.as_bytes()),
                ),
            ],
            Signing::BodyHex => vec![(
                "X-Signature".to_owned(),
                format!("sha256={}", hex::encode(key.body_hmac(body.as_bytes()))),
            )],
        };
        Prepared { headers, body }
    })
}

async fn bare_server() -> Result<SocketAddr, Failure> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route("/webhooks", post(|| async { "{}" }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

async fn inbox_server(
    durability: Durability,
    processing: bool,
    dir: &Path,
) -> Result<(Inbox, SocketAddr), Failure> {
    let config = InboxConfig {
        durability,
        background_processing: processing,
        ..InboxConfig::with_secret(WebhookKey::from_bytes(SECRET.to_vec())?)
    };
    let inbox = Inbox::open(dir, config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = inbox.clone();
    tokio::spawn(async move { server.serve(listener, std::future::pending()).await });
    Ok((inbox, addr))
}

/// Starts adnanh/webhook with an HMAC rule, if it is installed; its address and path.
fn webhook_tool(dir: &Path) -> Result<Option<(Child, String)>, Failure> {
    let port = free_port()?;
    let hooks = dir.join("hooks.json");
    std::fs::write(
        &hooks,
        r#"[{"id": "bench", "execute-command": "/bin/true", "trigger-rule":
            {"match": {"type": "payload-hmac-sha256", "secret": "bench-secret",
                       "parameter": {"source": "header", "name": "X-Signature"}}}}]"#,
    )?;
    let child = match Command::new("webhook")
        .arg("-hooks")
        .arg(&hooks)
        .args(["-ip", "127.0.0.1", "-port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    wait_listening(port)?;
    Ok(Some((child, format!("127.0.0.1:{port}"))))
}

fn line(name: &str, value: f64, unit: &str, baseline: Option<(f64, &str)>) {
    match baseline {
        Some((base, label)) => println!("{name}: {value:.1} {unit} ({:.2}x {label})", value / base),
        None => println!("{name}: {value:.1} {unit} (baseline)"),
    }
}

/// Starts nginx answering `POST /webhooks` with 200, if it is installed.
fn nginx(dir: &Path) -> Result<Option<(Child, String)>, Failure> {
    let Some(binary) = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|path| Path::new(path).exists())
    else {
        return Ok(None);
    };
    let port = free_port()?;
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("logs"))?;
    let conf = prefix.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto; pid {pid}; error_log stderr error;
             events {{ worker_connections 1024; }}
             http {{ access_log off; client_body_temp_path {tmp};
               server {{ listen 127.0.0.1:{port}; location = /webhooks {{ return 200 '{{}}'; }} }} }}",
            pid = prefix.join("nginx.pid").display(),
            tmp = prefix.join("body").display(),
        ),
    )?;
    let child = Command::new(binary)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    wait_listening(port)?;
    Ok(Some((child, format!("127.0.0.1:{port}"))))
}

fn free_port() -> Result<u16, Failure> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_listening(port: u16) -> Result<(), Failure> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on port {port}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// SIGTERM, not `Child::kill`'s SIGKILL: nginx's master then takes its workers down with it.
fn stop(mut child: Child) -> Result<(), Failure> {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    if !status.success() {
        child.kill()?;
    }
    child.wait()?;
    Ok(())
}

struct Bench {
    dir: tempfile::TempDir,
    seconds: u64,
    connections: usize,
    /// Prepared requests per wrk thread: more than the fastest server can take in the run.
    per_thread: usize,
    /// What the prepared files hold, and when they were signed.
    prepared: std::cell::Cell<Option<(Signing, Instant)>>,
}

/// Prepared requests are signed again before they come near the receiver's 5-minute tolerance.
const RESIGN_AFTER: Duration = Duration::from_secs(180);

impl Bench {
    /// Every server gets the same prepared requests (the Host header is the same for all), so
    /// they are built once per signing scheme, not per run.
    fn drive(&self, addr: &str, path: &str, signing: Signing) -> Result<wrk::Run, Failure> {
        let fresh = self
            .prepared
            .get()
            .is_some_and(|(prepared, at)| prepared == signing && at.elapsed() < RESIGN_AFTER);
        if !fresh {
            prepare(self.dir.path(), "127.0.0.1", path, self.per_thread, signing)?;
            self.prepared.set(Some((signing, Instant::now())));
        }
        let url = format!("http://{addr}{path}");
        wrk::run(self.dir.path(), &url, self.seconds, self.connections)
    }
}

fn report(name: &str, run: &wrk::Run, base: Option<&wrk::Run>) {
    let of = base.map(|base| (base.rate(), "of bare server"));
    line(&format!("{name}_rate"), run.rate(), "req/s", of);
    let of = base.map(|base| (base.p50_ms(), "of bare server"));
    line(&format!("{name}_p50"), run.p50_ms(), "ms", of);
    let of = base.map(|base| (base.p99_ms(), "of bare server"));
    line(&format!("{name}_p99"), run.p99_ms(), "ms", of);
    if run.socket_errors > 0 || run.wrapped > 0 {
        println!(
            "{name}_note: {} socket errors, {} restarts of the prepared requests",
            run.socket_errors, run.wrapped
        );
    }
}

/// Where an answer's wait went, averaged per webhook over the run (`Inbox::intake_timing`).
fn print_wait(name: &str, timing: &desk_inbox::IntakeTiming) {
    let ms = |stage: Duration| timing.per_row(stage).as_secs_f64() * 1e3;
    println!(
        "{name}_wait: {:.2} ms per webhook: queue {:.2}, its batch's write {:.2} (batches of {:.1}), \
         waiting for the disk {:.2}, the WAL sync {:.2} ({} syncs), the answer back to its handler {:.2}",
        timing.answer_wait_per_answer().as_secs_f64() * 1e3,
        ms(timing.queued),
        ms(timing.writing),
        timing.rows_per_batch(),
        ms(timing.disk_wait),
        ms(timing.syncing),
        timing.syncs,
        timing.answering_per_row().as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let connections: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let bench = Bench {
        dir: tempfile::tempdir()?,
        seconds,
        connections,
        per_thread: usize::try_from(seconds)? * 50_000,
        prepared: std::cell::Cell::new(None),
    };

    // BENCH_ONLY=inbox_normal (a part of the names below) runs only those beside the baseline,
    // for profiling one of them.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let wanted = |name: &str| name.contains(only.as_str());
    let bare = bare_server().await?.to_string();
    bench.drive(&bare, "/webhooks", Signing::Standard)?; // warm-up (and page cache)
    let base = bench.drive(&bare, "/webhooks", Signing::Standard)?;
    report("bare_server", &base, None);
    let mut bare_before = base.clone();

    if wanted("nginx") {
        match nginx(bench.dir.path())? {
            None => println!("nginx_rate: skipped (nginx is not installed)"),
            Some((child, addr)) => {
                let run = bench.drive(&addr, "/webhooks", Signing::Standard);
                stop(child)?;
                report("nginx", &run?, Some(&base));
            }
        }
    }

    // "receive_only" leaves processing for later, to show what the write path alone costs.
    let setups = [
        ("full", Durability::Full, true),
        ("normal", Durability::Normal, true),
        ("full_receive_only", Durability::Full, false),
    ];
    for (label, durability, processing) in setups {
        if !wanted(&format!("inbox_{label}")) {
            continue;
        }
        let folder = bench.dir.path().join(label);
        let (inbox, addr) = inbox_server(durability, processing, &folder).await?;
        let run = bench.drive(&addr.to_string(), "/webhooks", Signing::Standard)?;
        let ended = Instant::now();
        let name = format!("inbox_{label}");
        let timing = inbox.intake_timing();
        let stats = inbox.stats().await?;
        // wrk does not count requests still in flight when it stops, which are stored too.
        if u64::try_from(stats.total)? < run.acknowledged() || run.status_errors > 0 {
            return Err(format!(
                "{name}: {} acknowledged but {} stored, {} refused",
                run.acknowledged(),
                stats.total,
                run.status_errors
            )
            .into());
        }
        println!(
            "{name}_stored: {} of {} acknowledged",
            stats.total,
            run.acknowledged()
        );
        if processing {
            let deadline = ended + Duration::from_secs(120);
            let mut pending = stats.pending;
            while pending > 0 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
                pending = inbox.stats().await?.pending;
            }
            println!(
                "{name}_processing_lag: {:.2} s after the burst ({} left pending at the end of it, {pending} still pending)",
                ended.elapsed().as_secs_f64(),
                stats.pending
            );
        }
        inbox.close().await;
        // The machine's speed drifts within a minute (other tenants, the disk): the ratio is to
        // the bare server's runs right before and after this one, not to the first alone.
        let bare_after = bench.drive(&bare, "/webhooks", Signing::Standard)?;
        let around = bare_before.around(&bare_after);
        println!(
            "{name}_baseline: {:.1} req/s (the bare server's runs before and after it: {:.1}, {:.1})",
            around.rate(),
            bare_before.rate(),
            bare_after.rate()
        );
        report(&name, &run, Some(&around));
        print_wait(&name, &timing);
        bare_before = bare_after;
    }

    if !wanted("adnanh_webhook") {
        return Ok(());
    }
    match webhook_tool(bench.dir.path())? {
        None => println!("adnanh_webhook_rate: skipped (the webhook binary is not on PATH)"),
        Some((child, addr)) => {
            let run = bench.drive(&addr, "/hooks/bench", Signing::BodyHex);
            stop(child)?;
            report("adnanh_webhook", &run?, Some(&base));
        }
    }
    Ok(())
}
