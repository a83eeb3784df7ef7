//! `mdesk customers list/add`: the companies whose systems are connected. The list reads the
//! mirror; adding goes to the platform and into the mirror at once.

use super::desk::{failed, or_dash, with_desk, with_new_desk};
use crate::output::{print, table};
use crate::Context;
use desk_core::actions::{self, CustomerCreateRequest, CustomersListRequest};

#[derive(Debug, clap::Subcommand)]
pub enum CustomersCommand {
    /// Customers with their connection counts and credits, from the local mirror.
    List(ListArgs),
    /// Add a customer on the platform.
    Add(AddArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Words matched (as prefixes) against the name, id, email and account manager.
    #[arg(long)]
    search: Option<String>,
    /// Rows to show (default 100, at most 500).
    #[arg(long)]
    limit: Option<u32>,
    /// Rows to skip, for the next page.
    #[arg(long, default_value_t = 0)]
    offset: u32,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The customer's name, as your team calls it.
    #[arg(long)]
    name: String,
    /// Where the customer's IT contact is reached (reconnect instructions go there).
    #[arg(long)]
    email: Option<String>,
    /// Who looks after this customer on your side.
    #[arg(long)]
    account_manager: Option<String>,
}

pub async fn run(context: &Context, command: CustomersCommand) -> anyhow::Result<()> {
    // Listing reads an existing folder; adding talks to the platform, like `connect`.
    let adding = matches!(command, CustomersCommand::Add(_));
    let work = async |desk: &desk_core::Desk| match command {
        CustomersCommand::List(args) => {
            let page = actions::customers_list(
                desk,
                CustomersListRequest {
                    search: args.search,
                    offset: args.offset,
                    limit: args.limit,
                },
            )
            .await
            .map_err(failed)?;
            print(context.format, &page, || {
                let rows: Vec<Vec<String>> = page
                    .rows
                    .iter()
                    .map(|row| {
                        let c = &row.customer;
                        vec![
                            c.id.clone(),
                            c.name.clone(),
                            or_dash(c.email.as_deref()),
                            or_dash(c.account_manager.as_deref()),
                            row.connections.to_string(),
                            row.attention.to_string(),
                            row.credits.to_string(),
                        ]
                    })
                    .collect();
                let mut text = table(
                    &[
                        "id",
                        "name",
                        "email",
                        "account manager",
                        "connections",
                        "attention",
                        "credits",
                    ],
                    &rows,
                );
                let shown = page.offset as usize + page.rows.len();
                if shown < page.total as usize {
                    text.push_str(&format!(
                        "{} of {} shown; more: --offset {shown}\n",
                        page.rows.len(),
                        page.total
                    ));
                }
                text
            })
        }
        CustomersCommand::Add(args) => {
            let customer = actions::customer_create(
                desk,
                CustomerCreateRequest {
                    name: args.name,
                    email: args.email,
                    account_manager: args.account_manager,
                },
            )
            .await
            .map_err(failed)?;
            print(context.format, &customer, || {
                format!(
                    "added customer {} \"{}\"; connect it with `mdesk connect --customer {} ...`\n",
                    customer.id, customer.name, customer.id
                )
            })
        }
    };
    if adding {
        with_new_desk(context, work).await
    } else {
        with_desk(context, work).await
    }
}
