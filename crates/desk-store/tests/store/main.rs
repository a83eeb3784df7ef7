#![allow(clippy::unwrap_used)]
//! The mirror's integration tests: one binary, every database in its own temp dir.

mod activity;
mod browse;
mod credits;
mod export;
mod files;
mod overview;
mod records;
mod search;
mod statement;

use desk_store::Mirror;
use serde_json::{json, Value};
use std::path::PathBuf;

pub const PROFILE: &str = "local";
pub const CONN: &str = "conn_1";

pub struct TestMirror {
    pub mirror: Mirror,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

pub async fn mirror() -> TestMirror {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("mirror.db");
    let mirror = Mirror::open(&path).await.unwrap();
    TestMirror {
        mirror,
        path,
        _dir: dir,
    }
}

/// A work order as the data API returns it.
pub fn work_order(n: u32, title: &str) -> Value {
    json!({
        "id": format!("wo_{n:06}"),
        "title": title,
        "priority": "high",
        "state": "open",
        "technician": "Dana Whitfield",
        "created_at": "2026-11-01T08:00:00Z",
        "updated_at": format!("2026-11-{:02}T08:00:00Z", 1 + n % 28),
        "deleted_at": null,
    })
}

/// Every record row as stored, in a comparable form.
pub async fn rows(mirror: &Mirror) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = mirror
            .records(&desk_store::RecordQuery {
                include_deleted: true,
                limit: 1000,
                after: after.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        out.extend(page.records);
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}
