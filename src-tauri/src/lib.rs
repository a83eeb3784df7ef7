//! The Makini Desk window: a thin Tauri shell. It starts the local engine in-process and exposes
//! typed commands to the UI; the application itself will live in desk-core, not here.

mod engine;
mod error;

pub use engine::{EngineStatus, LocalEngine};
pub use error::ShellError;

use tauri::{Manager, RunEvent, Runtime};

/// The one command so far: where the engine listens and the account it serves.
#[tauri::command]
async fn engine_status(engine: tauri::State<'_, LocalEngine>) -> Result<EngineStatus, ShellError> {
    engine.status().await
}

/// Where the shell keeps its files.
pub enum DataDir {
    /// The OS's per-user app-data folder for the app's identifier (the real app).
    AppData,
    /// A folder chosen by the caller (tests, never the user's real data).
    At(std::path::PathBuf),
}

/// Everything the shell adds to a Tauri builder, for any runtime, so a test can pass
/// `tauri::test::mock_builder()` instead of the real window.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>, data_dir: DataDir) -> tauri::Builder<R> {
    builder
        .setup(move |app| {
            let root = match data_dir {
                DataDir::AppData => app.path().app_data_dir().map_err(ShellError::NoAppDataDir)?,
                DataDir::At(dir) => dir,
            };
            app.manage(LocalEngine::new(root.join("engine")));
            // Start the engine now, without holding up the window; the first command waits for it.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let engine = handle.state::<LocalEngine>();
                if let Err(err) = engine.ensure_started().await {
                    tracing::error!(code = err.code(), error = %err, "the local engine did not start");
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![engine_status])
}

/// Stops the engine cleanly when the app exits.
pub fn on_event<R: Runtime>(app: &tauri::AppHandle<R>, event: RunEvent) {
    if let RunEvent::Exit = event {
        if let Some(engine) = app.try_state::<LocalEngine>() {
            tauri::async_runtime::block_on(engine.stop());
        }
    }
}

/// Runs the desktop app until its last window closes.
pub fn run(context: tauri::Context<tauri::Wry>) -> Result<(), tauri::Error> {
    init_tracing();
    let app = builder(tauri::Builder::default(), DataDir::AppData).build(context)?;
    app.run(on_event);
    Ok(())
}

/// Console logging, filtered by `RUST_LOG` (default: info for our crates).
// The daily rotating log file comes with desk-core's logging setup.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,makini_desk_lib=info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if let Err(err) = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init()
    {
        eprintln!("makini-desk: logging was already set up: {err}");
    }
}
