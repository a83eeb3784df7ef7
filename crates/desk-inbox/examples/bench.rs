//! Throughput and latency of the receiver, side by side with baselines in the same run.
//!
//! `cargo run -p desk-inbox --release --example bench -- [requests] [senders]`
//!
//! Prints one line per figure: `name: value unit (ratio to baseline)`. Baselines: a bare axum
//! server that answers 200 and does nothing, and, when the `webhook` binary (Debian's
//! adnanh/webhook) is on PATH, that tool with an HMAC-SHA256 rule (which does not persist).
//! Every sender keeps one connection alive and sends its share one request at a time.

#![allow(clippy::print_stdout)]

use axum::routing::post;
use desk_inbox::{Durability, Inbox, InboxConfig};
use desk_platform::webhook_signature::WebhookKey;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Failure = Box<dyn std::error::Error + Send + Sync>;

struct Figures {
    rate: f64,
    p99_ms: f64,
    p50_ms: f64,
}

#[derive(Clone, Copy)]
enum Signing {
    Standard,
    /// adnanh/webhook's `payload-hmac-sha256` rule: hex HMAC of the body in a header.
    BodyHex,
}

async fn load(
    url: &str,
    requests: usize,
    senders: usize,
    signing: Signing,
) -> Result<Figures, Failure> {
    let key = WebhookKey::from_bytes(b"bench-secret".to_vec())?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for sender in 0..senders {
        let url = url.to_owned();
        let key = key.clone();
        let share = requests / senders + usize::from(sender < requests % senders);
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
            let mut latencies = Vec::with_capacity(share);
            for n in 0..share {
                let id = format!("evt_bench_{sender}_{n}");
                let body = format!(
                    r#"{{"id":"{id}","type":"sync.completed","created_at":"2026-03-01T12:00:00Z","connection_id":"conn_{}","customer_id":"cus_1","data":{{"sync_id":"sync_{n}","records":3}}}}"#,
                    n % 50
                );
                let now = chrono::Utc::now().timestamp();
                let request = client.post(&url).header("content-type", "application/json");
                let request = match signing {
                    Signing::Standard => request
                        .header("webhook-id", &id)
                        .header("webhook-timestamp", now.to_string())
                        .header("webhook-signature", key.sign(&id, now, body.as_bytes())),
                    Signing::BodyHex => request
                        .header("x-signature", format!("sha256={}", hex::encode(key.body_hmac(body.as_bytes())))),
                };
                let sent = Instant::now();
                let response = request.body(body).send().await?;
                if !response.status().is_success() {
                    return Err(format!("answer {}", response.status()).into());
                }
                response.bytes().await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, Failure>(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        latencies
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(Figures {
        rate: latencies.len() as f64 / elapsed,
        p99_ms: at(0.99),
        p50_ms: at(0.50),
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
    dir: &std::path::Path,
) -> Result<(Inbox, SocketAddr), Failure> {
    let config = InboxConfig {
        durability,
        background_processing: processing,
        ..InboxConfig::with_secret(WebhookKey::from_bytes(b"bench-secret".to_vec())?)
    };
    let inbox = Inbox::open(dir, config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = inbox.clone();
    tokio::spawn(async move { server.serve(listener, std::future::pending()).await });
    Ok((inbox, addr))
}

/// Starts adnanh/webhook with an HMAC rule, if it is installed.
fn webhook_tool(dir: &std::path::Path) -> Result<Option<(Child, String)>, Failure> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let hooks = dir.join("hooks.json");
    std::fs::write(
        &hooks,
        r#"[{"id": "bench", "execute-command": "/bin/true", "trigger-rule":
            {"match": {"type": "payload-hmac-sha256", "secret": "bench-secret",
                       "parameter": {"source": "header", "name": "X-Signature"}}}}]"#,
    )?;
    let child = match Command::new("webhook")
        .args([
            "-hooks",
            &hooks.to_string_lossy(),
            "-ip",
            "127.0.0.1",
            "-port",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("webhook did not start listening".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Some((
        child,
        format!("http://127.0.0.1:{port}/hooks/bench"),
    )))
}

fn line(name: &str, value: f64, unit: &str, baseline: Option<(f64, &str)>) {
    match baseline {
        Some((base, label)) => println!("{name}: {value:.1} {unit} ({:.2}x {label})", value / base),
        None => println!("{name}: {value:.1} {unit} (baseline)"),
    }
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let requests: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let senders: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let dir = tempfile::tempdir()?;

    let bare = bare_server().await?;
    load(
        &format!("http://{bare}/webhooks"),
        senders * 10,
        senders,
        Signing::Standard,
    )
    .await?; // warm-up
    let base = load(
        &format!("http://{bare}/webhooks"),
        requests,
        senders,
        Signing::Standard,
    )
    .await?;
    line("bare_server_rate", base.rate, "req/s", None);
    line("bare_server_p99", base.p99_ms, "ms", None);

    // "receive_only" leaves processing for later, to show what the write path alone costs.
    let setups = [
        ("full", Durability::Full, true),
        ("normal", Durability::Normal, true),
        ("full_receive_only", Durability::Full, false),
    ];
    for (label, durability, processing) in setups {
        let folder = dir.path().join(label);
        let (inbox, addr) = inbox_server(durability, processing, &folder).await?;
        let figures = load(
            &format!("http://{addr}/webhooks"),
            requests,
            senders,
            Signing::Standard,
        )
        .await?;
        line(
            &format!("inbox_{label}_rate"),
            figures.rate,
            "webhooks/s",
            Some((base.rate, "of bare server")),
        );
        line(
            &format!("inbox_{label}_p50"),
            figures.p50_ms,
            "ms",
            Some((base.p50_ms, "of bare server")),
        );
        line(
            &format!("inbox_{label}_p99"),
            figures.p99_ms,
            "ms",
            Some((base.p99_ms, "of bare server")),
        );
        inbox.close().await;
    }

    match webhook_tool(dir.path())? {
        None => println!("adnanh_webhook_rate: skipped (the webhook binary is not on PATH)"),
        Some((mut child, url)) => {
            let tool = load(&url, requests, senders, Signing::BodyHex).await;
            child.kill()?;
            child.wait()?;
            let tool = tool?;
            line(
                "adnanh_webhook_rate",
                tool.rate,
                "req/s",
                Some((base.rate, "of bare server")),
            );
            line(
                "adnanh_webhook_p99",
                tool.p99_ms,
                "ms",
                Some((base.p99_ms, "of bare server")),
            );
        }
    }
    Ok(())
}
