//! `mdesk records ENTITY` and `mdesk export ENTITY --out FILE`: synced data from the mirror,
//! with no network.

use super::desk::with_desk;
use crate::output::{print, table};
use crate::Context;
use desk_core::offline;
use desk_store::RecordQuery;
use serde_json::Value;
use std::path::PathBuf;

/// Which records: the filters `records` and `export` share.
#[derive(Debug, clap::Args)]
pub struct RecordFilter {
    /// purchase-orders, work-orders, inventory-items, vendors, assets, ...
    entity: String,
    /// Only this connection's records (conn_...); all connections by default.
    #[arg(long)]
    connection: Option<String>,
    /// The profile whose mirror to read (default: the only one, or the shown one).
    #[arg(long)]
    profile: Option<String>,
    /// Words that must all appear in the record (the last may be the start of a word).
    #[arg(long)]
    search: Option<String>,
    /// Include records deleted on the platform.
    #[arg(long)]
    include_deleted: bool,
}

impl RecordFilter {
    fn query(self) -> RecordQuery {
        RecordQuery {
            profile: self.profile,
            connection_id: self.connection,
            entity: Some(self.entity),
            search: self.search,
            include_deleted: self.include_deleted,
            ..RecordQuery::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct RecordsArgs {
    #[command(flatten)]
    filter: RecordFilter,
    /// How many records to list, 1 to 10000.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=i64::from(desk_store::MAX_LIMIT)))]
    limit: u32,
    /// The next page: the cursor a previous page printed.
    #[arg(long)]
    after: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    filter: RecordFilter,
    /// The file to write: .csv or .json.
    #[arg(long)]
    out: PathBuf,
}

pub async fn records(context: &Context, args: RecordsArgs) -> anyhow::Result<()> {
    let query = RecordQuery {
        limit: args.limit,
        after: args.after,
        ..args.filter.query()
    };
    with_desk(context, async |desk| {
        let page = offline::records(desk, query).await?;
        print(context.format, &page, || {
            let rows: Vec<Vec<String>> = page
                .records
                .iter()
                .zip(&page.sources)
                .map(|(record, source)| {
                    let mut row = summary(record);
                    // Two plants can both have a WO-000001: where it came from goes with it.
                    row.insert(1, source.connection_id.clone());
                    row.insert(
                        2,
                        source
                            .customer_name
                            .clone()
                            .or_else(|| source.customer_id.clone())
                            .unwrap_or_else(|| "-".to_owned()),
                    );
                    row
                })
                .collect();
            let mut text = table(
                &[
                    "id",
                    "connection",
                    "customer",
                    "number",
                    "title",
                    "status",
                    "updated",
                ],
                &rows,
            );
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
    let query = args.filter.query();
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
