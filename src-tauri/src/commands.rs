//! desk-core's action list as Tauri commands: one `#[tauri::command]` per action, named as the
//! action, taking `{ request }` and answering the action's response or an `ActionError`. The UI
//! calls `invoke(name, { request })`. An action added to desk-core's list becomes a command here
//! (and, through build.rs, a permission) without a line written in this crate.

use crate::host::DeskHost;
use desk_core::{ActionError, CoreError};

/// An action's failure as the window receives it, logged once here.
fn failed(action: &'static str, err: &CoreError) -> ActionError {
    let error = ActionError::from(err);
    tracing::warn!(action, code = %error.code, error = %err, "action failed");
    error
}

macro_rules! window_commands {
    ($($name:ident($request:ident) -> $response:ident),* $(,)?) => {
        $(
            #[tauri::command]
            async fn $name(
                host: tauri::State<'_, DeskHost>,
                request: desk_core::actions::$request,
            ) -> Result<desk_core::actions::$response, ActionError> {
                let desk = host.desk()?;
                let response = desk_core::actions::$name(&desk, request)
                    .await
                    .map_err(|err| failed(stringify!($name), &err))?;
                // What the window asked for, without what it got (a record body or a token must
                // not reach the log): the package's install test reads this to see the overview
                // load, and a support bundle shows which screens were in use.
                tracing::debug!(action = stringify!($name), "action answered");
                Ok(response)
            }
        )*

        /// The invoke handler of every action's command.
        pub(crate) fn handler<R: tauri::Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            // The window's own commands beside the actions (build.rs: SHELL_COMMANDS).
            tauri::generate_handler![
                $($name,)*
                crate::updates::update_check,
                crate::updates::update_download
            ]
        }
    };
}

desk_core::for_each_action!(window_commands);
