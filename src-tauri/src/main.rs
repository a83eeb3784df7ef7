// No console window behind the app in Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(err) = makini_desk_lib::run(tauri::generate_context!("../tauri.conf.json")) {
        eprintln!("makini-desk: {err}");
        std::process::exit(1);
    }
}
