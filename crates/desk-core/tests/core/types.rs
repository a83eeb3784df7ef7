//! The UI's TypeScript types are generated from the Rust ones and committed; this fails when
//! they drift. `MDESK_WRITE_TYPES=1` (scripts/generate-types.sh) writes them instead.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn generated_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/generated")
}

/// Every file under the generated folder, by its path relative to it.
fn committed(dir: &std::path::Path, prefix: &str, files: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            committed(&path, &format!("{name}/"), files);
        } else {
            let text = std::fs::read_to_string(&path).expect("a generated file reads");
            files.insert(name, text);
        }
    }
}

#[test]
fn generated_typescript_is_current() {
    let generated = desk_core::actions::typescript::files().expect("types generate");
    assert!(generated.contains_key("ConnectionView.ts"));
    assert!(generated.contains_key("DeskEvent.ts"));
    if std::env::var_os("MDESK_WRITE_TYPES").is_some() {
        let dir = generated_dir();
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("the old generated folder is removed");
        }
        std::fs::create_dir_all(&dir).expect("the generated folder is created");
        for (name, text) in &generated {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("a generated subfolder is created");
            }
            std::fs::write(path, text).expect("a generated file is written");
        }
        return;
    }
    let mut committed_files = BTreeMap::new();
    committed(&generated_dir(), "", &mut committed_files);
    let committed = committed_files;
    let stale: Vec<&String> = generated
        .keys()
        .filter(|name| committed.get(*name) != generated.get(*name))
        .chain(committed.keys().filter(|name| !generated.contains_key(*name)))
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/lib/generated is out of date ({stale:?}); run `bash scripts/generate-types.sh` and commit the result"
    );
}

#[test]
fn every_action_is_listed_once() {
    let mut names = desk_core::actions::NAMES.to_vec();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "an action name appears twice");
    assert!(names.contains(&"connection_disconnect"));
}
