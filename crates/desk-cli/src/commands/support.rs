//! `mdesk support-bundle [--out PATH]`: the redacted support bundle (logs, request ids,
//! connection states, versions; no secret, token or record body), desk-core's `support_bundle`.

use super::desk::with_desk;
use crate::output::print;
use crate::Context;
use desk_core::actions::{support_bundle, SupportBundleRequest};

#[derive(Debug, clap::Args)]
pub struct SupportBundleArgs {
    /// Where to write the .tar.gz (default: support/ in the data folder, named by the time).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

pub async fn run(context: &Context, args: SupportBundleArgs) -> anyhow::Result<()> {
    with_desk(context, async |desk| {
        let bundle = support_bundle(
            desk,
            SupportBundleRequest {
                out: args.out.map(|path| path.display().to_string()),
            },
        )
        .await?;
        print(context.format, &bundle, || {
            let mut text = format!(
                "wrote {} ({} files, {} secret-looking values redacted)\n",
                bundle.path,
                bundle.files.len(),
                bundle.redactions
            );
            if !bundle.logs_left_out.is_empty() {
                text.push_str(&format!(
                    "older logs left out (size budget): {}\n",
                    bundle.logs_left_out.join(", ")
                ));
            }
            text
        })?;
        Ok(())
    })
    .await
}
