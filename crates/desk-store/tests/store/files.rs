//! Opening files: creation, sharing, and refusing newer or damaged files without touching them.

use crate::{mirror, work_order, CONN, PROFILE};
use desk_store::{IntegrityCheck, Mirror, Profile, ProfileKind, StoreError};
use sqlx::Connection as _;
use std::path::Path;

async fn raw(path: &Path, sql: &str) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// Every file of the database (main, WAL, shared memory), by name, with a digest of its bytes.
fn snapshot(path: &Path) -> Vec<(String, u64)> {
    let dir = path.parent().unwrap();
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        // -shm is SQLite's shared-memory scratch, which every reader updates; it holds no data.
        // An empty -wal, created by a reader, holds nothing either.
        .filter(|p| p.is_file() && !p.to_string_lossy().ends_with("-shm"))
        .filter(|p| std::fs::metadata(p).unwrap().len() > 0)
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                digest(&std::fs::read(&p).unwrap()),
            )
        })
        .collect();
    files.sort();
    files
}

fn digest(bytes: &[u8]) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

async fn refused_and_untouched(path: &Path, code: &str) -> StoreError {
    let before = std::fs::read(path).unwrap();
    let err = Mirror::open(path).await.expect_err("must be refused");
    assert_eq!(err.code(), code, "{err}");
    assert!(
        std::fs::read(path).unwrap() == before,
        "the file must be left as it was"
    );
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "the error names the file: {err}"
    );
    err
}

async fn closed_mirror_with_records() -> crate::TestMirror {
    let m = mirror().await;
    let page: Vec<_> = (0..5_000)
        .map(|n| work_order(n, "Replace hydraulic pump seal"))
        .collect();
    m.mirror
        .upsert_records(PROFILE, CONN, "work-orders", &page, None)
        .await
        .unwrap();
    m.mirror.close().await;
    // Everything into the main file, so damaging it damages the data.
    raw(&m.path, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    m
}

#[tokio::test]
async fn opening_creates_the_folder_and_the_file() {
    let m = mirror().await;
    assert!(m.path.is_file());
    assert!(m.mirror.profiles().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_new_file_has_16_kib_pages_and_an_existing_one_keeps_its_own() {
    let page_size = |path: &Path| {
        let db = rusqlite::Connection::open(path).unwrap();
        db.query_row("PRAGMA page_size", [], |row| row.get::<_, i64>(0))
            .unwrap()
    };
    let m = mirror().await;
    assert_eq!(page_size(&m.path), 16384);

    let dir = tempfile::tempdir().unwrap();
    let older = dir.path().join("mirror.db");
    {
        let db = rusqlite::Connection::open(&older).unwrap();
        db.execute_batch("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x);")
            .unwrap();
    }
    let reopened = Mirror::open(&older).await.unwrap();
    reopened
        .upsert_records(PROFILE, CONN, "work-orders", &[work_order(1, "Pump")], None)
        .await
        .unwrap();
    assert_eq!(page_size(&older), 4096);
}

#[tokio::test]
async fn a_folder_means_the_mirror_file_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = Mirror::open(dir.path()).await.unwrap();
    assert_eq!(mirror.path(), dir.path().join("mirror.db"));
}

#[tokio::test]
async fn two_processes_can_share_the_file_and_see_each_others_writes() {
    let m = mirror().await;
    let other = Mirror::open(&m.path).await.unwrap();
    let profile = Profile {
        name: "local".into(),
        kind: ProfileKind::Local,
        base_url: Some("http://127.0.0.1:8780".into()),
        region: None,
        client_id: Some("mdesk-local".into()),
        secret_ref: Some("profile/local/client_secret".into()),
        created_at: "2026-11-24T10:00:00.123456Z".parse().unwrap(),
    };
    let page = [work_order(1, "Inspect conveyor belt")];
    let (a, b) = tokio::join!(
        m.mirror.upsert_profile(&profile),
        other.upsert_records(PROFILE, CONN, "work-orders", &page, None)
    );
    a.unwrap();
    b.unwrap();
    assert_eq!(other.profiles().await.unwrap(), vec![profile]);
    assert_eq!(crate::rows(&m.mirror).await.len(), 1);
}

#[tokio::test]
async fn a_database_of_a_newer_format_is_refused_and_left_untouched() {
    let m = closed_mirror_with_records().await;
    raw(&m.path, "PRAGMA user_version = 99").await;
    let files = snapshot(&m.path);
    let err = refused_and_untouched(&m.path, "STORE_NEWER_VERSION").await;
    assert!(err.to_string().contains("newer version"), "{err}");
    assert_eq!(snapshot(&m.path), files, "no file of the database changed");
}

#[tokio::test]
async fn a_database_with_an_unknown_migration_is_refused_and_left_untouched() {
    let m = closed_mirror_with_records().await;
    raw(
        &m.path,
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .await;
    let files = snapshot(&m.path);
    refused_and_untouched(&m.path, "STORE_NEWER_VERSION").await;
    assert_eq!(snapshot(&m.path), files);
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_reported_corrupt_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.db");
    std::fs::write(
        &path,
        b"definitely not a database, just some text\n".repeat(200),
    )
    .unwrap();
    refused_and_untouched(&path, "STORE_CORRUPT").await;
}

#[tokio::test]
async fn a_database_with_damaged_pages_is_reported_corrupt_and_left_untouched() {
    let m = closed_mirror_with_records().await;
    let mut bytes = std::fs::read(&m.path).unwrap();
    assert!(bytes.len() > 64 * 4096, "enough pages to damage some");
    // Scribble over pages in the middle: b-tree pages that quick_check walks.
    for byte in &mut bytes[20 * 4096..40 * 4096] {
        *byte = 0xA5;
    }
    std::fs::write(&m.path, &bytes).unwrap();
    let err = refused_and_untouched(&m.path, "STORE_CORRUPT").await;
    assert!(err.to_string().contains("corrupt"), "{err}");
}

#[tokio::test]
async fn a_header_only_open_still_refuses_a_newer_format_and_a_file_that_is_not_sqlite() {
    let m = closed_mirror_with_records().await;
    let reopened = Mirror::open_with(&m.path, IntegrityCheck::HeaderOnly)
        .await
        .unwrap();
    assert_eq!(crate::rows(&reopened).await.len(), 5_000);
    reopened.close().await;
    raw(&m.path, "PRAGMA user_version = 7").await;
    let err = Mirror::open_with(&m.path, IntegrityCheck::HeaderOnly)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "STORE_NEWER_VERSION");
    for sidecar in ["mirror.db-wal", "mirror.db-shm"] {
        let sidecar = m.path.with_file_name(sidecar);
        if sidecar.exists() {
            std::fs::remove_file(sidecar).unwrap();
        }
    }
    std::fs::write(&m.path, b"not a database at all".repeat(300)).unwrap();
    let err = Mirror::open_with(&m.path, IntegrityCheck::HeaderOnly)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "STORE_CORRUPT");
}
