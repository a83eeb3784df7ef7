//! The writer checkpoints inside a commit only as a backstop (checkpoint.rs): the checkpointer
//! must copy the WAL into the database while the inbox is open, before a commit would, and the
//! WAL must stay bounded however many commits come.

use crate::support::*;
use std::time::{Duration, Instant};

fn size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |meta| meta.len())
}

/// `count` webhooks, ten at a time: one commit of a few pages per ten.
async fn deliver_many(harness: &Harness, from: i64, count: i64) {
    for chunk in (from..from + count).step_by(10) {
        let posts = (chunk..chunk + 10).map(|n| {
            let event = status_changed(
                &format!("evt_wal_{n:05}"),
                &format!("conn_{}", n % 10),
                n,
                "active",
            );
            harness.deliver_owned(event)
        });
        let statuses = futures::future::join_all(posts).await;
        assert!(
            statuses.iter().all(|status| status.as_u16() == 200),
            "{statuses:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_is_checkpointed_in_the_background_and_stays_bounded() {
    let harness = Harness::new().await;
    let db = harness.dir.path().join(desk_inbox::DB_FILE);
    let wal = harness
        .dir
        .path()
        .join(format!("{}-wal", desk_inbox::DB_FILE));
    let empty = size(&db);

    // 500 webhooks fill the WAL with a few MB, below the commits' own checkpoint threshold
    // (16 MiB): only the checkpointer can have copied them into the database.
    deliver_many(&harness, 0, 500).await;
    assert!(
        size(&wal) < 16 * 1024 * 1024,
        "the WAL is already {} bytes",
        size(&wal)
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while size(&db) <= empty + 200_000 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        size(&db) > empty + 200_000,
        "the database file did not grow while open ({} bytes, {empty} at the start): the checkpointer copied nothing",
        size(&db),
    );

    // Thousands of commits more: uncheckpointed, their pages would pile up (tens of MB).
    deliver_many(&harness, 500, 3000).await;
    assert!(
        size(&wal) < 24 * 1024 * 1024,
        "the WAL grew to {} bytes: it never starts over",
        size(&wal)
    );
    assert_eq!(harness.inbox.stats().await.unwrap().total, 3500);
    harness.inbox.close().await;
}
