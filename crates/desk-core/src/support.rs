//! The support bundle: what a person helping a user needs to see (the logs, the request ids the
//! platform answered with, each connection's state, the versions), as one `.tar.gz`, with no
//! secret, no token and no record body in it.
//!
//! What goes in is chosen, not filtered out: the mirror's records, the inbox's bodies and the
//! vault are never read. The logs are copied line by line through [`redact`], which blanks what
//! looks like a credential (a `secret=`/`token:`/`password` field, an `Authorization` value, a
//! webhook secret, a long hex or base64 run such as the platform's tokens, a URL's user info),
//! because a log line is free text and a careless one must not carry a secret out.

use crate::desk::Desk;
use crate::CoreError;
use chrono::{DateTime, Utc};
use regex::Regex;
use serde::Serialize;
use std::borrow::Cow;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// What replaces a secret in the bundle's logs.
pub const REDACTED: &str = "[redacted]";

/// At most this much of the newest logs goes into a bundle, so it stays small enough to mail.
const LOG_BUDGET_BYTES: u64 = 32 * 1024 * 1024;

/// A field whose name says it holds a secret, `name=value`, `name: value`, `"name":"value"`
/// (tracing's fields, query strings, headers and JSON alike): group 1 is kept, the value goes.
static SECRET_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)("?[a-z0-9_.-]*(?:secret|token|password|passphrase|passwd|pwd|authorization|credential|cookie|api[_-]?key|private[_-]?key|signature)[a-z0-9_.-]*"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}\]]+)"#,
    )
    .expect("a valid pattern")
});
/// An `Authorization`-style value written without a field name.
static SCHEME_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}").expect("a valid pattern")
});
/// Secrets by their shape: webhook secrets (`whsec_`), client secrets (`cs_`), the platform's
/// tokens (a prefix and 64 hex digits) and any other long hex or base64 run.
static SECRET_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"whsec_[A-Za-z0-9+/=_-]+|\bcs_[A-Za-z0-9_-]{8,}|[0-9a-fA-F]{32,}|[A-Za-z0-9+/_-]{40,}={0,2}")
        .expect("a valid pattern")
});
/// `scheme://user:password@host`.
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"://[^/\s:@]+:[^/\s@]+@").expect("a valid pattern"));
/// The platform's request ids as our engine and the client log them.
static REQUEST_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\breq_[A-Za-z0-9]{6,64}\b").expect("a valid pattern"));

/// `line` with everything that looks like a secret replaced by [`REDACTED`].
pub fn redact(line: &str) -> Cow<'_, str> {
    let mut line = Cow::Borrowed(line);
    for (pattern, replacement) in [
        (&*URL_USERINFO, "://[redacted]@".to_owned()),
        (&*SECRET_FIELD, format!("${{1}}{REDACTED}")),
        (&*SCHEME_VALUE, format!("${{1}} {REDACTED}")),
        (&*SECRET_SHAPE, REDACTED.to_owned()),
    ] {
        if pattern.is_match(&line) {
            line = Cow::Owned(
                pattern
                    .replace_all(&line, replacement.as_str())
                    .into_owned(),
            );
        }
    }
    line
}

/// What [`write_bundle`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SupportBundle {
    /// The `.tar.gz` written.
    pub path: String,
    /// The files inside it, in order.
    pub files: Vec<String>,
    /// How many secret-looking values were blanked in the logs.
    pub redactions: u64,
    /// Log files left out because the newest ones already filled the bundle's budget.
    pub logs_left_out: Vec<String>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    app: &'static str,
    version: &'static str,
    os: &'static str,
    arch: &'static str,
    created_at: DateTime<Utc>,
    data_dir: String,
    active_profile: Option<String>,
    /// Said in the bundle itself, so whoever opens it knows what is not there and why.
    excluded: &'a [&'a str],
}

/// The state of one mirrored connection: ids, status and times, none of its fields' contents
/// (no email, no metadata, no token).
#[derive(Serialize)]
struct ConnectionState {
    profile: String,
    id: String,
    customer_id: String,
    system_id: Option<String>,
    deployment: Option<String>,
    status: String,
    online: bool,
    reauthorization_required: bool,
    credits: i64,
    last_sync_at: Option<DateTime<Utc>>,
    next_sync_at: Option<DateTime<Utc>>,
    token_issued_at: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct ProfileState {
    name: String,
    kind: String,
    /// Without user info or query, in case one was typed with a password in it.
    base_url: Option<String>,
    region: Option<String>,
    client_id: Option<String>,
    has_secret: bool,
}

const EXCLUDED: &[&str] = &[
    "the vault (vault.db): every secret",
    "synced records (mirror.db) and webhook bodies (inbox.db): customers' data",
    "tokens, passwords and secrets in the logs: replaced by [redacted]",
];

/// The folder logs are written to (`<data dir>/logs`, daily files by tracing-appender).
pub fn logs_dir(desk: &Desk) -> PathBuf {
    desk.data_dir().join("logs")
}

/// Writes the bundle to `out`, or to `<data dir>/support/makini-desk-support-<time>.tar.gz`.
pub async fn write_bundle(desk: &Desk, out: Option<PathBuf>) -> Result<SupportBundle, CoreError> {
    let now = Utc::now();
    let path = match out {
        Some(path) => path,
        None => desk.data_dir().join("support").join(format!(
            "makini-desk-support-{}.tar.gz",
            now.format("%Y%m%dT%H%M%SZ")
        )),
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|source| CoreError::io(parent, source))?;
    }

    let profiles = desk.mirror().profiles().await?;
    let connections = desk
        .mirror()
        .connections(&desk_store::ConnectionFilter::default())
        .await?;
    let manifest = Manifest {
        app: "Makini Desk",
        version: env!("CARGO_PKG_VERSION"),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        created_at: now,
        data_dir: desk.data_dir().display().to_string(),
        active_profile: desk.active_profile_name()?,
        excluded: EXCLUDED,
    };
    let profiles: Vec<ProfileState> = profiles
        .into_iter()
        .map(|profile| ProfileState {
            kind: profile.kind.as_str().to_owned(),
            base_url: profile.base_url.as_deref().map(plain_url),
            has_secret: profile.secret_ref.is_some(),
            name: profile.name,
            region: profile.region,
            client_id: profile.client_id,
        })
        .collect();
    let connections: Vec<ConnectionState> = connections
        .into_iter()
        .map(|mirrored| {
            let connection = mirrored.connection;
            ConnectionState {
                profile: mirrored.profile,
                id: connection.id,
                customer_id: connection.customer_id,
                system_id: connection.system_id,
                deployment: connection
                    .deployment
                    .map(|deployment| enum_text(&deployment)),
                status: enum_text(&connection.status),
                online: connection.online,
                reauthorization_required: connection.reauthorization_required,
                credits: connection.credits,
                last_sync_at: connection.last_sync_at,
                next_sync_at: connection.next_sync_at,
                token_issued_at: connection.token_issued_at,
            }
        })
        .collect();

    let logs = logs_dir(desk);
    let path_for_task = path.clone();
    let documents = vec![
        ("manifest.json".to_owned(), to_json(&manifest)?),
        ("profiles.json".to_owned(), to_json(&profiles)?),
        ("connections.json".to_owned(), to_json(&connections)?),
    ];
    tokio::task::spawn_blocking(move || pack(&path_for_task, documents, &logs))
        .await
        .map_err(|err| CoreError::Internal(format!("the support bundle's writer failed: {err}")))?
        .map(|mut bundle| {
            bundle.path = path.display().to_string();
            tracing::info!(path = %bundle.path, files = bundle.files.len(), redactions = bundle.redactions, "support bundle written");
            bundle
        })
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, CoreError> {
    serde_json::to_vec_pretty(value)
        .map_err(|err| CoreError::Internal(format!("cannot write the bundle's JSON: {err}")))
}

/// A serde enum's wire name (`"needs_reauthorization"`), as the API spells it.
fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(err) => format!("unknown ({err})"),
    }
}

/// A URL without user info, query or fragment.
fn plain_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            // Both only fail for URLs that cannot have user info, which then have none.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => REDACTED.to_owned(),
    }
}

/// Writes the archive: the documents, then the request ids and the redacted logs.
fn pack(
    path: &Path,
    documents: Vec<(String, Vec<u8>)>,
    logs: &Path,
) -> Result<SupportBundle, CoreError> {
    let io = |source| CoreError::io(path, source);
    // Written beside the target and renamed, so a failed bundle leaves no half archive.
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).map_err(|source| CoreError::io(&partial, source))?;
    let mut archive = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    let mut files = Vec::new();
    for (name, bytes) in documents {
        append(&mut archive, &name, &bytes).map_err(io)?;
        files.push(name);
    }

    let (chosen, logs_left_out) = newest_logs(logs)?;
    let mut redactions = 0u64;
    let mut request_ids = std::collections::BTreeSet::new();
    let mut redacted_logs = Vec::new();
    for log in &chosen {
        let reader = std::fs::File::open(log)
            .map(std::io::BufReader::new)
            .map_err(|source| CoreError::io(log, source))?;
        let mut out = Vec::new();
        for line in reader.split(b'\n') {
            let line = line.map_err(|source| CoreError::io(log, source))?;
            let line = String::from_utf8_lossy(&line);
            let clean = redact(&line);
            if let Cow::Owned(_) = clean {
                redactions += clean.matches(REDACTED).count() as u64;
            }
            for id in REQUEST_ID.find_iter(&clean) {
                request_ids.insert(id.as_str().to_owned());
            }
            out.extend_from_slice(clean.as_bytes());
            out.push(b'\n');
        }
        let name = format!(
            "logs/{}",
            log.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        redacted_logs.push((name, out));
    }
    let mut ids = Vec::new();
    for id in &request_ids {
        writeln!(ids, "{id}").map_err(io)?;
    }
    append(&mut archive, "request-ids.txt", &ids).map_err(io)?;
    files.push("request-ids.txt".to_owned());
    for (name, bytes) in redacted_logs {
        append(&mut archive, &name, &bytes).map_err(io)?;
        files.push(name);
    }
    let encoder = archive.into_inner().map_err(io)?;
    let file = encoder.finish().map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)?;
    Ok(SupportBundle {
        path: String::new(),
        files,
        redactions,
        logs_left_out,
    })
}

fn append<W: std::io::Write>(
    archive: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0),
    );
    header.set_cksum();
    archive.append_data(&mut header, name, bytes)
}

/// The log files, newest first, within [`LOG_BUDGET_BYTES`]; and the names of those left out.
fn newest_logs(dir: &Path) -> Result<(Vec<PathBuf>, Vec<String>), CoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        // No log written yet (a data folder used only by tests, or logging to stderr only).
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Vec::new(), Vec::new()))
        }
        Err(source) => return Err(CoreError::io(dir, source)),
    };
    let mut logs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| CoreError::io(dir, source))?;
        let metadata = entry
            .metadata()
            .map_err(|source| CoreError::io(&entry.path(), source))?;
        if metadata.is_file() {
            let modified = metadata.modified().unwrap_or(std::time::UNIX_EPOCH);
            logs.push((modified, metadata.len(), entry.path()));
        }
    }
    logs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.2.cmp(&a.2)));
    let mut used = 0u64;
    let mut chosen = Vec::new();
    let mut left_out = Vec::new();
    for (_, len, path) in logs {
        if used + len <= LOG_BUDGET_BYTES || chosen.is_empty() {
            used += len;
            chosen.push(path);
        } else {
            left_out.push(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
    }
    Ok((chosen, left_out))
}
