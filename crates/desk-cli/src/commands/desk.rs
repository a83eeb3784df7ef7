//! Opening the app core for a command.

use crate::Context;
use anyhow::Context as _;
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_store::IntegrityCheck;

fn config(context: &Context) -> DeskConfig {
    DeskConfig {
        data_dir: context.data_dir.clone(),
        vault: VaultAccess::from_env(context.vault_key_file.clone()),
        integrity: IntegrityCheck::HeaderOnly,
        local_seed: desk_engine::seed::Seed::Demo,
    }
}

/// The data folder's mirror (and its vault, on demand), created when new: for the commands
/// that start a folder (sync, the servers, `profiles add`). Short commands check the mirror's
/// header only: a full `quick_check` reads every page, seconds on a big mirror.
pub async fn open(context: &Context) -> anyhow::Result<Desk> {
    Desk::open(config(context))
        .await
        .with_context(|| format!("cannot open the data folder {}", context.data_dir.display()))
}

/// Runs `work` with the desk of a folder that holds data already (refused otherwise, as a
/// mistyped --data-dir) and closes it either way.
pub async fn with_desk<T>(
    context: &Context,
    work: impl AsyncFnOnce(&Desk) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let desk = Desk::open_existing(config(context)).await.map_err(failed)?;
    let result = work(&desk).await;
    desk.close().await;
    result
}

/// [`with_desk`] for the commands that may start a new folder.
pub async fn with_new_desk<T>(
    context: &Context,
    work: impl AsyncFnOnce(&Desk) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let desk = open(context).await?;
    let result = work(&desk).await;
    desk.close().await;
    result
}

/// `-` for what is absent.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// A failed desk-core action as one line with its code and the platform's request id, e.g.
/// `customer not found (NOT_FOUND) [request req_...]`: the [`desk_core::ActionError`] the UI
/// and the browser mode carry, so every face names a failure the same way.
pub fn failed(err: desk_core::CoreError) -> anyhow::Error {
    anyhow::Error::new(desk_core::ActionError::from(&err))
}
