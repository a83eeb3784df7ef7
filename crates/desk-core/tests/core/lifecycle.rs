//! The wizard's lifecycle actions against the real engine: testing credentials before a
//! connection exists, and the guard on a reauthorization that names another account.

use super::sync::{add_team_profile, desk, manual_engine};
use desk_core::actions::{
    connection_create, connection_reauthorize, connection_test, ConnectionCreateRequest,
    ConnectionReauthorizeRequest, ConnectionTestRequest,
};
use desk_core::{Code, CoreError};
use desk_platform::catalog::Deployment;
use desk_platform::customer::CreateCustomer;
use std::collections::BTreeMap;

fn fiix(subdomain: &str, secret: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("subdomain".to_owned(), subdomain.to_owned()),
        ("app_key".to_owned(), "app".to_owned()),
        ("access_key".to_owned(), "access".to_owned()),
        ("secret_key".to_owned(), secret.to_owned()),
    ])
}

fn test_before_connecting(credentials: BTreeMap<String, String>) -> ConnectionTestRequest {
    ConnectionTestRequest {
        id: None,
        system_id: Some("fiix".to_owned()),
        deployment: Some(Deployment::Cloud),
        credentials: Some(credentials),
    }
}

#[tokio::test]
async fn credentials_are_tested_before_any_connection_exists_and_a_reauthorization_to_another_account_waits_for_confirmation(
) {
    let engine = manual_engine().await;
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
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;

    // Before connecting: good credentials pass, refused ones fail with the system's words,
    // and nothing was created either way.
    let good = connection_test(&desk, test_before_connecting(fiix("acme", "s3cret")))
        .await
        .unwrap();
    assert!(good.ok, "{good:?}");
    let refused = connection_test(&desk, test_before_connecting(fiix("acme", "invalid-key")))
        .await
        .unwrap();
    assert!(!refused.ok);
    let auth = refused
        .checks
        .iter()
        .find(|c| c.name == "authentication")
        .unwrap();
    assert!(!auth.ok && auth.message.contains("refused"), "{auth:?}");
    let mut incomplete = fiix("acme", "s3cret");
    incomplete.remove("app_key");
    let missing = connection_test(&desk, test_before_connecting(incomplete))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::InvalidRequest, "{missing}");
    let neither = connection_test(
        &desk,
        ConnectionTestRequest {
            id: None,
            system_id: None,
            deployment: None,
            credentials: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(neither, CoreError::InvalidInput(_)), "{neither}");
    let no_connections = futures::TryStreamExt::try_collect::<Vec<_>>(client.connections(
        desk_client::ConnectionFilter::default(),
        desk_client::ListOptions::page_size(100),
    ))
    .await
    .unwrap();
    assert!(no_connections.is_empty(), "a test creates nothing");

    let created = connection_create(
        &desk,
        ConnectionCreateRequest {
            customer_id: customer.id.clone(),
            system_id: "fiix".to_owned(),
            deployment: Deployment::Cloud,
            name: "Plant CMMS".to_owned(),
            email: None,
            credentials: fiix("acme", "s3cret"),
            sync: None,
            webhook: None,
        },
    )
    .await
    .unwrap();
    let id = created.connection.id.clone();

    // Credentials of another Fiix account: stopped, nothing changed, the token still the same.
    let reauthorize = |subdomain: &str, confirm: bool| ConnectionReauthorizeRequest {
        id: id.clone(),
        credentials: fiix(subdomain, "s3cret"),
        authorized_by: None,
        confirm_identity_change: confirm,
    };
    let stopped = connection_reauthorize(&desk, reauthorize("elsewhere", false))
        .await
        .unwrap_err();
    assert_eq!(stopped.code(), Code::ConfirmationRequired, "{stopped}");
    assert!(stopped.to_string().contains("another account"), "{stopped}");
    let unchanged = client.connection(&id).await.unwrap();
    assert_eq!(
        unchanged.token_issued_at, created.connection.token_issued_at,
        "no new token"
    );

    // Confirmed: done, same id, a new token, reported as another account.
    let confirmed = connection_reauthorize(&desk, reauthorize("elsewhere", true))
        .await
        .unwrap();
    assert_eq!(confirmed.connection.id, id);
    assert!(confirmed.identity_changed);
    assert_ne!(confirmed.token, created.token);

    // The same account as now needs no confirmation.
    let again = connection_reauthorize(&desk, reauthorize("elsewhere", false))
        .await
        .unwrap();
    assert!(!again.identity_changed);
    assert_eq!(again.connection.id, id);
}
