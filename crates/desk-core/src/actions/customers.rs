//! Customers: the companies whose systems are connected. Lists read the mirror; creating one
//! goes to the platform and into the mirror at once.

use super::connections::{fold, ConnectionRow};
use super::health::Health;
use crate::desk::Desk;
use crate::profiles::resolve_or_create_profile;
use crate::CoreError;
use desk_platform::customer::{CreateCustomer, Customer};
use desk_store::ConnectionFilter;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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
    let mirror = desk.mirror();
    let mut tally: HashMap<String, (u32, u32, i64)> = HashMap::new();
    for mirrored in mirror
        .connections(&ConnectionFilter {
            profile: Some(profile.clone()),
            ..ConnectionFilter::default()
        })
        .await?
    {
        let c = &mirrored.connection;
        let entry = tally.entry(c.customer_id.clone()).or_default();
        entry.0 += 1;
        if Health::of(c).needs_attention() {
            entry.1 += 1;
        }
        if c.status.is_live() {
            entry.2 += c.credits;
        }
    }
    let words: Vec<String> = request
        .search
        .unwrap_or_default()
        .split_whitespace()
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    let rows: Vec<CustomerRow> = mirror
        .customers(&profile)
        .await?
        .into_iter()
        .filter(|customer| {
            let tokens: Vec<String> = [
                Some(customer.name.as_str()),
                Some(customer.id.as_str()),
                customer.email.as_deref(),
                customer.account_manager.as_deref(),
            ]
            .into_iter()
            .flatten()
            .flat_map(|field| field.split_whitespace().map(fold))
            .collect();
            words
                .iter()
                .all(|word| tokens.iter().any(|t| t.starts_with(word.as_str())))
        })
        .map(|customer| {
            let (connections, attention, credits) =
                tally.get(&customer.id).copied().unwrap_or_default();
            CustomerRow {
                customer,
                connections,
                attention,
                credits,
            }
        })
        .collect();
    let total = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let limit = request.limit.unwrap_or(100).clamp(1, 500) as usize;
    Ok(CustomersPage {
        rows: rows
            .into_iter()
            .skip(request.offset as usize)
            .take(limit)
            .collect(),
        total,
        offset: request.offset,
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
