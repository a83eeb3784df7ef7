//! All SQL of the vault database (vault.db, WAL). Nothing here sees a plaintext secret.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection as _, Row as _};

use crate::error::{classify_db_error, Result, VaultError};

/// The vault's on-disk format. Raise it (with a migration) when a change makes older builds
/// unable to read the file; older builds then refuse instead of writing into it.
pub const FORMAT_VERSION: i64 = 1;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The single metadata row.
pub(crate) struct Meta {
    pub format_version: i64,
    pub source_kind: String,
    pub kdf_salt: Option<Vec<u8>>,
    pub kdf_m_cost: Option<i64>,
    pub kdf_t_cost: Option<i64>,
    pub kdf_p_cost: Option<i64>,
    pub keyring_account: Option<String>,
    pub check_nonce: Vec<u8>,
    pub check_ciphertext: Vec<u8>,
}

pub(crate) struct SealedRow {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn base_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(5))
}

/// Looks at an existing file read-only before anything writes to it: a newer format is
/// refused, and a file that is not a database is reported, both without touching its bytes.
/// Returns the metadata row when there is one, so the key can be verified before the file is
/// ever opened for writing.
pub(crate) async fn preflight(path: &Path) -> Result<Option<Meta>> {
    if !path.exists() {
        return Ok(None);
    }
    let options = base_options(path).read_only(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(classify_db_error)?;
    let outcome = preflight_checks(&mut conn, path).await;
    // Close before returning either way so no handle lingers on a refused file.
    conn.close().await.map_err(classify_db_error)?;
    outcome
}

async fn preflight_checks(conn: &mut SqliteConnection, path: &Path) -> Result<Option<Meta>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('vault_meta', '_sqlx_migrations')",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(classify_db_error)?;
    let newer = |found: i64| VaultError::NewerVersion {
        path: path.to_path_buf(),
        found,
        supported: FORMAT_VERSION,
    };
    if tables.iter().any(|t| t == "vault_meta") {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT format_version FROM vault_meta WHERE id = 1")
                .fetch_optional(&mut *conn)
                .await
                .map_err(classify_db_error)?;
        if let Some(found) = version.filter(|v| *v > FORMAT_VERSION) {
            return Err(newer(found));
        }
    }
    if tables.iter().any(|t| t == "_sqlx_migrations") {
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await
            .map_err(classify_db_error)?;
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(found) = applied.filter(|v| *v > known) {
            // A migration we do not know: written by a newer build even if the format held.
            return Err(newer(FORMAT_VERSION.max(found)));
        }
    }
    if tables.iter().any(|t| t == "vault_meta") {
        return load_meta(conn).await;
    }
    Ok(None)
}

/// Opens (creating when missing) the database in WAL mode and applies migrations.
pub(crate) async fn connect(path: &Path) -> Result<SqlitePool> {
    create_private_file(path)?;
    let options = base_options(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // A secret is often shown once (a connection token): losing a commit to a power cut
        // would lose it for good, so pay for FULL.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Deleted rows are overwritten with zeros, so a shredded scope's wrapped key does not
        // linger in free pages.
        .pragma("secure_delete", "ON");
    let pool = SqlitePoolOptions::new()
        // No idle reaping or lifetime: a local file gains nothing from them, and sqlx 0.8's
        // maintenance task can spin at 100% CPU and hang the exit (sqlx#3645).
        .idle_timeout(None)
        .max_lifetime(None)
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(classify_db_error)?;
    if let Err(err) = migrate(&pool).await {
        pool.close().await;
        return Err(err);
    }
    Ok(pool)
}

/// Applies migrations. sqlx takes no lock on SQLite, so two processes creating the same vault
/// can both try the first migration; the loser's transaction rolls back ("table already
/// exists"), and a re-run then finds the migration applied by the winner.
async fn migrate(pool: &SqlitePool) -> Result<()> {
    use sqlx::migrate::MigrateError;
    const ATTEMPTS: u64 = 5;
    let mut attempt = 1;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(MigrateError::Execute(_) | MigrateError::ExecuteMigration(..))
                if attempt < ATTEMPTS =>
            {
                tracing::debug!(attempt, "vault migration raced another process; retrying");
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                attempt += 1;
            }
            Err(MigrateError::Execute(e)) => return Err(classify_db_error(e)),
            Err(other) => return Err(VaultError::Migrate(other)),
        }
    }
}

/// Creates an empty vault file readable by its owner only (SQLite gives -wal/-shm the same
/// mode); an empty file is a valid empty SQLite database.
fn create_private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(VaultError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

pub(crate) async fn load_meta(conn: &mut SqliteConnection) -> Result<Option<Meta>> {
    let row = sqlx::query(
        "SELECT format_version, source_kind, kdf_salt, kdf_m_cost, kdf_t_cost, kdf_p_cost,
                keyring_account, check_nonce, check_ciphertext
         FROM vault_meta WHERE id = 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Meta {
        format_version: row.try_get("format_version")?,
        source_kind: row.try_get("source_kind")?,
        kdf_salt: row.try_get("kdf_salt")?,
        kdf_m_cost: row.try_get("kdf_m_cost")?,
        kdf_t_cost: row.try_get("kdf_t_cost")?,
        kdf_p_cost: row.try_get("kdf_p_cost")?,
        keyring_account: row.try_get("keyring_account")?,
        check_nonce: row.try_get("check_nonce")?,
        check_ciphertext: row.try_get("check_ciphertext")?,
    }))
}

/// Inserts the metadata row unless another process got there first (then nothing changes and
/// the caller re-reads the winner's row).
pub(crate) async fn insert_meta_if_absent(conn: &mut SqliteConnection, meta: &Meta) -> Result<()> {
    sqlx::query(
        "INSERT OR IGNORE INTO vault_meta (id, format_version, source_kind, kdf_salt, kdf_m_cost,
             kdf_t_cost, kdf_p_cost, keyring_account, check_nonce, check_ciphertext, created_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(meta.format_version)
    .bind(&meta.source_kind)
    .bind(&meta.kdf_salt)
    .bind(meta.kdf_m_cost)
    .bind(meta.kdf_t_cost)
    .bind(meta.kdf_p_cost)
    .bind(&meta.keyring_account)
    .bind(&meta.check_nonce)
    .bind(&meta.check_ciphertext)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the key fields of the metadata row after a master key rotation.
pub(crate) async fn update_meta_key(conn: &mut SqliteConnection, meta: &Meta) -> Result<()> {
    sqlx::query(
        "UPDATE vault_meta SET source_kind = ?, kdf_salt = ?, kdf_m_cost = ?, kdf_t_cost = ?,
             kdf_p_cost = ?, keyring_account = ?, check_nonce = ?, check_ciphertext = ?,
             rotated_at = ?
         WHERE id = 1",
    )
    .bind(&meta.source_kind)
    .bind(&meta.kdf_salt)
    .bind(meta.kdf_m_cost)
    .bind(meta.kdf_t_cost)
    .bind(meta.kdf_p_cost)
    .bind(&meta.keyring_account)
    .bind(&meta.check_nonce)
    .bind(&meta.check_ciphertext)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn data_key(
    conn: &mut SqliteConnection,
    scope: &str,
) -> Result<Option<SealedRow>> {
    let row = sqlx::query("SELECT nonce, wrapped_key FROM data_keys WHERE scope = ?")
        .bind(scope)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(SealedRow {
            nonce: r.try_get("nonce")?,
            ciphertext: r.try_get("wrapped_key")?,
        })
    })
    .transpose()
}

/// Every wrapped data key, for a rotation.
pub(crate) async fn all_data_keys(conn: &mut SqliteConnection) -> Result<Vec<(String, SealedRow)>> {
    let rows = sqlx::query("SELECT scope, nonce, wrapped_key FROM data_keys ORDER BY scope")
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get("scope")?,
                SealedRow {
                    nonce: r.try_get("nonce")?,
                    ciphertext: r.try_get("wrapped_key")?,
                },
            ))
        })
        .collect()
}

pub(crate) async fn insert_data_key(
    conn: &mut SqliteConnection,
    scope: &str,
    key: &SealedRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO data_keys (scope, nonce, wrapped_key, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(scope)
    .bind(&key.nonce)
    .bind(&key.ciphertext)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn update_data_key(
    conn: &mut SqliteConnection,
    scope: &str,
    key: &SealedRow,
) -> Result<()> {
    sqlx::query("UPDATE data_keys SET nonce = ?, wrapped_key = ? WHERE scope = ?")
        .bind(&key.nonce)
        .bind(&key.ciphertext)
        .bind(scope)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn upsert_secret(
    conn: &mut SqliteConnection,
    scope: &str,
    name: &str,
    sealed: &SealedRow,
) -> Result<()> {
    let at = now();
    sqlx::query(
        "INSERT INTO secrets (scope, name, nonce, ciphertext, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, name) DO UPDATE
         SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
    )
    .bind(scope)
    .bind(name)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(&at)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn secret(
    conn: &mut SqliteConnection,
    scope: &str,
    name: &str,
) -> Result<Option<SealedRow>> {
    let row = sqlx::query("SELECT nonce, ciphertext FROM secrets WHERE scope = ? AND name = ?")
        .bind(scope)
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| {
        Ok(SealedRow {
            nonce: r.try_get("nonce")?,
            ciphertext: r.try_get("ciphertext")?,
        })
    })
    .transpose()
}

/// Returns how many rows went.
pub(crate) async fn delete_secret(
    conn: &mut SqliteConnection,
    scope: &str,
    name: &str,
) -> Result<u64> {
    let done = sqlx::query("DELETE FROM secrets WHERE scope = ? AND name = ?")
        .bind(scope)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Deletes a scope's secrets and its data key; returns (secrets deleted, keys deleted).
pub(crate) async fn delete_scope(conn: &mut SqliteConnection, scope: &str) -> Result<(u64, u64)> {
    let secrets = sqlx::query("DELETE FROM secrets WHERE scope = ?")
        .bind(scope)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    let keys = sqlx::query("DELETE FROM data_keys WHERE scope = ?")
        .bind(scope)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok((secrets, keys))
}

pub(crate) async fn names(conn: &mut SqliteConnection, scope: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM secrets WHERE scope = ? ORDER BY name")
            .bind(scope)
            .fetch_all(&mut *conn)
            .await?,
    )
}

pub(crate) async fn scopes(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT scope FROM data_keys ORDER BY scope")
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Moves WAL content into the main file and truncates the WAL, so deleted pages (zeroed by
/// secure_delete) do not survive as older copies in the -wal file. Best effort: a reader in
/// another process can keep the checkpoint from completing, which is reported, not fatal.
pub(crate) async fn checkpoint(pool: &SqlitePool) -> Result<bool> {
    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(pool)
        .await?;
    let busy: i64 = row.try_get(0)?;
    Ok(busy == 0)
}
