//! No secret reaches the disk or the log in any readable form.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::distributions::{Alphanumeric, DistString as _};

use crate::{open_with_passphrase, secret, temp_dir, vault_path};

/// Collects every log line (TRACE and up, sqlx included) into a shared buffer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The readable forms a secret could leak in.
fn forms(value: &str) -> Vec<Vec<u8>> {
    let bytes = value.as_bytes();
    vec![
        bytes.to_vec(),
        STANDARD.encode(bytes).into_bytes(),
        URL_SAFE_NO_PAD.encode(bytes).into_bytes(),
        hex::encode(bytes).into_bytes(),
        hex::encode_upper(bytes).into_bytes(),
    ]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Greps every file under `dir` (vault.db, -wal, -shm, the log) for every form of every value.
fn assert_nowhere(dir: &Path, values: &[String]) -> usize {
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        // SQLite may remove -wal/-shm while we scan (a connection finishing its close).
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => panic!("cannot read {}: {err}", path.display()),
        };
        scanned += 1;
        for value in values {
            for form in forms(value) {
                assert!(
                    !contains(&bytes, &form),
                    "a secret was found in {} ({} bytes)",
                    path.display(),
                    bytes.len()
                );
            }
        }
    }
    scanned
}

#[tokio::test]
async fn no_secret_or_passphrase_appears_in_any_vault_file_or_log_line() {
    let dir = temp_dir();
    let path = vault_path(&dir);
    let log = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(log.clone())
        .finish();
    // The test runtime is single-threaded, so a thread-local default sees every event.
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut rng = rand::thread_rng();
    let passphrases: Vec<String> = (0..2)
        .map(|_| Alphanumeric.sample_string(&mut rng, 24))
        .collect();
    let secrets: Vec<String> = (0..6)
        .map(|i| Alphanumeric.sample_string(&mut rng, 16 + i * 40))
        .collect();

    let vault = open_with_passphrase(&path, &passphrases[0]).await;
    for (i, value) in secrets.iter().enumerate() {
        let scope = format!("cus_{}", i % 3);
        vault
            .put(&scope, &format!("name_{i}"), &secret(value))
            .await
            .expect("put");
        let got = vault
            .get(&scope, &format!("name_{i}"))
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(got.expose(), value);
        tracing::debug!(?got, "a careless Debug of a secret must stay redacted");
    }
    vault.delete("cus_0", "name_0").await.expect("delete");
    vault
        .rotate_master_key(crate::passphrase(&passphrases[1]))
        .await
        .expect("rotate");
    vault.delete_scope("cus_1").await.expect("shred");

    // While open (WAL and shared memory files present) and after a clean close.
    let log_path = dir.path().join("test.log");
    let mut all = secrets.clone();
    all.extend(passphrases.iter().cloned());
    let scanned_open = assert_nowhere(dir.path(), &all);
    vault.close().await;
    std::fs::File::create(&log_path)
        .and_then(|mut f| f.write_all(&log.0.lock().expect("log").clone()))
        .expect("write log");
    let scanned_closed = assert_nowhere(dir.path(), &all);

    assert!(scanned_open >= 2, "vault.db and its -wal were scanned");
    assert!(scanned_closed >= 2, "vault.db and the log were scanned");
    // Control: the scanner does see plain bytes in the file (names are stored in clear).
    let db = std::fs::read(&path).expect("read vault.db");
    assert!(
        contains(&db, b"name_2"),
        "the scan reads the real file contents"
    );
    let log_text = String::from_utf8_lossy(&log.0.lock().expect("log")).into_owned();
    assert!(log_text.contains("<redacted>"), "the log was captured");
}
