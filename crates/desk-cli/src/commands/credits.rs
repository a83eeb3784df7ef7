//! `mdesk credits [--history] [--forecast]`: the credit dashboard's numbers, from the mirror.

use super::desk::with_desk;
use crate::output::{print, table};
use crate::Context;
use desk_core::offline;
use desk_store::CreditShare;

#[derive(Debug, clap::Args)]
pub struct CreditsArgs {
    /// The profile whose account to show (default: the only one, or the shown one).
    #[arg(long)]
    profile: Option<String>,
    /// The pool as each sync saw it, oldest first.
    #[arg(long)]
    history: bool,
    /// When the pool runs out at the last 30 days' rate.
    #[arg(long)]
    forecast: bool,
}

pub async fn run(context: &Context, args: CreditsArgs) -> anyhow::Result<()> {
    with_desk(context, async |desk| {
        let view = offline::credits(
            desk,
            args.profile.as_deref(),
            args.history,
            args.forecast.then_some(desk_store::FORECAST_WINDOW_DAYS),
        )
        .await?;
        print(context.format, &view, || {
            let c = &view.credits;
            let mut text = format!(
                "profile {}{}\npurchased {}  in use {}  available {}  overage {}\n",
                view.profile,
                c.as_of
                    .map(|at| format!(", as of {}", at.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_else(|| ", never synced: run `mdesk sync`".to_owned()),
                c.purchased,
                c.in_use,
                c.available,
                c.overage_in_use
            );
            for (title, shares) in [
                ("tier", &c.by_tier),
                ("customer", &c.by_customer),
                ("deployment", &c.by_deployment),
                ("system", &c.by_system),
            ] {
                text.push('\n');
                text.push_str(&shares_table(title, shares));
            }
            if let Some(history) = &view.history {
                text.push('\n');
                let rows: Vec<Vec<String>> = history
                    .iter()
                    .map(|s| {
                        vec![
                            s.at.format("%Y-%m-%d %H:%M").to_string(),
                            s.credits.purchased.to_string(),
                            s.credits.in_use.to_string(),
                            s.credits.available.to_string(),
                            s.credits.overage_in_use.to_string(),
                        ]
                    })
                    .collect();
                text.push_str(&table(
                    &["synced at", "purchased", "in use", "available", "overage"],
                    &rows,
                ));
            }
            if let Some(forecast) = &view.forecast {
                text.push_str(&format!(
                    "\nforecast: {} consumed net over {} days ({:.2}/day); {}\n",
                    forecast.net_consumed,
                    forecast.window_days,
                    forecast.per_day,
                    forecast.runs_out_on.map_or_else(
                        || "the pool does not run out at this rate".to_owned(),
                        |day| format!("the pool runs out around {day}")
                    )
                ));
            }
            text
        })
    })
    .await
}

fn shares_table(title: &str, shares: &[CreditShare]) -> String {
    let rows: Vec<Vec<String>> = shares
        .iter()
        .map(|s| {
            vec![
                s.label.clone(),
                s.connections.to_string(),
                s.in_use.to_string(),
                s.overage_in_use.to_string(),
                s.inactive.to_string(),
            ]
        })
        .collect();
    table(
        &[title, "connections", "in use", "overage", "inactive needs"],
        &rows,
    )
}
