//! The configuration lives at the repository root, beside the workspace, so `frontendDist` and the
//! icon paths inside it read from the root.
//!
//! The window's commands are desk-core's actions. Their names come from the committed,
//! drift-checked `ui/src/lib/generated/actions.json` (desk-core's test fails when it differs from
//! the Rust list), so an action added to desk-core becomes a command that needs a permission
//! without a line written here. The main window's capability must allow exactly those commands;
//! this script refuses to build when it lacks one or names one that does not exist.

use std::collections::BTreeSet;
use std::path::Path;

const ACTIONS: &str = "../ui/src/lib/generated/actions.json";
const CAPABILITY: &str = "capabilities/main-window.json";

fn main() {
    println!("cargo:rerun-if-changed={ACTIONS}");
    println!("cargo:rerun-if-changed={CAPABILITY}");
    let commands = read_actions(Path::new(ACTIONS));
    check_capability(Path::new(CAPABILITY), &commands);

    // Listing the commands makes each one need a permission (`allow-app-status`), so a window
    // calls only what its capability names. tauri-build keeps the list for the whole build.
    let commands: &'static [&'static str] = Vec::leak(
        commands
            .into_iter()
            .map(|name| &*String::leak(name))
            .collect(),
    );
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(err) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; show the whole cause chain first.
        panic!("tauri-build failed: {err:#}");
    }
}

/// The action names, in desk-core's order.
fn read_actions(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| {
        panic!(
            "cannot read the action list {}: {err} (scripts/generate-types.sh writes it)",
            path.display()
        )
    });
    let names: Vec<String> = serde_json::from_str(&text).unwrap_or_else(|err| {
        panic!(
            "{} is not a JSON array of action names: {err}",
            path.display()
        )
    });
    if names.is_empty() {
        panic!("{} names no action", path.display());
    }
    for name in &names {
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            panic!("{}: {name:?} is not an action name", path.display());
        }
    }
    names
}

/// The permission Tauri generates for an app command: `app_status` -> `allow-app-status`.
fn permission(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

/// Fails the build unless the capability allows every command and no app permission besides.
/// Plugin and core permissions (`core:default`) are the capability's own business.
fn check_capability(path: &Path, commands: &[String]) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read the capability {}: {err}", path.display()));
    let capability: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()));
    let Some(permissions) = capability
        .get("permissions")
        .and_then(serde_json::Value::as_array)
    else {
        panic!("{} has no `permissions` array", path.display());
    };
    let named: BTreeSet<&str> = permissions
        .iter()
        .filter_map(|entry| match entry {
            serde_json::Value::String(id) => Some(id.as_str()),
            // A scoped entry: `{ "identifier": "...", "allow": [...] }`.
            other => other.get("identifier").and_then(serde_json::Value::as_str),
        })
        // App permissions carry no `plugin:` prefix.
        .filter(|id| !id.contains(':'))
        .collect();
    let expected: BTreeSet<String> = commands.iter().map(|c| permission(c)).collect();
    let missing: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .filter(|id| !named.contains(id))
        .collect();
    let unknown: Vec<&str> = named
        .iter()
        .copied()
        .filter(|id| !expected.contains(*id))
        .collect();
    if missing.is_empty() && unknown.is_empty() {
        return;
    }
    let mut message = format!(
        "{} does not match the action list {ACTIONS}:\n",
        path.display()
    );
    if !missing.is_empty() {
        message.push_str(&format!("  missing: {}\n", missing.join(", ")));
    }
    if !unknown.is_empty() {
        message.push_str(&format!(
            "  not a command of this app: {}\n",
            unknown.join(", ")
        ));
    }
    message.push_str("The app's permissions there must be exactly:\n");
    for id in &expected {
        message.push_str(&format!("    \"{id}\",\n"));
    }
    panic!("{message}");
}
