//! The TypeScript side of the action list: every request, response, event and error type as
//! ts-rs writes it (one file per type), and `actions.ts`, the map from action name to its
//! request and response that the UI's typed `call` is built on. The files are committed under
//! `ui/src/lib/generated/`; desk-core's test `generated_typescript_is_current` fails when they
//! drift, and `scripts/generate-types.sh` writes them anew.

use std::collections::BTreeMap;
use std::path::Path;
use ts_rs::{Config, TS};

/// File name -> contents of every generated file.
pub fn files() -> Result<BTreeMap<String, String>, String> {
    let dir = tempfile_dir()?;
    // i64/u64 counts and credits stay JavaScript numbers: none comes near 2^53.
    let config = Config::new()
        .with_large_int("number")
        .with_out_dir(dir.path());
    macro_rules! export {
        ($($name:ident($request:ident) -> $response:ident),* $(,)?) => {{
            $(
                <crate::actions::$request as TS>::export_all(&config).map_err(|err| err.to_string())?;
                <crate::actions::$response as TS>::export_all(&config).map_err(|err| err.to_string())?;
            )*
            let mut imports = std::collections::BTreeSet::new();
            $( imports.insert(stringify!($request)); imports.insert(stringify!($response)); )*
            let mut text = String::from(HEADER);
            for name in &imports {
                text.push_str(&format!("import type {{ {name} }} from './{name}';\n"));
            }
            text.push_str("\n/** Every action: its request and response. */\nexport type Actions = {\n");
            $( text.push_str(&format!("  {}: {{ request: {}; response: {} }};\n", stringify!($name), stringify!($request), stringify!($response))); )*
            text.push_str("};\n\nexport type ActionName = keyof Actions;\n\n/** The action names, in the order of desk-core's list. */\nexport const ACTION_NAMES = [\n");
            $( text.push_str(&format!("  '{}',\n", stringify!($name))); )*
            text.push_str("] as const satisfies readonly ActionName[];\n");
            text
        }};
    }
    let actions = crate::for_each_action!(export);
    <crate::DeskEvent as TS>::export_all(&config).map_err(|err| err.to_string())?;
    <crate::ActionError as TS>::export_all(&config).map_err(|err| err.to_string())?;
    // The window's own answers (its updater), beside the actions'.
    <crate::updates::UpdateCheck as TS>::export_all(&config).map_err(|err| err.to_string())?;
    <crate::updates::UpdateDownloaded as TS>::export_all(&config).map_err(|err| err.to_string())?;
    let mut files = read_dir(dir.path(), dir.path())?;
    files.insert("actions.ts".to_owned(), actions);
    let names: Vec<&str> = crate::actions::NAMES.to_vec();
    files.insert(
        "actions.json".to_owned(),
        serde_json::to_string_pretty(&names).map_err(|err| err.to_string())? + "\n",
    );
    Ok(files)
}

const HEADER: &str = "// Generated from desk-core's action list (crates/desk-core/src/actions.rs) by\n// scripts/generate-types.sh. Do not edit.\n\n";

fn tempfile_dir() -> Result<TempDir, String> {
    let path = std::env::temp_dir().join(format!(
        "mdesk-ts-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    Ok(TempDir(path))
}

/// A folder removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(err) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(path = %self.0.display(), error = %err, "cannot remove a temporary folder");
        }
    }
}

fn read_dir(root: &Path, dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|err| err.to_string())?.path();
        if path.is_dir() {
            files.extend(read_dir(root, &path)?);
        } else {
            let name = path
                .strip_prefix(root)
                .map_err(|err| err.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("{}: {err}", path.display()))?;
            files.insert(name, text);
        }
    }
    Ok(files)
}
