//! The connection-token actions (the connection page's "Record access"): on Makini a token is
//! issued only once the user confirmed that it may replace the integrator's, and that is what
//! happens; a pasted token mirrors records and leaves the integrator's working; on our
//! platform the app's own read-only token needs no confirmation and breaks nothing.

use crate::sync::{add_team_profile, desk, manual_engine, ManualEngine, CLIENT_ID, CLIENT_SECRET};
use desk_core::actions::{
    connection_token_issue, connection_token_set, connection_token_show,
    ConnectionTokenIssueRequest, ConnectionTokenSetRequest, ConnectionTokenShowRequest,
    TokenIssuing,
};
use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_core::sync::{sync, SyncRequest};
use desk_core::{Code, Desk};
use desk_vault::SecretString;

/// The HTTP status the engine answers a data read with `token`.
async fn reads_with(engine: &ManualEngine, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/api/v1/work-orders?limit=1", engine.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn makini_profile(desk: &Desk, engine: &ManualEngine) {
    profiles::add_profile(
        desk,
        AddProfile {
            name: "m".to_owned(),
            target: ProfileTarget::Makini {
                url: Some(engine.url.clone()),
                region: None,
                client_id: CLIENT_ID.to_owned(),
                client_secret: SecretString::new(CLIENT_SECRET.to_owned()),
            },
        },
    )
    .await
    .unwrap();
}

fn on(profile: &str) -> SyncRequest {
    SyncRequest {
        profile: Some(profile.to_owned()),
        ..SyncRequest::default()
    }
}

fn show(id: &str) -> ConnectionTokenShowRequest {
    ConnectionTokenShowRequest { id: id.to_owned() }
}

#[tokio::test]
async fn on_makini_a_token_is_issued_only_when_confirmed_and_then_replaces_the_integrators() {
    let engine = manual_engine().await;
    let (id, integrators) = engine.connection("Line 1", 50).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    makini_profile(&desk, &engine).await;
    let listed = sync(&desk, on("m")).await.unwrap();
    assert_eq!(listed.skipped.len(), 1, "{listed:?}");

    let state = connection_token_show(&desk, show(&id)).await.unwrap();
    assert_eq!(
        (state.kept, state.issuing),
        (false, TokenIssuing::MayReplaceCurrent)
    );
    assert_eq!(state.profile, "m");

    let refused = connection_token_issue(
        &desk,
        ConnectionTokenIssueRequest {
            id: id.clone(),
            replace_current_confirmed: false,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), Code::ConfirmationRequired, "{refused}");
    assert_eq!(
        reads_with(&engine, &integrators).await,
        200,
        "nothing was issued"
    );
    assert!(!connection_token_show(&desk, show(&id)).await.unwrap().kept);

    let issued = connection_token_issue(
        &desk,
        ConnectionTokenIssueRequest {
            id: id.clone(),
            replace_current_confirmed: true,
        },
    )
    .await
    .unwrap();
    assert!(issued.kept, "{issued:?}");
    assert_eq!(
        reads_with(&engine, &integrators).await,
        401,
        "the consequence the confirmation named: the integrator's token was replaced"
    );
    let pulled = sync(&desk, on("m")).await.unwrap();
    assert!(pulled.skipped.is_empty(), "{pulled:?}");
    assert_eq!(pulled.failures(), 0, "{pulled:#?}");
    assert!(pulled.records() > 0, "{pulled:?}");
}

#[tokio::test]
async fn on_makini_a_pasted_token_mirrors_records_and_the_integrators_keeps_working() {
    let engine = manual_engine().await;
    let (id, integrators) = engine.connection("Line 1", 50).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    makini_profile(&desk, &engine).await;
    sync(&desk, on("m")).await.unwrap();

    let empty = connection_token_set(
        &desk,
        ConnectionTokenSetRequest {
            id: id.clone(),
            token: "  ".to_owned(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(empty.code(), Code::InvalidInput);

    let kept = connection_token_set(
        &desk,
        ConnectionTokenSetRequest {
            id: id.clone(),
            token: format!(" {integrators}\n"),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (kept.kept, kept.issuing),
        (true, TokenIssuing::MayReplaceCurrent)
    );
    let pulled = sync(&desk, on("m")).await.unwrap();
    assert!(pulled.skipped.is_empty(), "{pulled:?}");
    assert_eq!(pulled.failures(), 0, "{pulled:#?}");
    assert!(pulled.records() > 0, "{pulled:?}");
    assert_eq!(reads_with(&engine, &integrators).await, 200);

    let secret = format!(
        "{:?}",
        ConnectionTokenSetRequest {
            id,
            token: integrators.clone()
        }
    );
    assert!(
        !secret.contains(&integrators),
        "the request's Debug hides the token: {secret}"
    );
}

#[tokio::test]
async fn on_our_platform_the_apps_own_read_token_needs_no_confirmation_and_breaks_nothing() {
    let engine = manual_engine().await;
    let (id, integrators) = engine.connection("Line 1", 50).await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    sync(
        &desk,
        SyncRequest {
            directory_only: true,
            ..on("team")
        },
    )
    .await
    .unwrap();
    let before = connection_token_show(&desk, show(&id)).await.unwrap();
    assert_eq!(
        (before.kept, before.issuing),
        (false, TokenIssuing::OwnReadToken)
    );

    let issued = connection_token_issue(
        &desk,
        ConnectionTokenIssueRequest {
            id: id.clone(),
            replace_current_confirmed: false,
        },
    )
    .await
    .unwrap();
    assert!(issued.kept);
    assert_eq!(reads_with(&engine, &integrators).await, 200);
    let pulled = sync(&desk, on("team")).await.unwrap();
    assert_eq!(pulled.failures(), 0, "{pulled:#?}");
    assert!(pulled.records() > 0);
    assert_eq!(reads_with(&engine, &integrators).await, 200);
}

/// The desk id names the app's own token on every platform, so two desks opened on one data
/// folder at once (a window and a CLI command) must agree on it, whichever creates it.
#[tokio::test]
async fn desks_creating_the_desk_id_at_once_all_get_the_one_the_folder_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let first = desk(dir.path()).await;
    let second = desk(dir.path()).await;
    let ids: Vec<String> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..8)
            .map(|n| {
                let desk = if n % 2 == 0 { &first } else { &second };
                scope.spawn(move || desk.desk_id().unwrap())
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let kept = std::fs::read_to_string(dir.path().join("data/desk-id")).unwrap();
    assert!(ids.iter().all(|id| *id == kept), "{ids:?} against {kept}");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("desk-id."))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
