//! The inspector's search through the trigram index gives exactly the rows a plain substring
//! scan gives (what `instr` over every row answered before the index), for texts of every kind,
//! whether the rows are indexed, not indexed yet, or a mix.

use crate::support::*;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use desk_inbox::{ListFilter, PageOrder};
use desk_platform::event::EventType;

/// Notes put in bodies (through catch-up, JSON-encoded as the platform's events are).
const NOTES: &[&str] = &[
    "pump overhaul at plant 7",
    "Pump OVERHAUL at Plant 7",
    "PUMP overhaul",
    "50% done_ok",
    "quote \" inside and 'single'",
    "日本語テキスト",
    "é accent, ée, e\u{301} combining",
    "NEAR AND OR * ^ : { } ( )",
    "ab\u{FFFF}cd",
    "ab\u{FFFD}cd",
    "back\\slash",
    "emoji 🚰 pump",
    "",
];

/// Texts searched: both paths (3 characters and more), the scan only (1-2 characters, or
/// characters the index cannot tell apart), FTS5 syntax that must be taken literally.
const NEEDLES: &[&str] = &[
    "pump",
    "Pump",
    "PUMP",
    "ump o",
    "pump overhaul",
    "overhaul at plant 7",
    "é",
    "ée",
    "é a",
    "日本語",
    "本語",
    "テキスト",
    "\"",
    "\"\"",
    "\" inside",
    "\\\" inside",
    "%",
    "50%",
    "0% d",
    "_",
    "e_o",
    "'single'",
    "evt_",
    "evt_0",
    "conn_",
    "conn_b",
    "connection.",
    "status_changed",
    "sync.completed",
    "ov",
    "o",
    "zz",
    "xyz-nothing",
    "ab\u{FFFD}",
    "ab\u{FFFF}",
    "\u{FFFD}cd",
    "a\0b",
    "abc\0def",
    "NEAR",
    "AND OR",
    "* ^",
    "{ }",
    "back\\slash",
    "\\\\",
    "🚰 p",
    "🚰",
    "e\u{301} c",
    "\"note\":\"pump",
    "plant",
    "raw",
    "garbage",
    "\u{e9}\u{e9}",
    "\u{e9}ov",
];

/// What the search must answer: `needle` a byte substring of the event id, type, connection id
/// or body (`search`), or of the body (`text`).
fn expected(rows: &[Row], needle: &str, body_only: bool) -> Vec<i64> {
    let needle = needle.as_bytes();
    let contains = |hay: &[u8]| hay.windows(needle.len()).any(|window| window == needle);
    rows.iter()
        .filter(|row| {
            contains(&row.body)
                || !body_only
                    && [&row.event_id, &row.event_type, &row.connection_id]
                        .iter()
                        .any(|field| field.as_deref().is_some_and(|f| contains(f.as_bytes())))
        })
        .map(|row| row.seq)
        .collect()
}

struct Row {
    seq: i64,
    event_id: Option<String>,
    event_type: Option<String>,
    connection_id: Option<String>,
    body: Vec<u8>,
}

async fn stored(harness: &Harness) -> Vec<Row> {
    harness
        .inbox
        .export(&ListFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|detail| Row {
            seq: detail.summary.seq,
            event_id: detail.summary.id,
            event_type: detail.summary.event_type,
            connection_id: detail.summary.connection_id,
            body: BASE64.decode(detail.body_base64).unwrap(),
        })
        .collect()
}

/// Stores a round of webhooks: events through catch-up and webhooks over the receiver (one
/// of them delivered twice), plus bodies that are not UTF-8 or hold a NUL (rejected, stored).
async fn store_round(harness: &Harness, round: usize) {
    let kinds = [
        EventType::ConnectionStatusChanged,
        EventType::SyncCompleted,
        EventType::ConnectionCreated,
    ];
    let events: Vec<_> = NOTES
        .iter()
        .enumerate()
        .map(|(n, note)| {
            event(
                &format!("evt_{round}{n:03}"),
                kinds[n % kinds.len()],
                &format!("conn_{}", ["a", "b", "Pump"][n % 3]),
                n as i64,
                serde_json::json!({"note": note}),
            )
        })
        .collect();
    harness.inbox.catch_up(events).await.unwrap();
    let delivered = event(
        &format!("evt_\"quoted\" é {round}"),
        EventType::SyncCompleted,
        "conn_日本",
        100,
        serde_json::json!({"note": "delivered pump"}),
    );
    harness.deliver(&delivered).await;
    harness.deliver(&delivered).await;
    let raw: [&[u8]; 5] = [
        b"\xff\xfe pump overhaul \xc3",
        b"abc\0def pump",
        b"ab\xc3\xa9\xa9 ov raw",
        b"\xe9ov garbage \xe9\xe9",
        b"{\"id\": \"evt_nul\\u0000\", \"note\": \"50% pump\"}",
    ];
    for (n, body) in raw.iter().enumerate() {
        let id = format!("evt_raw_{round}_{n}");
        harness
            .post(signed_raw(&id, body.to_vec(), harness.now()))
            .await;
    }
}

async fn check_all(harness: &Harness, when: &str) {
    let rows = stored(harness).await;
    for needle in NEEDLES {
        for body_only in [false, true] {
            let filter = if body_only {
                ListFilter {
                    text: Some((*needle).to_owned()),
                    ..ListFilter::default()
                }
            } else {
                ListFilter {
                    search: Some((*needle).to_owned()),
                    ..ListFilter::default()
                }
            };
            let found = harness.inbox.matching_seqs(&filter, 1000).await.unwrap();
            // `search` is trimmed; these needles have no outer spaces except where noted.
            let want = expected(&rows, needle.trim(), body_only);
            assert_eq!(
                found,
                want,
                "{when}: {} {needle:?}",
                if body_only { "text" } else { "search" }
            );
            let page = harness
                .inbox
                .page(&filter, PageOrder::ReceivedNewest, 0, 1000)
                .await
                .unwrap();
            assert_eq!(
                page.total as usize,
                want.len(),
                "{when}: total for {needle:?}"
            );
            let mut newest: Vec<i64> = page.rows.iter().map(|row| row.summary.seq).collect();
            newest.reverse();
            assert_eq!(newest, want, "{when}: page for {needle:?}");
        }
    }
    // The connection filter: its lookup table covers the indexed rows, the rest are scanned.
    for connection in ["conn_a", "conn_Pump", "conn_日本", "conn_", "conn_none"] {
        let want: Vec<i64> = rows
            .iter()
            .filter(|row| row.connection_id.as_deref() == Some(connection))
            .map(|row| row.seq)
            .collect();
        let filter = ListFilter {
            connection_id: Some(connection.to_owned()),
            ..ListFilter::default()
        };
        let found = harness.inbox.matching_seqs(&filter, 1000).await.unwrap();
        assert_eq!(found, want, "{when}: connection {connection:?}");
        let page = harness
            .inbox
            .page(&filter, PageOrder::ReceivedNewest, 0, 1000)
            .await
            .unwrap();
        assert_eq!(
            page.total as usize,
            want.len(),
            "{when}: total of {connection:?}"
        );
    }
    assert!(rows
        .iter()
        .any(|row| row.connection_id.as_deref() == Some("conn_Pump")));

    // Combined with another filter, and both text filters at once.
    let filter = ListFilter {
        event_type: Some("sync.completed".to_owned()),
        search: Some("pump".to_owned()),
        text: Some("delivered".to_owned()),
        ..ListFilter::default()
    };
    let found = harness.inbox.matching_seqs(&filter, 1000).await.unwrap();
    let pump = expected(&rows, "pump", false);
    let delivered = expected(&rows, "delivered", true);
    let want: Vec<i64> = rows
        .iter()
        .filter(|row| {
            row.event_type.as_deref() == Some("sync.completed")
                && pump.contains(&row.seq)
                && delivered.contains(&row.seq)
        })
        .map(|row| row.seq)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(found, want, "{when}: combined filters");
}

#[tokio::test]
async fn search_through_the_index_equals_the_scan() {
    let harness = Harness::new().await;
    store_round(&harness, 0).await;
    let rows = stored(&harness).await;
    // Some needles match somewhere (the comparison is not vacuous), cases differ.
    assert!(expected(&rows, "pump", false).len() > 3);
    assert_ne!(
        expected(&rows, "pump", false),
        expected(&rows, "Pump", false)
    );
    check_all(&harness, "nothing indexed").await;

    let indexed = harness.inbox.index_for_search().await.unwrap();
    assert_eq!(indexed, rows.len());
    check_all(&harness, "all indexed").await;
    assert_eq!(harness.inbox.index_for_search().await.unwrap(), 0);

    // New rows past the mark are found by the scan, indexed ones through the index.
    store_round(&harness, 1).await;
    check_all(&harness, "half indexed").await;
    harness.inbox.index_for_search().await.unwrap();
    check_all(&harness, "indexed again").await;

    // Processing (and replay) change no searchable field; the index stays right.
    harness.inbox.process_pending().await.unwrap();
    check_all(&harness, "after processing").await;
}

#[tokio::test]
async fn the_background_indexer_catches_up_and_the_index_survives_reopening() {
    let harness = Harness::with(|config| desk_inbox::InboxConfig {
        background_processing: true,
        ..config
    })
    .await;
    store_round(&harness, 0).await;
    let total = stored(&harness).await.len();
    assert!(total > 0);
    // The background task indexes everything on its own (waited for, no duration asserted
    // beyond a generous bound on the polls).
    let mut polls = 0;
    while harness.inbox.search_backlog().await.unwrap() > 0 {
        polls += 1;
        assert!(polls < 3000, "the background indexer never caught up");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(harness.inbox.index_for_search().await.unwrap(), 0);
    check_all(&harness, "background").await;
    harness.inbox.close().await;

    let reopened = Harness {
        inbox: desk_inbox::Inbox::open(harness.dir.path(), harness.inbox.config().clone())
            .await
            .unwrap(),
        clock: harness.clock.clone(),
        dir: harness.dir,
    };
    assert_eq!(reopened.inbox.index_for_search().await.unwrap(), 0);
    store_round(&reopened, 1).await;
    check_all(&reopened, "reopened").await;
}
