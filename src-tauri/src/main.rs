// No console window behind the app in Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let config = match makini_desk_lib::ShellConfig::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("makini-desk: {err}");
            std::process::exit(1);
        }
    };
    let log_guard = makini_desk_lib::init_tracing(&config);
    let ran = makini_desk_lib::run(tauri::Builder::default(), config);
    if let Err(err) = &ran {
        tracing::error!(error = %err, "the app did not start");
        eprintln!("makini-desk: {err}");
    }
    // Flushes the log file; `exit` below runs no destructors.
    drop(log_guard);
    if ran.is_err() {
        std::process::exit(1);
    }
}
