//! Raw data for support staff on a Makini profile (`mdesk raw tables|data|passthrough`):
//! Makini's `/api/raw/...` and `/api/passthrough`, with the connection token kept in the vault.

use crate::desk::Desk;
use crate::platform::{DataClient, Platform};
use crate::sync::token_name;
use crate::CoreError;
use desk_client::Secret;
use desk_makini::MakiniData;
use serde_json::Value;

/// What to ask for.
#[derive(Debug, Clone)]
pub enum RawCall {
    Tables,
    Data { table: String, page: u64 },
    Passthrough { body: Value },
}

async fn data_client(
    desk: &Desk,
    profile: Option<&str>,
    connection_id: &str,
) -> Result<MakiniData, CoreError> {
    let session = desk.session(profile).await?;
    let Platform::Makini(_) = &session.client else {
        return Err(CoreError::NotSupported(format!(
            "profile {:?} is not a Makini profile; raw tables and passthrough are Makini's",
            session.profile.name
        )));
    };
    let mirrored = desk
        .mirror()
        .connection_preferring(connection_id, Some(&session.profile.name))
        .await?;
    let token = desk
        .vault()
        .await?
        .get(
            &mirrored.connection.customer_id,
            &token_name(&session.profile.name, connection_id),
        )
        .await?
        .ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "the vault holds no token for {connection_id}; `mdesk connections token set {connection_id}` keeps one"
            ))
        })?;
    match session
        .client
        .connection_client(connection_id, Secret::new(token.expose()))
    {
        DataClient::Makini(data) => Ok(data),
        DataClient::Desk(_) => Err(CoreError::Internal(
            "a Makini session gave a data client of our API".to_owned(),
        )),
    }
}

pub async fn raw(
    desk: &Desk,
    profile: Option<&str>,
    connection_id: &str,
    call: RawCall,
) -> Result<Value, CoreError> {
    let data = data_client(desk, profile, connection_id).await?;
    let answer = match call {
        RawCall::Tables => data.raw_tables().await?,
        RawCall::Data { table, page } => data.raw_table_data(&table, page).await?,
        RawCall::Passthrough { body } => data.passthrough(body).await?,
    };
    Ok(answer)
}
