//! `mdesk records ENTITY` and `mdesk export ENTITY --out FILE`: synced data from the mirror,
//! with no network.

use super::desk::with_desk;
use crate::output::{print, table};
use crate::Context;
use desk_core::offline;
use desk_store::RecordQuery;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RecordsArgs {
    /// purchase-orders, work-orders, inventory-items, vendors, assets, ...
    entity: String,
    #[arg(long)]
    connection: Option<String>,
    #[arg(long)]
    profile: Option<String>,
    /// Words that must all appear in the record (the last may be the start of a word).
    #[arg(long)]
    search: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// The next page: the cursor a previous page printed.
    #[arg(long)]
    after: Option<String>,
    /// Include records deleted on the platform.
    #[arg(long)]
    include_deleted: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    entity: String,
    /// The file to write: .csv or .json.
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    connection: Option<String>,
    #[arg(long)]
    profile: Option<String>,
    #[arg(long)]
    search: Option<String>,
    #[arg(long)]
    include_deleted: bool,
}

pub async fn records(context: &Context, args: RecordsArgs) -> anyhow::Result<()> {
    let query = RecordQuery {
        profile: args.profile,
        connection_id: args.connection,
        entity: Some(args.entity),
        search: args.search,
        include_deleted: args.include_deleted,
        limit: args.limit,
        offset: 0,
        after: args.after,
    };
    with_desk(context, async |desk| {
        let page = offline::records(desk, query).await?;
        print(context.format, &page, || {
            let rows: Vec<Vec<String>> = page.records.iter().map(summary).collect();
            let mut text = table(&["id", "number", "title", "status", "updated"], &rows);
            match &page.next_cursor {
                Some(cursor) => text.push_str(&format!("more: --after {cursor}\n")),
                None => text.push_str(&format!("{} records\n", page.records.len())),
            }
            text
        })
    })
    .await
}

/// The fields people scan a list by, whichever the entity has.
fn summary(record: &Value) -> Vec<String> {
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|key| match record.get(*key) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_default()
    };
    vec![
        text(&["id"]),
        text(&["number", "code", "sku"]),
        text(&["title", "name", "description"]),
        text(&["status", "state"]),
        text(&["updated_at"]),
    ]
}

pub async fn export(context: &Context, args: ExportArgs) -> anyhow::Result<()> {
    let query = RecordQuery {
        profile: args.profile,
        connection_id: args.connection,
        entity: Some(args.entity),
        search: args.search,
        include_deleted: args.include_deleted,
        ..RecordQuery::default()
    };
    with_desk(context, async |desk| {
        let report = offline::export(desk, query, &args.out).await?;
        print(context.format, &report, || {
            format!(
                "{} records written to {}\n",
                report.records,
                report.path.display()
            )
        })
    })
    .await
}
