//! Synced records, read from the mirror with no network: a page, or a file.

use crate::desk::Desk;
use crate::offline::{self, ExportReport};
use crate::CoreError;
use desk_store::{RecordPage, RecordQuery};
use serde::Deserialize;
use std::path::PathBuf;
use ts_rs::TS;

pub async fn records_list(desk: &Desk, query: RecordQuery) -> Result<RecordPage, CoreError> {
    offline::records(desk, query).await
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct RecordsExportRequest {
    pub query: RecordQuery,
    /// A `.csv` or `.json` file; it appears only once complete.
    #[ts(type = "string")]
    pub path: PathBuf,
}

pub async fn records_export(
    desk: &Desk,
    request: RecordsExportRequest,
) -> Result<ExportReport, CoreError> {
    offline::export(desk, request.query, &request.path).await
}
