//! Profiles: which platform a mirror's rows came from. The secret lives in the vault; a profile
//! only names it.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use crate::time;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The embedded local engine.
    Local,
    /// A self-hosted engine speaking our platform API.
    SelfHosted,
    /// Makini's cloud, through its documented API.
    Makini,
}

impl ProfileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::SelfHosted => "self_hosted",
            Self::Makini => "makini",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Local, Self::SelfHosted, Self::Makini]
            .into_iter()
            .find(|kind| kind.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Profile {
    pub name: String,
    pub kind: ProfileKind,
    pub base_url: Option<String>,
    pub region: Option<String>,
    pub client_id: Option<String>,
    /// The vault name of the client secret; never the secret itself.
    pub secret_ref: Option<String>,
    pub created_at: DateTime<Utc>,
}

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn from_row(
    (name, kind, base_url, region, client_id, secret_ref, created_at): Row,
) -> Result<Profile> {
    Ok(Profile {
        kind: ProfileKind::parse(&kind)
            .ok_or_else(|| StoreError::bad_row(format!("profile kind {kind:?}")))?,
        name,
        base_url,
        region,
        client_id,
        secret_ref,
        created_at: time::parse(&created_at)?,
    })
}

const COLUMNS: &str = "name, kind, base_url, region, client_id, secret_ref, created_at";

impl Mirror {
    /// Adds a profile or replaces its settings; `created_at` of an existing one is kept.
    pub async fn upsert_profile(&self, profile: &Profile) -> Result<()> {
        if profile.name.trim().is_empty() {
            return Err(StoreError::InvalidInput("a profile needs a name".into()));
        }
        let now = time::format(Utc::now());
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO profiles (name, kind, base_url, region, client_id, secret_ref, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url,
                region = excluded.region, client_id = excluded.client_id,
                secret_ref = excluded.secret_ref, updated_at = excluded.updated_at",
        )
        .bind(&profile.name)
        .bind(profile.kind.as_str())
        .bind(&profile.base_url)
        .bind(&profile.region)
        .bind(&profile.client_id)
        .bind(&profile.secret_ref)
        .bind(time::format(profile.created_at))
        .bind(&now)
        .execute(&mut *tx)
        .await
        .map_err(|err| self.fail(err))?;
        tx.commit().await.map_err(|err| self.fail(err))
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        let rows: Vec<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM profiles ORDER BY name"))
                .fetch_all(self.reader())
                .await
                .map_err(|err| self.fail(err))?;
        rows.into_iter().map(from_row).collect()
    }

    pub async fn profile(&self, name: &str) -> Result<Profile> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM profiles WHERE name = ?"))
                .bind(name)
                .fetch_optional(self.reader())
                .await
                .map_err(|err| self.fail(err))?;
        row.map(from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("profile", name))
    }
}
