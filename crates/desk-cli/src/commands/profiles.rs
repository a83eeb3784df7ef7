//! `mdesk profiles add/list`: which platforms the app talks to.

use super::desk::{or_dash, with_desk};
use crate::output::{print, table};
use crate::secret_input::{self, WhenMissing};
use crate::Context;
use desk_core::profiles::{self, AddProfile, ProfileTarget};
use desk_vault::SecretString;

#[derive(Debug, clap::Subcommand)]
pub enum ProfilesCommand {
    /// Add a profile (or replace one of the same name): --local, --url, or --makini.
    Add(AddArgs),
    /// The profiles of this data folder.
    List,
}

#[derive(Debug, clap::Args)]
// `--makini --url URL` names another Makini host: the group allows several, `--local` allows
// none beside it.
#[command(group(clap::ArgGroup::new("target").required(true).multiple(true).args(["local", "url", "makini"])))]
pub struct AddArgs {
    /// A short name: letters, digits, '-', '_' or '.'.
    name: String,
    /// The local engine of this data folder (started in-process when nobody serves it).
    #[arg(long, conflicts_with_all = ["url", "makini"])]
    local: bool,
    /// A self-hosted engine speaking Makini Desk's platform API.
    #[arg(long)]
    url: Option<String>,
    /// Makini's cloud (its documented API); --url overrides the default host. The login is
    /// checked before the profile is saved.
    #[arg(long)]
    makini: bool,
    /// With --makini: the region this account lives in (shown with the profile).
    #[arg(long, requires = "makini")]
    region: Option<String>,
    /// The admin client id of the platform account.
    #[arg(long, required_unless_present = "local")]
    client_id: Option<String>,
    /// The admin client secret; stored in the vault only, and asked for at a terminal when not
    /// given (a value on the command line is visible to other users in `ps`: prefer
    /// MDESK_CLIENT_SECRET or --client-secret-stdin).
    #[arg(long, env = "MDESK_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Read the admin client secret from the first line of standard input.
    #[arg(long, conflicts_with = "local")]
    client_secret_stdin: bool,
}

pub async fn run(context: &Context, command: ProfilesCommand) -> anyhow::Result<()> {
    match command {
        ProfilesCommand::Add(args) => add(context, args).await,
        ProfilesCommand::List => list(context).await,
    }
}

fn target(args: AddArgs) -> anyhow::Result<ProfileTarget> {
    let credentials = |args: AddArgs| -> anyhow::Result<(String, SecretString)> {
        let secret = secret_input::read(
            args.client_secret,
            args.client_secret_stdin,
            "--client-secret",
            WhenMissing::Prompt,
        )?;
        match (args.client_id, secret) {
            (Some(id), Some(secret)) => Ok((id, SecretString::new(secret))),
            _ => anyhow::bail!("--client-id and --client-secret are required (the secret also from MDESK_CLIENT_SECRET or --client-secret-stdin)"),
        }
    };
    if args.local {
        return Ok(ProfileTarget::Local);
    }
    if args.makini {
        let (url, region) = (args.url.clone(), args.region.clone());
        let (client_id, client_secret) = credentials(args)?;
        return Ok(ProfileTarget::Makini {
            url,
            region,
            client_id,
            client_secret,
        });
    }
    let url = args.url.clone().unwrap_or_default();
    let (client_id, client_secret) = credentials(args)?;
    Ok(ProfileTarget::SelfHosted {
        url,
        client_id,
        client_secret,
    })
}

async fn add(context: &Context, args: AddArgs) -> anyhow::Result<()> {
    let name = args.name.clone();
    let target = target(args)?;
    super::desk::with_new_desk(context, async |desk| {
        let profile = profiles::add_profile(desk, AddProfile { name, target }).await?;
        print(context.format, &profile, || {
            format!(
                "profile {} saved ({}{}); its secret is in the vault\n",
                profile.name,
                profile.kind.as_str(),
                profile
                    .base_url
                    .as_deref()
                    .map(|url| format!(", {url}"))
                    .unwrap_or_default()
            )
        })
    })
    .await
}

async fn list(context: &Context) -> anyhow::Result<()> {
    with_desk(context, async |desk| {
        let all = profiles::profiles(desk).await?;
        print(context.format, &all, || {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|p| {
                    vec![
                        p.name.clone(),
                        p.kind.as_str().to_owned(),
                        or_dash(p.base_url.as_deref()),
                        or_dash(p.region.as_deref()),
                        or_dash(p.client_id.as_deref()),
                    ]
                })
                .collect();
            table(&["name", "kind", "url", "region", "client id"], &rows)
        })
    })
    .await
}
