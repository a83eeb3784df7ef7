//! The inspector screen's reads and actions: pages at an offset in arrival or created order,
//! the one search box, replay previews, the signature explainer, edited resends, catch-up time.
use crate::support::*;
use desk_inbox::{explain, Edit, ExplainKeys, ListFilter, PageOrder, SignatureCheck};

async fn seeded() -> Harness {
    let harness = Harness::new().await;
    // evt_2 is created before evt_1 but arrives after it.
    harness
        .deliver(&status_changed("evt_1", "conn_a", 10, "active"))
        .await;
    harness
        .deliver(&status_changed("evt_2", "conn_b", 5, "inactive"))
        .await;
    harness
        .deliver(&status_changed("evt_2", "conn_b", 5, "inactive"))
        .await;
    let mut bad = signed(
        &status_changed("evt_3", "conn_a", 20, "active"),
        harness.now(),
    );
    bad.headers_mut()
        .insert("webhook-signature", "v1,bm9wZQ==".parse().unwrap());
    harness.post(bad).await;
    harness.inbox.process_pending().await.unwrap();
    harness
}

fn seqs(page: &desk_inbox::InspectorPage) -> Vec<i64> {
    page.rows.iter().map(|row| row.summary.seq).collect()
}

#[tokio::test]
async fn pages_come_at_an_offset_with_the_total_in_arrival_or_created_order() {
    let harness = seeded().await;
    let all = ListFilter::default();
    let newest = harness
        .inbox
        .page(&all, PageOrder::ReceivedNewest, 0, 2)
        .await
        .unwrap();
    assert_eq!(newest.total, 4);
    assert_eq!(seqs(&newest), vec![4, 3]);
    let next = harness
        .inbox
        .page(&all, PageOrder::ReceivedNewest, 2, 2)
        .await
        .unwrap();
    assert_eq!(seqs(&next), vec![2, 1]);
    let created = harness
        .inbox
        .page(&all, PageOrder::CreatedOldest, 0, 10)
        .await
        .unwrap();
    // evt_2 (created at +5 s, both copies by arrival) before evt_1 (+10 s), then evt_3 (+20 s).
    assert_eq!(seqs(&created), vec![2, 3, 1, 4]);
    assert!(created.rows[0].event_created_at.is_some());
    assert!(harness
        .inbox
        .page(&all, PageOrder::ReceivedNewest, 0, 0)
        .await
        .is_err());
}

#[tokio::test]
async fn the_search_box_matches_ids_types_connections_and_bodies() {
    let harness = seeded().await;
    let search = |text: &str| {
        let inbox = harness.inbox.clone();
        let filter = ListFilter {
            search: Some(text.to_owned()),
            ..ListFilter::default()
        };
        async move {
            inbox
                .page(&filter, PageOrder::ReceivedOldest, 0, 100)
                .await
                .unwrap()
        }
    };
    assert_eq!(seqs(&search("evt_2").await), vec![2, 3]);
    assert_eq!(seqs(&search("conn_a").await), vec![1, 4]);
    assert_eq!(search("status_changed").await.total, 4);
    assert_eq!(seqs(&search("\"inactive\"").await), vec![2, 3]);
    assert_eq!(search("nothing like it").await.total, 0);
    assert_eq!(
        harness
            .inbox
            .matching_seqs(
                &ListFilter {
                    search: Some("conn_a".into()),
                    ..ListFilter::default()
                },
                1
            )
            .await
            .unwrap(),
        vec![1]
    );
}

#[tokio::test]
async fn a_replay_preview_names_first_copies_and_refuses_rejected_requests() {
    let harness = seeded().await;
    let keys = ["3", "2", "4"].map(str::to_owned);
    let preview = harness.inbox.replay_preview(&keys).await.unwrap();
    let firsts: Vec<i64> = preview.webhooks.iter().map(|w| w.seq).collect();
    assert_eq!(
        firsts,
        vec![2],
        "the duplicate #3 means its first copy #2, named once"
    );
    assert_eq!(preview.refused.len(), 1);
    assert_eq!(preview.refused[0].0, "4");
}

#[tokio::test]
async fn the_explainer_redoes_the_check_and_says_why_it_failed() {
    let harness = seeded().await;
    let key = key();
    let keys = ExplainKeys {
        standard: Some(&key),
        standard_name: "inbox-secret",
        body_hmac: None,
        body_hmac_name: "body",
        body_hmac_header: None,
    };
    let good = explain(&harness.inbox.show("1").await.unwrap(), &keys);
    assert_eq!(good.verdict, SignatureCheck::Valid);
    assert_eq!(good.scheme_name, "Standard Webhooks");
    assert_eq!(good.secret_name.as_deref(), Some("inbox-secret"));
    assert_eq!(good.received, vec![good.expected.clone().unwrap()]);
    assert!(good
        .signed_content
        .as_deref()
        .unwrap()
        .starts_with("evt_1."));
    assert_eq!(good.skew_seconds, Some(0));
    assert!(good.steps.iter().all(|step| step.passed != Some(false)));

    let bad = explain(&harness.inbox.show("4").await.unwrap(), &keys);
    assert_eq!(bad.verdict, SignatureCheck::Invalid);
    assert_eq!(bad.received, vec!["v1,bm9wZQ==".to_owned()]);
    assert_ne!(bad.expected.as_deref(), Some("v1,bm9wZQ=="));
    let failed: Vec<&str> = bad
        .steps
        .iter()
        .filter(|step| step.passed == Some(false))
        .map(|step| step.title.as_str())
        .collect();
    assert_eq!(failed, vec!["Signature", "Verdict"]);
    assert!(!key.to_secret().is_empty());
    let text = serde_json::to_string(&bad).unwrap();
    assert!(
        !text.contains(&key.to_secret()),
        "the secret's value is never shown"
    );
}

#[tokio::test]
async fn an_edited_resend_is_signed_stored_and_recorded_beside_the_original() {
    let harness = seeded().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = harness.inbox.clone();
    tokio::spawn(async move {
        server
            .serve(listener, async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    let original = harness.inbox.show("1").await.unwrap();
    let body = original.body.replace("evt_1", "evt_1_edited");
    let edit = Edit {
        original: "1".into(),
        body: body.clone(),
        headers: vec![
            ("x-note".into(), "edited".into()),
            ("webhook-signature".into(), "v1,dropped".into()),
        ],
        url: format!("http://{addr}/webhooks"),
    };
    let sent = harness.inbox.resend_edited(&edit, &key()).await.unwrap();
    assert_eq!(sent.status, Some(200), "{:?}", sent.answer);
    assert_eq!(sent.event_id, "evt_1_edited");
    let stored = sent.resent_seq.expect("the inbox stored the resend");
    let copy = harness.inbox.show(&stored.to_string()).await.unwrap();
    assert_eq!(copy.summary.signature, SignatureCheck::Valid);
    assert_eq!(copy.body, body);
    assert!(copy
        .headers
        .iter()
        .any(|(n, v)| n == "x-note" && v == "edited"));
    assert!(!copy.headers.iter().any(|(_, v)| v == "v1,dropped"));
    let edits = harness.inbox.edits_of(original.summary.seq).await.unwrap();
    assert_eq!(edits, vec![sent]);
    assert_eq!(harness.inbox.show("1").await.unwrap().body, original.body);

    let nobody = Edit {
        url: "http://127.0.0.1:9/webhooks".into(),
        ..edit
    };
    let unanswered = harness.inbox.resend_edited(&nobody, &key()).await.unwrap();
    assert_eq!(unanswered.status, None);
    assert!(unanswered.answer.unwrap().contains("no answer"));
    let _ = stop.send(());
}

#[tokio::test]
async fn the_last_catch_up_is_remembered() {
    let harness = Harness::new().await;
    assert_eq!(harness.inbox.caught_up_at().await.unwrap(), None);
    let at = start_time();
    harness.inbox.note_caught_up(at).await.unwrap();
    assert_eq!(harness.inbox.caught_up_at().await.unwrap(), Some(at));
}
