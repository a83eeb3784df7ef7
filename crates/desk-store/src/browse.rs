//! The data browser's picker: which entities a set of connections holds in the mirror, how
//! many records (and how many deleted), and the fields the records carry.

use crate::error::{Result, StoreError};
use crate::mirror::Mirror;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row as _;

/// How many records are read to learn an entity's fields.
const FIELD_SAMPLE: i64 = 200;

/// One entity of the chosen connections.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EntityRecords {
    pub entity: String,
    pub records: i64,
    /// Soft-deleted on the platform, kept and shown as such.
    pub deleted: i64,
    /// Top-level fields, `id` first, then in order of first appearance in a sample.
    pub fields: Vec<String>,
}

impl Mirror {
    /// The entities `connection_ids` hold (every connection when empty) for `profile`.
    pub async fn entity_records(
        &self,
        profile: &str,
        connection_ids: &[String],
    ) -> Result<Vec<EntityRecords>> {
        let scope = if connection_ids.is_empty() {
            String::new()
        } else {
            format!(
                " AND connection_id IN ({})",
                vec!["?"; connection_ids.len()].join(", ")
            )
        };
        let sql = format!(
            "SELECT entity, COUNT(*) AS records, COALESCE(SUM(deleted_at IS NOT NULL), 0) AS deleted
             FROM records WHERE profile = ?{scope} GROUP BY entity ORDER BY entity"
        );
        let mut query = sqlx::query(&sql).bind(profile);
        for id in connection_ids {
            query = query.bind(id);
        }
        let rows = query
            .fetch_all(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        let mut entities = Vec::with_capacity(rows.len());
        for row in rows {
            let entity: String = row.try_get("entity")?;
            let fields = self
                .sample_fields(profile, connection_ids, &entity, &scope)
                .await?;
            entities.push(EntityRecords {
                records: row.try_get("records")?,
                deleted: row.try_get("deleted")?,
                entity,
                fields,
            });
        }
        Ok(entities)
    }

    async fn sample_fields(
        &self,
        profile: &str,
        connection_ids: &[String],
        entity: &str,
        scope: &str,
    ) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT data FROM records WHERE profile = ?{scope} AND entity = ? ORDER BY seq LIMIT ?"
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql).bind(profile);
        for id in connection_ids {
            query = query.bind(id);
        }
        let samples = query
            .bind(entity)
            .bind(FIELD_SAMPLE)
            .fetch_all(self.reader())
            .await
            .map_err(|err| self.fail(err))?;
        let mut fields = vec!["id".to_owned()];
        for data in samples {
            let record: Value = serde_json::from_str(&data).map_err(StoreError::bad_row)?;
            if let Value::Object(map) = record {
                for key in map.keys() {
                    if !fields.contains(key) {
                        fields.push(key.clone());
                    }
                }
            }
        }
        Ok(fields)
    }
}
