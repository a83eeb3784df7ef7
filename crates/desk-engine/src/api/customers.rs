use super::account::PageQuery;
use super::extract::{AdminAuth, ApiJson, ApiQuery, Path};
use super::responses::{BadRequest, JsonBody, NotFound, Unauthorized};
use super::ApiError;
use crate::cursor;
use crate::engine::Engine;
use crate::lifecycle;
use crate::store::customers;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use desk_platform::customer::{CreateCustomer, Customer};
use desk_platform::Page;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<Engine> {
    OpenApiRouter::new()
        .routes(routes!(list_customers, create_customer))
        .routes(routes!(get_customer))
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("admin" = [])), params(PageQuery),
    responses((status = 200, body = Page<Customer>), BadRequest, Unauthorized))]
async fn list_customers(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page<Customer>>, ApiError> {
    let limit = cursor::limit(query.limit)?;
    let after = cursor::decode(query.cursor.as_deref())?;
    let mut db = engine.store.reader().acquire().await?;
    Ok(Json(cursor::page(
        customers::list(&mut db, after, limit).await?,
        limit,
    )))
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", security(("admin" = [])), request_body = CreateCustomer,
    responses((status = 201, body = Customer), JsonBody, Unauthorized))]
async fn create_customer(
    State(engine): State<Engine>,
    _: AdminAuth,
    ApiJson(request): ApiJson<CreateCustomer>,
) -> Result<(StatusCode, Json<Customer>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(lifecycle::create_customer(&engine, request).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("admin" = [])),
    responses((status = 200, body = Customer), BadRequest, Unauthorized, NotFound))]
async fn get_customer(
    State(engine): State<Engine>,
    _: AdminAuth,
    Path(id): Path<String>,
) -> Result<Json<Customer>, ApiError> {
    let mut db = engine.store.reader().acquire().await?;
    Ok(Json(lifecycle::require_customer(&mut db, &id).await?))
}
