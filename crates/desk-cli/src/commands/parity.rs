//! `mdesk parity --profile A --profile B`: the same read-only checks against two profiles (the
//! engine's own API and its Makini surface, or the engine against Makini's cloud), every
//! difference in shape and behaviour listed; exits 1 when there is one. desk-core's
//! `parity_check`.

use super::desk::with_desk;
use crate::output::{print, table};
use crate::{Context, UsageError};
use desk_core::actions::{parity_check, ParityOutcome, ParityRequest};

#[derive(Debug, clap::Args)]
pub struct ParityArgs {
    /// A profile to compare; give it twice (A, then B).
    #[arg(long = "profile", required = true, num_args = 1)]
    profiles: Vec<String>,
    /// Only this connection (default: every connection both profiles list).
    #[arg(long)]
    connection: Option<String>,
    /// Records read per entity and profile at most.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    max_records: u32,
    /// List only the differences (and what was skipped), not every check that agreed.
    #[arg(long)]
    differences_only: bool,
}

pub async fn run(context: &Context, args: ParityArgs) -> anyhow::Result<()> {
    if args.profiles.len() != 2 {
        return Err(UsageError(format!(
            "parity compares two profiles: give --profile twice, not {} time(s)",
            args.profiles.len()
        ))
        .into());
    }
    with_desk(context, async |desk| {
        let report = parity_check(
            desk,
            ParityRequest {
                profiles: args.profiles.clone(),
                connection_id: args.connection.clone(),
                max_records: Some(args.max_records),
            },
        )
        .await?;
        print(context.format, &report, || {
            let rows: Vec<Vec<String>> = report
                .checks
                .iter()
                .filter(|c| !args.differences_only || c.outcome != ParityOutcome::Same)
                .map(|c| {
                    let outcome = match c.outcome {
                        ParityOutcome::Same => "same",
                        ParityOutcome::Different => "DIFFERENT",
                        ParityOutcome::Skipped => "skipped",
                    };
                    vec![outcome.to_owned(), c.check.clone(), c.detail.clone()]
                })
                .collect();
            let mut text = table(&["outcome", "check", "detail"], &rows);
            text.push_str(&format!(
                "{} checks, {} different (A {}, B {})\n",
                report.checks.len(),
                report.differences,
                report.profiles[0],
                report.profiles[1]
            ));
            text
        })?;
        if report.differences > 0 {
            anyhow::bail!(
                "{} difference(s) between {} and {}",
                report.differences,
                report.profiles[0],
                report.profiles[1]
            );
        }
        Ok(())
    })
    .await
}
