//! The app's settings, read and replaced whole.

use crate::desk::Desk;
use crate::settings::Settings;
use crate::CoreError;
use serde::Deserialize;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct SettingsShowRequest {}

pub async fn settings_show(
    desk: &Desk,
    _request: SettingsShowRequest,
) -> Result<Settings, CoreError> {
    desk.settings().await
}

pub async fn settings_update(desk: &Desk, request: Settings) -> Result<Settings, CoreError> {
    desk.save_settings(request).await
}
