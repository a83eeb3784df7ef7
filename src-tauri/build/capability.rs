//! The window's command list and its capability, checked against each other. Shared by build.rs
//! (which fails the build on a mismatch) and the shell's tests.

use std::collections::BTreeSet;

/// The window's own commands beside the actions: the updater's (src/updates.rs), which need the
/// app's handle and mean nothing in a browser.
pub const SHELL_COMMANDS: &[&str] = &["update_check", "update_download"];

/// The action names of `actions.json` (a JSON array of names, in desk-core's order).
pub fn parse_actions(text: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = serde_json::from_str(text)
        .map_err(|err| format!("not a JSON array of action names: {err}"))?;
    if names.is_empty() {
        return Err("it names no action".to_owned());
    }
    for name in &names {
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(format!("{name:?} is not an action name"));
        }
    }
    Ok(names)
}

/// The permission Tauri generates for an app command: `app_status` -> `allow-app-status`.
pub fn permission(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

/// `Ok` when the capability (its JSON text) allows every command and no app permission
/// besides; else what is missing, what is unknown, and the list it must have. Plugin and core
/// permissions (`core:default`) are the capability's own business.
pub fn check_capability(text: &str, commands: &[String]) -> Result<(), String> {
    let capability: serde_json::Value =
        serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
    let permissions = capability
        .get("permissions")
        .and_then(serde_json::Value::as_array)
        .ok_or("no `permissions` array")?;
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
        return Ok(());
    }
    let mut message = String::from("it does not match the action list:\n");
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
    Err(message)
}
