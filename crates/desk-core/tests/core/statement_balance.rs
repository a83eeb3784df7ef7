//! The credit dashboard's books against the platform's: after any sequence of lifecycle
//! actions taken through desk-core (create, activate or activate as overage, disconnect, buy
//! credits, switch the plan) after the first sync, with no sync in between, the mirrored account
//! statement closes on the platform's own balance, and that is what the platform says is
//! available.

use super::sync::{add_team_profile, desk, manual_engine};
use desk_core::actions::{
    connection_activate, connection_create, connection_disconnect, credit_statement,
    customer_create, sandbox_account, sync_run, ConnectionActivateRequest, ConnectionCreateRequest,
    ConnectionDisconnectRequest, CustomerCreateRequest, SandboxAccountRequest, StatementRequest,
    SyncRunRequest,
};
use desk_platform::account::Plan;
use desk_platform::catalog::Deployment;
use desk_platform::clock::Clock as _;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Op {
    /// A tier I (upkeep) or tier III (sap-ecc, on-premises: 8 credits) connection.
    Create {
        big: bool,
    },
    Activate {
        index: usize,
        overage: bool,
    },
    Disconnect {
        index: usize,
    },
    Buy(i64),
    Plan(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<bool>().prop_map(|big| Op::Create { big }),
        2 => (0..8usize, any::<bool>()).prop_map(|(index, overage)| Op::Activate { index, overage }),
        2 => (0..8usize).prop_map(|index| Op::Disconnect { index }),
        2 => (1..12i64).prop_map(Op::Buy),
        1 => any::<bool>().prop_map(Op::Plan),
    ]
}

fn credentials(big: bool) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = if big {
        &[
            ("host", "ecc.plant.example"),
            ("client", "100"),
            ("system_number", "00"),
            ("username", "RFC_USER"),
            ("password", "hunter2"),
        ]
    } else {
        &[("email", "ops@example.com"), ("password", "hunter2")]
    };
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

async fn run(ops: Vec<Op>) {
    let engine = manual_engine().await;
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path()).await;
    add_team_profile(&desk, &engine).await;
    // The app's first start: one sync fills the mirror; every change after it is mirrored by
    // the action itself.
    sync_run(&desk, SyncRunRequest { full: false })
        .await
        .unwrap();
    let customer = customer_create(
        &desk,
        CustomerCreateRequest {
            name: "Ledger Works".to_owned(),
            email: None,
            account_manager: None,
        },
    )
    .await
    .unwrap();
    let mut connections: Vec<String> = Vec::new();
    for op in ops {
        // A refusal (no credits on a trial, a connection already disconnected) is the
        // platform's answer, not a failure of the books; what happened must still balance.
        let outcome = match &op {
            Op::Create { big } => connection_create(
                &desk,
                ConnectionCreateRequest {
                    customer_id: customer.id.clone(),
                    system_id: if *big { "sap-ecc" } else { "upkeep" }.to_owned(),
                    deployment: if *big {
                        Deployment::OnPremises
                    } else {
                        Deployment::Cloud
                    },
                    name: format!("connection {}", connections.len()),
                    email: None,
                    credentials: credentials(*big),
                    sync: None,
                    webhook: None,
                },
            )
            .await
            .map(|created| connections.push(created.connection.id)),
            Op::Activate { index, overage } if !connections.is_empty() => connection_activate(
                &desk,
                ConnectionActivateRequest {
                    id: connections[index % connections.len()].clone(),
                    overage: *overage,
                },
            )
            .await
            .map(drop),
            Op::Disconnect { index } if !connections.is_empty() => connection_disconnect(
                &desk,
                ConnectionDisconnectRequest {
                    id: connections[index % connections.len()].clone(),
                    delete_data: false,
                },
            )
            .await
            .map(drop),
            Op::Buy(credits) => sandbox_account(
                &desk,
                SandboxAccountRequest {
                    purchase_credits: Some(*credits),
                    plan: None,
                },
            )
            .await
            .map(drop),
            Op::Plan(paid) => sandbox_account(
                &desk,
                SandboxAccountRequest {
                    purchase_credits: None,
                    plan: Some(if *paid { Plan::Paid } else { Plan::Trial }),
                },
            )
            .await
            .map(drop),
            _ => Ok(()),
        };
        if let Err(err) = outcome {
            assert!(
                err.request_id().is_some() || err.code().as_str() == "INVALID_INPUT",
                "{op:?} failed without the platform's answer: {err}"
            );
        }
    }
    let month = engine.clock.now().format("%Y-%m").to_string();
    let statement = credit_statement(
        &desk,
        StatementRequest {
            month,
            customer_id: None,
        },
    )
    .await
    .unwrap();
    let platform = engine.client().account().await.unwrap();
    assert_eq!(
        Some(statement.closing),
        statement.platform_closing,
        "{statement:#?}"
    );
    assert_eq!(
        statement.closing, platform.credits.available,
        "the statement closes on what the platform says is available: {statement:#?}"
    );
    desk.close().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_statement_closes_on_the_platforms_balance_after_any_lifecycle_actions(
        ops in proptest::collection::vec(op(), 1..14)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(ops));
    }
}
