//! The configuration is `src-tauri/tauri.conf.json`, a link to the repository root's file (see
//! ARCHITECTURE.md, "Packaging"): tauri-build, `generate_context!` and the Tauri CLI all read it
//! from this crate's folder, so its paths (`../ui/dist`, `../icons/...`) are relative to here.
//!
//! The window's commands are desk-core's actions. Their names come from the committed,
//! drift-checked `ui/src/lib/generated/actions.json` (desk-core's test fails when it differs from
//! the Rust list), so an action added to desk-core becomes a command that needs a permission
//! without a line written here. The main window's capability must allow exactly those commands;
//! this script refuses to build when it lacks one or names one that does not exist.

#[path = "build/capability.rs"]
mod capability;

const ACTIONS: &str = "../ui/src/lib/generated/actions.json";
const CAPABILITY: &str = "capabilities/main-window.json";

fn main() {
    println!("cargo:rerun-if-changed={ACTIONS}");
    println!("cargo:rerun-if-changed={CAPABILITY}");
    let mut commands = capability::parse_actions(&read(ACTIONS))
        .unwrap_or_else(|err| panic!("the action list {ACTIONS}: {err}"));
    commands.extend(
        capability::SHELL_COMMANDS
            .iter()
            .map(|name| (*name).to_owned()),
    );
    if let Err(err) = capability::check_capability(&read(CAPABILITY), &commands) {
        panic!("the capability {CAPABILITY} ({ACTIONS} is the list): {err}");
    }

    // Listing the commands makes each one need a permission (`allow-app-status`), so a window
    // calls only what its capability names. tauri-build keeps the list for the whole build.
    let commands: &'static [&'static str] = Vec::leak(
        commands
            .into_iter()
            .map(|name| &*String::leak(name))
            .collect(),
    );
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(err) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; show the whole cause chain first.
        panic!("tauri-build failed: {err:#}");
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| {
        panic!("cannot read {path}: {err} (scripts/generate-types.sh writes the action list)")
    })
}
