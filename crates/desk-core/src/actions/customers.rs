//! Customers: the companies whose systems are connected. Lists read the mirror; creating one
//! goes to the platform and into the mirror at once.

use super::connections::ConnectionRow;
use crate::desk::Desk;
use crate::profiles::resolve_or_create_profile;
use crate::CoreError;
use desk_platform::customer::{CreateCustomer, Customer};
use desk_store::CustomerQuery;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(default, deny_unknown_fields)]
pub struct CustomersListRequest {
    /// Words matched (as prefixes) against the name, id, email and account manager.
    pub search: Option<String>,
    pub offset: u32,
    /// Rows per page (default 100, at most 500).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CustomerRow {
    #[serde(flatten)]
    pub customer: Customer,
    pub connections: u32,
    /// Connections that need someone to act.
    pub attention: u32,
    /// Credits its live connections cost.
    pub credits: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CustomersPage {
    pub rows: Vec<CustomerRow>,
    pub total: u32,
    pub offset: u32,
}

pub async fn customers_list(
    desk: &Desk,
    request: CustomersListRequest,
) -> Result<CustomersPage, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let page = desk
        .mirror()
        .customers_page(&CustomerQuery {
            profile,
            search: request.search.filter(|s| !s.trim().is_empty()),
            offset: request.offset,
            limit: request.limit.unwrap_or(100).clamp(1, 500),
            ..CustomerQuery::default()
        })
        .await?;
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(CustomersPage {
        rows: page
            .rows
            .into_iter()
            .map(|row| CustomerRow {
                customer: row.customer,
                connections: count(row.connections),
                attention: count(row.attention),
                credits: row.credits_in_use,
            })
            .collect(),
        total: count(page.total),
        offset: page.offset,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct CustomerShowRequest {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CustomerDetail {
    pub customer: Customer,
    pub connections: Vec<ConnectionRow>,
}

pub async fn customer_show(
    desk: &Desk,
    request: CustomerShowRequest,
) -> Result<CustomerDetail, CoreError> {
    let profile = resolve_or_create_profile(desk, None).await?.name;
    let mirror = desk.mirror();
    let customer = mirror
        .customers(&profile)
        .await?
        .into_iter()
        .find(|c| c.id == request.id)
        .ok_or_else(|| {
            CoreError::Store(desk_store::StoreError::NotFound {
                what: "customer",
                id: request.id.clone(),
            })
        })?;
    let page = super::connections::connections_list(
        desk,
        super::ConnectionsListRequest {
            customer_id: Some(customer.id.clone()),
            limit: Some(500),
            ..super::ConnectionsListRequest::default()
        },
    )
    .await?;
    Ok(CustomerDetail {
        customer,
        connections: page.rows,
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(optional_fields = nullable)]
#[serde(deny_unknown_fields)]
pub struct CustomerCreateRequest {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub account_manager: Option<String>,
}

pub async fn customer_create(
    desk: &Desk,
    request: CustomerCreateRequest,
) -> Result<Customer, CoreError> {
    let name = request.name.trim();
    if name.is_empty() {
        return Err(CoreError::InvalidInput(
            "a customer needs a name".to_owned(),
        ));
    }
    let blank_to_none = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let session = desk.session(None).await?;
    let customer = session
        .client
        .create_customer(&CreateCustomer {
            name: name.to_owned(),
            email: blank_to_none(request.email),
            account_manager: blank_to_none(request.account_manager),
            metadata: serde_json::Map::new(),
        })
        .await?;
    desk.mirror()
        .upsert_customer(&session.profile.name, &customer)
        .await?;
    tracing::info!(customer = %customer.id, "customer created");
    Ok(customer)
}
