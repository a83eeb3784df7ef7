//! The shell's commands through Tauri's IPC, with the mock runtime (no window, no GTK event
//! loop) but the app's real configuration and capability: what the window's `invoke` gets.

use makini_desk_lib::ShellConfig;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, WebviewWindow};

/// What the UI's `invoke(command, args)` sends, from the app's own origin.
fn invoke(
    window: &WebviewWindow<tauri::test::MockRuntime>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("a URL"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

#[test]
fn the_window_calls_the_actions_of_desk_core_over_ipc_in_its_own_data_folder() {
    let data = tempfile::tempdir().expect("a temp dir");
    // The real rules, from the environment, as the app reads them (one test in this binary, so
    // no other thread reads the environment meanwhile).
    std::env::set_var("MDESK_DATA_DIR", data.path());
    std::env::set_var("MDESK_VAULT_PASSPHRASE", "shell-test passphrase");
    std::env::remove_var("MDESK_VAULT_KEY_FILE");
    let config = ShellConfig::from_env().expect("a config");
    assert_eq!(config.data_dir, data.path());

    let app = makini_desk_lib::app(mock_builder(), config).expect("the app builds and sets up");
    // The window tauri.conf.json describes (the event loop, which is not run here, opens it).
    let window_config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == "main")
        .expect("tauri.conf.json's main window")
        .clone();
    let window = tauri::WebviewWindowBuilder::from_config(&app, &window_config)
        .and_then(|builder| builder.build())
        .expect("the main window opens");

    // First start: the local engine's profile exists before the first command.
    let status =
        invoke(&window, "app_status", json!({ "request": {} })).expect("app_status answers");
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["profile"]["name"], "local");
    assert_eq!(status["profile"]["kind"], "local");
    assert_eq!(status["profiles"].as_array().map(Vec::len), Some(1));
    assert_eq!(status["platform"]["state"], "unknown");

    // A probe opens the session: the local engine runs in-process and announces itself.
    let probed = invoke(
        &window,
        "app_status",
        json!({ "request": { "probe": true } }),
    )
    .expect("app_status answers a probe");
    assert_eq!(probed["platform"]["state"], "online", "{probed}");
    let base_url = probed["platform"]["base_url"].as_str().expect("a base URL");
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let serving = data.path().join("engine/serving.json");
    let announced: Value =
        serde_json::from_slice(&std::fs::read(&serving).expect("engine/serving.json"))
            .expect("JSON");
    assert_eq!(
        announced["url"]
            .as_str()
            .map(|url| url.trim_end_matches('/')),
        Some(base_url.trim_end_matches('/'))
    );
    assert!(data.path().join("engine/engine.db").is_file());

    let summary = invoke(&window, "account_summary", json!({ "request": {} }))
        .expect("account_summary answers");
    assert_eq!(summary["profile"], "local");
    for field in ["purchased", "in_use", "available"] {
        assert!(
            summary["credits"][field].is_i64(),
            "credits.{field} in {summary}"
        );
    }

    // The background jobs' first sync brings the account into the mirror.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let summary = invoke(&window, "account_summary", json!({ "request": {} }))
            .expect("account_summary answers");
        if summary["account"].is_object() {
            assert!(summary["account"]["id"].is_string(), "{summary}");
            assert!(summary["credits"]["as_of"].is_string(), "{summary}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no account mirrored within 60 s: {summary}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    // A failure is desk-core's ActionError, with the code the UI switches on.
    let missing = invoke(
        &window,
        "connection_show",
        json!({ "request": { "id": "con_nope" } }),
    )
    .expect_err("an unknown connection is an error");
    assert_eq!(missing["code"], "NOT_FOUND", "{missing}");
    assert!(missing["message"].is_string(), "{missing}");

    // Every action is a command the capability allows: a malformed request reaches the
    // command's argument parsing (not the ACL's refusal) and runs no action.
    for name in desk_core::actions::NAMES {
        let refused = invoke(&window, name, json!({ "request": 42 }))
            .expect_err("a number is no action's request");
        let text = refused.as_str().unwrap_or_default();
        assert!(
            text.contains("invalid args `request`"),
            "{name}: expected the command's own argument error, got {refused}"
        );
    }
    // What is no action is no command.
    let unknown = invoke(&window, "engine_status", json!({})).expect_err("no such command");
    assert!(
        unknown
            .as_str()
            .is_some_and(|text| text.contains("not allowed")),
        "{unknown}"
    );

    // Desk events reach the window as `desk-event`, serialised as the UI's DeskEvent type.
    let (seen, events) = std::sync::mpsc::channel::<Value>();
    app.listen_any(makini_desk_lib::DESK_EVENT, move |event| {
        if let Ok(payload) = serde_json::from_str(event.payload()) {
            // The receiver is gone once the test has what it waited for.
            if seen.send(payload).is_err() {}
        }
    });
    let switched = invoke(
        &window,
        "profile_switch",
        json!({ "request": { "name": "local" } }),
    )
    .expect("profile_switch answers");
    assert_eq!(switched["name"], "local");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event = events
            .recv_timeout(left)
            .expect("a profile_switched desk event within 10 s");
        if event["type"] == "profile_switched" {
            assert_eq!(event["profile"], "local");
            break;
        }
    }

    // Exit: the jobs stop, the session closes (the engine withdraws serving.json), the
    // databases close; a second close does nothing.
    makini_desk_lib::shutdown(app.handle());
    assert!(!serving.exists(), "serving.json is withdrawn at exit");
    makini_desk_lib::shutdown(app.handle());
    let after = invoke(&window, "app_status", json!({ "request": {} })).expect_err("closed");
    assert_eq!(after["code"], "INTERNAL_ERROR", "{after}");
}

#[path = "../../build/capability.rs"]
mod capability;

const ACTIONS_JSON: &str = include_str!("../../../ui/src/lib/generated/actions.json");
const CAPABILITY_JSON: &str = include_str!("../../capabilities/main-window.json");

#[test]
fn the_permissions_build_rs_lists_are_desk_cores_actions() {
    let mut listed = capability::parse_actions(ACTIONS_JSON).expect("actions.json parses");
    assert_eq!(listed, desk_core::actions::NAMES);
    listed.extend(
        capability::SHELL_COMMANDS
            .iter()
            .map(|name| (*name).to_owned()),
    );
    capability::check_capability(CAPABILITY_JSON, &listed)
        .expect("the committed capability matches");
}

#[test]
fn a_capability_that_lacks_a_command_or_names_an_unknown_one_is_refused_with_the_fix() {
    let commands = vec!["app_status".to_owned(), "account_summary".to_owned()];
    let lacking =
        json!({ "permissions": ["core:default", "allow-app-status", "allow-engine-status"] });
    let message = capability::check_capability(&lacking.to_string(), &commands)
        .expect_err("a mismatch is refused");
    assert!(
        message.contains("missing: allow-account-summary"),
        "{message}"
    );
    assert!(
        message.contains("not a command of this app: allow-engine-status"),
        "{message}"
    );
    assert!(message.contains("\"allow-account-summary\","), "{message}");
    let exact = json!({ "permissions": ["core:default", "allow-account-summary", { "identifier": "allow-app-status" }] });
    capability::check_capability(&exact.to_string(), &commands).expect("an exact list passes");
    assert!(capability::parse_actions("[\"App-Status\"]").is_err());
    assert!(capability::parse_actions("[]").is_err());
}

mod updates;
