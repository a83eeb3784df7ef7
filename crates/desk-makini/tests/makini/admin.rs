use super::*;
use desk_platform::catalog::Deployment;
use desk_platform::connection::{ConnectionStatus, CreateConnection};
use serde_json::json;
use std::collections::BTreeMap;

#[tokio::test]
async fn the_token_from_link_token_is_kept_until_its_expiry_timestamp_then_refreshed() {
    let s = setup().await;
    s.client.login().await.unwrap();
    s.client.client_info().await.unwrap();
    s.client.platforms().await.unwrap();
    assert_eq!(s.fake.with_state(|st| (st.logins, st.refreshes)), (1, 0));

    // A token that expires two seconds from now is refreshed a second before it does.
    let s = setup().await;
    s.fake.with_state(|st| st.token_lifetime = 2);
    s.client.login().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    s.client.client_info().await.unwrap();
    assert_eq!(s.fake.with_state(|st| (st.logins, st.refreshes)), (1, 1));
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_the_platforms_message() {
    let s = setup().await;
    let wrong = MakiniClient::new(
        &s.fake.url,
        ID,
        Secret::new("nope"),
        ClientConfig::default(),
        MakiniSettings::default(),
    )
    .unwrap();
    let err = wrong.login().await.unwrap_err();
    assert_eq!(err.code(), "AUTHENTICATION_FAILED");
    assert!(
        err.to_string().contains("Client authentication failed"),
        "{err}"
    );
}

#[tokio::test]
async fn connections_keep_user_metadata_tags_and_scopes_and_derive_what_makini_lacks() {
    let s = setup().await;
    s.fake.with_state(|st| {
        let key = st.add_connection("Acme North", "it@acme.example", "maintainx", "ct_1");
        let c = st.connection_mut(&key).unwrap();
        c.object["user_metadata"] = json!({"customer_id": "cus_acme", "plant": "north"});
        c.object["tags"] = json!(["eu", "pilot"]);
        st.add_connection("Beta", "ops@beta.example", "unknown-erp", "ct_2");
    });
    let connections = s.client.connections().await.unwrap();
    assert_eq!(connections.len(), 2);
    let acme = &connections[0];
    assert_eq!(acme.id, "09000207610001");
    assert_eq!(acme.customer_id, "cus_acme");
    assert_eq!(acme.system_id.as_deref(), Some("maintainx"));
    assert_eq!(acme.status, ConnectionStatus::Active);
    assert_eq!(acme.user_metadata["plant"], "north");
    assert_eq!(
        acme.user_metadata["_makini"]["tags"],
        json!(["eu", "pilot"])
    );
    assert_eq!(acme.user_metadata["_makini"]["scopes"], "read write");
    assert_eq!(acme.created_at.to_rfc3339(), "2026-01-01T10:00:00+00:00");
    assert_eq!(connections[1].customer_id, "cus_mk_ops@beta.example");

    let account = s.client.account().await.unwrap();
    assert_eq!(account.name, "Fake Integrator");
    assert_eq!(
        account.credits.in_use, 2,
        "one credit each at the unknown tier"
    );
    assert!(account.derived.contains(&"credits".to_owned()));
    let customers = s.client.customers().await.unwrap();
    assert_eq!(customers.len(), 2);
}

#[tokio::test]
async fn the_catalog_tiers_set_the_derived_credits() {
    let s = setup().await;
    let tiers = MakiniSettings {
        tiers: [("maintainx".to_owned(), 3)].into_iter().collect(),
        ..MakiniSettings::default()
    };
    let client = MakiniClient::new(
        &s.fake.url,
        ID,
        Secret::new(SECRET),
        ClientConfig::default(),
        tiers,
    )
    .unwrap();
    s.fake
        .with_state(|st| st.add_connection("Acme", "it@acme.example", "MaintainX", "ct_1"));
    let systems = client.systems().await.unwrap();
    assert_eq!(systems[0].tier, 3);
    assert_eq!(systems[0].credits_for(Deployment::Cloud), 4);
    assert_eq!(client.connections().await.unwrap()[0].credits, 4);
}

#[tokio::test]
async fn create_disconnect_metadata_and_connection_tokens() {
    let s = setup().await;
    let created = s
        .client
        .create_connection(&CreateConnection {
            customer_id: "ignored".into(),
            system_id: "inextia".into(),
            deployment: Deployment::Cloud,
            name: "Inextia".into(),
            email: Some("hey@makini.io".into()),
            credentials: BTreeMap::from([("login".to_owned(), "l".to_owned())]),
            user_metadata: serde_json::Map::new(),
            sync: None,
            webhook: None,
        })
        .await
        .unwrap();
    let key = created.connection.id.clone();
    assert!(created.token.starts_with("ct_"));
    assert_eq!(created.connection.name, "Inextia");

    let entries = vec![desk_makini::wire::MetadataEntry {
        key: "uc_first".into(),
        value: Some("UC Value".into()),
    }];
    s.client.set_metadata(&key, &entries).await.unwrap();
    assert_eq!(s.client.metadata(&key).await.unwrap(), entries);

    // The documented token route replaces the connection's token.
    let issued = s.client.issue_connection_token(&key).await.unwrap();
    assert_ne!(issued.token, created.token);
    let old = s
        .client
        .connection_client(&key, Secret::new(created.token.as_str()));
    assert_eq!(
        old.integration().await.unwrap_err().code(),
        "AUTHENTICATION_FAILED"
    );
    let new = s
        .client
        .connection_client(&key, Secret::new(issued.token.as_str()));
    assert_eq!(
        new.integration().await.unwrap().provider.as_deref(),
        Some("inextia")
    );

    let gone = s.client.disconnect(&key).await.unwrap();
    assert_eq!(gone.status, ConnectionStatus::Disconnected);
    assert_eq!(
        s.client.connection(&key).await.unwrap_err().code(),
        "NOT_FOUND"
    );
}
