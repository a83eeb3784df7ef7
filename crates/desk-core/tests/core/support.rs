//! The support bundle: real flows with real secrets (the admin client secret, a connection's
//! credentials and token, its webhook secret, the vault's passphrase) logged to the data folder's
//! daily file as the app logs, plus the careless lines a log might hold; then the bundle is
//! unpacked and grepped for every one of those secrets.

use super::sync::{add_team_profile, manual_engine};
use desk_core::actions::{
    connection_activate, connection_create, support_bundle, ConnectionActivateRequest,
    ConnectionCreateRequest, SupportBundleRequest,
};
use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_platform::catalog::Deployment;
use desk_platform::connection::WebhookSettings;
use desk_platform::customer::CreateCustomer;
use desk_vault::SecretString;
use std::collections::BTreeMap;
use std::io::Read as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::Layer as _;

const PASSWORD: &str = "Plant-Floor-Pa55word!";
const PASSPHRASE: &str = "correct horse battery staple vault";

#[tokio::test]
async fn the_support_bundle_holds_logs_request_ids_and_states_but_no_secret() {
    let engine = manual_engine().await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let logs = data_dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    // The app's own file logging (a daily file in <data>/logs), at every level, for this test's
    // thread (a current-thread runtime: every task of the test runs here).
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::daily(&logs, "makini-desk.log"));
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(writer)
            .with_filter(tracing_subscriber::filter::LevelFilter::TRACE),
    );
    let logging = tracing::subscriber::set_default(subscriber);

    let desk = Desk::open(DeskConfig {
        vault: VaultAccess {
            key_file: None,
            passphrase: Some(SecretString::new(PASSPHRASE.to_owned())),
        },
        ..DeskConfig::new(&data_dir)
    })
    .await
    .unwrap();
    add_team_profile(&desk, &engine).await;
    let client = engine.client();
    client.sandbox_purchase_credits(4).await.unwrap();
    let customer = client
        .create_customer(&CreateCustomer {
            name: "Acme Works".to_owned(),
            email: None,
            account_manager: None,
            metadata: serde_json::Map::new(),
        })
        .await
        .unwrap();
    let created = connection_create(
        &desk,
        ConnectionCreateRequest {
            customer_id: customer.id.clone(),
            system_id: "upkeep".to_owned(),
            deployment: Deployment::Cloud,
            name: "Line maintenance".to_owned(),
            email: None,
            credentials: BTreeMap::from([
                ("email".to_owned(), "maint@acme.example".to_owned()),
                ("password".to_owned(), PASSWORD.to_owned()),
            ]),
            sync: None,
            webhook: Some(WebhookSettings {
                url: "http://127.0.0.1:9/webhooks".to_owned(),
                events: Vec::new(),
                format: None,
            }),
        },
    )
    .await
    .unwrap();
    let token = created.token.clone();
    let webhook_secret = created.webhook_secret.clone().expect("a webhook secret");
    // A failure with the platform's request id, logged as the window logs a failed action.
    let missing = connection_activate(
        &desk,
        ConnectionActivateRequest {
            id: "conn_missing".to_owned(),
            overage: false,
        },
    )
    .await
    .unwrap_err();
    let request_id = missing
        .request_id()
        .expect("the platform's answer names its request")
        .to_owned();

    let secrets = [
        super::sync::CLIENT_SECRET,
        PASSWORD,
        PASSPHRASE,
        token.as_str(),
        webhook_secret.as_str(),
    ];
    // The careless lines a log might hold, in the shapes secrets leak in.
    tracing::warn!(
        client_secret = super::sync::CLIENT_SECRET,
        "token request failed"
    );
    tracing::info!("sending Authorization: Bearer {token}");
    tracing::info!(body = %serde_json::json!({ "credentials": { "password": PASSWORD } }), "request");
    tracing::info!(passphrase = PASSPHRASE, "unlocking the vault");
    tracing::info!("GET http://127.0.0.1/api/v1/connection?token={token}&page=2");
    tracing::info!("webhook signed with {webhook_secret}");
    tracing::info!("platform at https://admin:{PASSWORD}@engine.example/api");
    tracing::warn!(code = %missing.code(), error = %missing, request_id = %request_id, "action failed");
    drop(logging);
    drop(guard);

    let bundle = support_bundle(&desk, SupportBundleRequest::default())
        .await
        .unwrap();
    assert!(bundle.path.ends_with(".tar.gz"), "{bundle:?}");
    assert!(bundle.redactions >= secrets.len() as u64, "{bundle:?}");
    let archive = std::fs::File::open(&bundle.path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut contents = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        contents.insert(name, text);
    }
    let mut named = bundle.files.clone();
    named.sort();
    assert_eq!(
        contents.keys().cloned().collect::<Vec<_>>(),
        named,
        "the files it names"
    );
    for (name, text) in &contents {
        for secret in secrets {
            assert!(!text.contains(secret), "{name} holds the secret {secret:?}");
        }
    }
    let log = contents
        .iter()
        .find(|(name, _)| name.starts_with("logs/makini-desk.log"))
        .map(|(_, text)| text)
        .expect("the day's log");
    assert!(
        log.contains("token request failed") && log.contains("[redacted]"),
        "{log}"
    );
    let connections: serde_json::Value =
        serde_json::from_str(&contents["connections.json"]).unwrap();
    let state = connections
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == created.connection.id.as_str())
        .expect("the connection's state");
    // The platform's own status, as the mirror holds it (a new connection is synchronizing).
    assert_eq!(
        state["status"],
        serde_json::to_value(created.connection.status).unwrap(),
        "{state}"
    );
    assert!(state.get("user_metadata").is_none() && state.get("email").is_none());
    let manifest: serde_json::Value = serde_json::from_str(&contents["manifest.json"]).unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    let profiles: serde_json::Value = serde_json::from_str(&contents["profiles.json"]).unwrap();
    assert_eq!(profiles[0]["has_secret"], true, "{profiles}");
    assert!(
        contents["request-ids.txt"]
            .lines()
            .any(|line| line == request_id),
        "{request_id} in {}",
        contents["request-ids.txt"]
    );
    desk.close().await;
}

#[test]
fn redaction_blanks_labelled_and_shaped_secrets_and_keeps_ids() {
    use desk_core::support::redact;
    let kept =
        "connection conn_0123456789abcdef01234567 failed [request req_0123456789abcdef01234567]";
    assert_eq!(redact(kept), kept);
    assert_eq!(
        redact(r#"{"client_secret":"abc def"}"#),
        r#"{"client_secret":[redacted]}"#
    );
    assert_eq!(redact("x-api-key: k3y"), "x-api-key: [redacted]");
    let token = format!("ct_{}", "ab".repeat(32));
    let raw = format!("tok {token} end");
    let line = redact(&raw);
    assert!(
        !line.contains(&"ab".repeat(16)) && line.ends_with("[redacted] end"),
        "{line}"
    );
}
