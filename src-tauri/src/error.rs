//! Why the window could not start. Commands never answer with this: an action's failure crosses
//! to the UI as desk-core's `ActionError` (`{code, message, request_id, next_step, ...}`).

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// The OS names no per-user data folder and `MDESK_DATA_DIR` is not set.
    #[error("the OS gives no app-data folder; set MDESK_DATA_DIR")]
    NoDataDir,
    #[error("{name}={value:?}: give a whole number of seconds, 1 or more")]
    BadSetting { name: &'static str, value: String },
    #[error("cannot open the data folder {}: {source}", data_dir.display())]
    Desk {
        data_dir: std::path::PathBuf,
        /// Boxed: the core's error is large, and this one only travels once, at start.
        #[source]
        source: Box<desk_core::CoreError>,
    },
    #[error(transparent)]
    Tauri(#[from] tauri::Error),
}
