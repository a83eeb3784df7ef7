//! The configuration lives at the repository root, beside the workspace, so `frontendDist` and the
//! icon paths inside it read from the root.

fn main() {
    // Listing the commands makes each one need a permission (`allow-engine-status`), so a window
    // calls only what its capability names.
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&["engine_status"]));
    if let Err(err) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; show the whole cause chain first.
        panic!("tauri-build failed: {err:#}");
    }
}
