//! Driving a server with `wrk` (Debian's package): a load generator outside this process, so the
//! servers measured here do not share their runtime with the client. Every request is built and
//! signed before the run (one file per wrk thread, `\0`-separated raw HTTP requests), each with
//! its own event id; the Lua script only hands them out in order.

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// wrk's threads (one per core) and the script's request files, one per thread.
pub const THREADS: usize = 2;

const SCRIPT: &str = r#"
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  local f = assert(io.open(args[1] .. "/requests-" .. tid .. ".bin", "rb"))
  local data = f:read("*a")
  f:close()
  reqs = {}
  for r in string.gmatch(data, "([^%z]+)") do reqs[#reqs + 1] = r end
  i = 0
  wrapped = 0
end
function request()
  i = i + 1
  if i > #reqs then i = 1; wrapped = wrapped + 1 end
  return reqs[i]
end
function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do wraps = wraps + t:get("wrapped") end
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"wrapped":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), wraps))
end
"#;

/// What wrk measured.
#[derive(serde::Deserialize, Debug, Clone)]
pub struct Run {
    pub requests: u64,
    pub duration_us: u64,
    /// Answers other than 2xx/3xx.
    pub status_errors: u64,
    pub socket_errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// How often a thread ran out of prepared requests and started over (repeated ids).
    pub wrapped: u64,
}

impl Run {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }
    /// Requests answered 2xx.
    pub fn acknowledged(&self) -> u64 {
        self.requests.saturating_sub(self.status_errors)
    }
    pub fn p50_ms(&self) -> f64 {
        self.p50_us as f64 / 1000.0
    }
    pub fn p99_ms(&self) -> f64 {
        self.p99_us as f64 / 1000.0
    }
    /// Two runs taken as one: their requests over their time, their percentiles' mean.
    pub fn around(&self, other: &Run) -> Run {
        Run {
            requests: self.requests + other.requests,
            duration_us: self.duration_us + other.duration_us,
            status_errors: self.status_errors + other.status_errors,
            socket_errors: self.socket_errors + other.socket_errors,
            p50_us: (self.p50_us + other.p50_us) / 2,
            p99_us: (self.p99_us + other.p99_us) / 2,
            wrapped: self.wrapped + other.wrapped,
        }
    }
}

/// One request: the path, its extra headers and its body.
pub struct Prepared {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Writes `count` requests per thread (from `make(thread, n)`) for `host` + `path` into `dir`.
pub fn prepare(
    dir: &Path,
    host: &str,
    path: &str,
    count: usize,
    make: impl Fn(usize, usize) -> Prepared,
) -> Result<(), Failure> {
    for thread in 0..THREADS {
        let mut out = Vec::with_capacity(count * 700);
        for n in 0..count {
            let Prepared { headers, body } = make(thread, n);
            out.extend_from_slice(
                format!("POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n", body.len())
                    .as_bytes(),
            );
            for (name, value) in headers {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(body.as_bytes());
            out.push(0);
        }
        std::fs::write(dir.join(format!("requests-{thread}.bin")), out)?;
    }
    Ok(())
}

/// Runs wrk against `url` for `seconds` with `connections`, with the requests in `dir`.
pub fn run(dir: &Path, url: &str, seconds: u64, connections: usize) -> Result<Run, Failure> {
    let script: PathBuf = dir.join("prepared.lua");
    std::fs::write(&script, SCRIPT)?;
    let output = Command::new("wrk")
        .args([
            "-t",
            &THREADS.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{seconds}s"),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(&script)
        .arg(url)
        .arg("--")
        .arg(dir)
        .output()
        .map_err(|err| format!("running wrk (apt-get install wrk): {err}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("WRK "))
        .ok_or_else(|| format!("wrk printed no summary: {stdout}"))?;
    Ok(serde_json::from_str(line)?)
}
