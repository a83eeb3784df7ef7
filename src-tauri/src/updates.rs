//! Signed updates (tauri-plugin-updater): the window's two commands of its own beside the
//! actions, `update_check` and `update_download`. The channel is settings' `update_endpoint`
//! (a self-hosted channel) or the one in tauri.conf.json; either must be https, but for a
//! loopback address (desk-core's `check_update_endpoint`, checked here again for what the config
//! names). A release is downloaded, then verified against the public key built into the app
//! (`plugins.updater.pubkey`) before anything is installed; a bad signature is refused with its
//! own code.

use crate::DeskHost;
use desk_core::updates::{AvailableUpdate, UpdateCheck, UpdateDownloaded};
use desk_core::{ActionError, Code, NextStep};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt as _};

/// A channel that does not answer in this long is reported, not waited for.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Tauri state: the release the last check found, for `update_download`.
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<Update>>);

/// The updater plugin, with the public key from tauri.conf.json.
pub fn plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R, tauri_plugin_updater::Config> {
    tauri_plugin_updater::Builder::new().build()
}

/// Asks the channel for a newer release. `pubkey` replaces the built-in key (tests sign with a
/// key of their own).
pub async fn check<R: Runtime>(
    app: &AppHandle<R>,
    pubkey: Option<String>,
) -> Result<UpdateCheck, ActionError> {
    let endpoint = channel(app).await?;
    let mut builder = app
        .updater_builder()
        .timeout(TIMEOUT)
        .endpoints(vec![endpoint.clone()])
        .map_err(|err| updater_error(&err))?;
    if let Some(pubkey) = pubkey {
        builder = builder.pubkey(pubkey);
    }
    let updater = builder.build().map_err(|err| updater_error(&err))?;
    let found = updater.check().await.map_err(|err| updater_error(&err))?;
    let current_version = app.package_info().version.to_string();
    let available = found.as_ref().map(|update| AvailableUpdate {
        version: update.version.clone(),
        notes: update.body.clone(),
        published_at: update
            .date
            .and_then(|date| chrono::DateTime::from_timestamp(date.unix_timestamp(), 0))
            .map(|date| date.to_rfc3339()),
        download_url: update.download_url.to_string(),
    });
    tracing::info!(
        endpoint = %endpoint,
        current = %current_version,
        available = available.as_ref().map(|update| update.version.as_str()),
        "update check"
    );
    if let Some(pending) = app.try_state::<PendingUpdate>() {
        *pending
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = found;
    }
    Ok(UpdateCheck {
        current_version,
        endpoint: endpoint.to_string(),
        available,
    })
}

/// Downloads the release the last check found and verifies its signature; installs it when
/// asked (the new version runs after a restart).
pub async fn download<R: Runtime>(
    app: &AppHandle<R>,
    install: bool,
) -> Result<UpdateDownloaded, ActionError> {
    let update = app
        .try_state::<PendingUpdate>()
        .and_then(|pending| {
            pending
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()
        })
        .ok_or_else(|| {
            ActionError::new(
                Code::InvalidInput,
                "no update to download: check for updates first",
            )
        })?;
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .map_err(|err| updater_error(&err))?;
    tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded, signature verified");
    if install {
        update.install(&bytes).map_err(|err| updater_error(&err))?;
        tracing::info!(version = %update.version, "update installed");
    }
    Ok(UpdateDownloaded {
        version: update.version.clone(),
        bytes: bytes.len() as u64,
        installed: install,
        next: if install {
            format!("Restart Makini Desk to run {}.", update.version)
        } else {
            "Downloaded and verified; install it to use it.".to_owned()
        },
    })
}

/// Settings' channel, else the first one tauri.conf.json names; https or loopback only.
async fn channel<R: Runtime>(app: &AppHandle<R>) -> Result<tauri::Url, ActionError> {
    let desk = app.state::<DeskHost>().desk()?;
    let settings = desk
        .settings()
        .await
        .map_err(|err| ActionError::from(&err))?;
    let configured = settings.update_endpoint.or_else(|| {
        app.config()
            .plugins
            .0
            .get("updater")
            .and_then(|updater| updater.get("endpoints"))
            .and_then(|endpoints| endpoints.get(0))
            .and_then(|endpoint| endpoint.as_str())
            .map(str::to_owned)
    });
    let Some(endpoint) = configured else {
        return Err(ActionError::new(
            Code::NotSupported,
            "no update channel is set: enter your channel's latest.json address under Settings > Desktop",
        )
        .with_next_step(NextStep::FixInput));
    };
    desk_core::settings::check_update_endpoint(&endpoint).map_err(|err| ActionError::from(&err))
}

/// The updater's failures in the app's vocabulary: a signature that does not verify has its own
/// code; the rest say what failed.
fn updater_error(err: &tauri_plugin_updater::Error) -> ActionError {
    use tauri_plugin_updater::Error as E;
    let error = match err {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => ActionError::new(
            Code::UpdateSignatureInvalid,
            format!(
                "the release's signature does not match this app's public key ({err}); it was refused and nothing was installed"
            ),
        ),
        E::EmptyEndpoints => ActionError::new(Code::NotSupported, "no update channel is set")
            .with_next_step(NextStep::FixInput),
        other => ActionError::new(Code::UpdateFailed, format!("the update failed: {other}"))
            .with_next_step(NextStep::Retry),
    };
    tracing::warn!(code = %error.code, error = %err, "update");
    error
}

#[tauri::command]
pub async fn update_check<R: Runtime>(app: AppHandle<R>) -> Result<UpdateCheck, ActionError> {
    check(&app, None).await
}

#[tauri::command]
pub async fn update_download<R: Runtime>(
    app: AppHandle<R>,
    install: bool,
) -> Result<UpdateDownloaded, ActionError> {
    download(&app, install).await
}
