use crate::support::*;
use desk_inbox::{ConnectionState, Durability, Inbox, InboxConfig, ListFilter, Processing};
use desk_platform::event::{Event, EventType};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

const STATUSES: [&str; 5] = [
    "active",
    "inactive",
    "in_progress",
    "overage",
    "synchronizing",
];

fn build(index: usize, connection: usize, kind: u8, variant: u8) -> Event {
    let kind = EventType::ALL[usize::from(kind) % EventType::ALL.len()];
    let status = STATUSES[usize::from(variant) % STATUSES.len()];
    let data = match kind {
        EventType::ConnectionCreated => json!({"status": status}),
        EventType::ConnectionStatusChanged => {
            json!({"current": status, "online": variant.is_multiple_of(2)})
        }
        EventType::ConnectionReauthorizationRequired => json!({"reason": format!("r{variant}")}),
        EventType::SyncCompleted => json!({"sync_id": format!("sync_{index}"), "records": variant}),
        EventType::SyncFailed => {
            json!({"sync_id": format!("sync_{index}"), "error": format!("e{variant}")})
        }
        EventType::SystemError => json!({"error": format!("s{variant}")}),
        _ => json!({}),
    };
    // Distinct times: exact ties apply in arrival order by design (connection_state.rs), so
    // only they may depend on delivery order.
    let mut event = event(
        &format!("evt_{index:03}"),
        kind,
        &format!("conn_{connection}"),
        index as i64,
        data,
    );
    if kind == EventType::CreditsLow {
        event.connection_id = None;
    }
    event
}

async fn final_state(
    deliveries: &[Event],
    process_after: &[bool],
) -> (Vec<ConnectionState>, Inbox, tempfile::TempDir) {
    let harness = Harness::with(|config| InboxConfig {
        durability: Durability::Normal,
        ..config
    })
    .await;
    for (event, process) in deliveries.iter().zip(process_after.iter().cycle()) {
        assert_eq!(harness.deliver(event).await, http::StatusCode::OK);
        if *process {
            harness.inbox.process_pending().await.unwrap();
        }
    }
    harness.inbox.process_pending().await.unwrap();
    let states = harness.inbox.connection_states().await.unwrap();
    (states, harness.inbox, harness.dir)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_shuffled_stream_with_thirty_percent_duplicates_ends_in_the_in_order_state(
        specs in proptest::collection::vec((0..3usize, any::<u8>(), any::<u8>()), 1..40),
        seed in any::<u64>(),
        process_after in proptest::collection::vec(any::<bool>(), 1..6),
    ) {
        let events: Vec<Event> = specs
            .iter()
            .enumerate()
            .map(|(index, (connection, kind, variant))| build(index, *connection, *kind, *variant))
            .collect();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut shuffled = events.clone();
        for event in &events {
            if rng.gen_bool(0.3) {
                shuffled.push(event.clone());
            }
        }
        shuffled.shuffle(&mut rng);

        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (in_order, _a, _dir_a) = final_state(&events, &[false]).await;
            let (out_of_order, inbox, _dir_b) = final_state(&shuffled, &process_after).await;
            prop_assert_eq!(&in_order, &out_of_order);
            let rows = inbox.list(&ListFilter { limit: Some(1000), ..Default::default() }).await.unwrap().data;
            prop_assert_eq!(rows.len(), shuffled.len());
            let firsts = rows.iter().filter(|row| row.duplicate_of.is_none()).count();
            prop_assert_eq!(firsts, events.len());
            prop_assert!(rows.iter().all(|row| row.processing != Processing::Pending && row.processing != Processing::Failed));
            Ok(())
        })?;
    }
}
