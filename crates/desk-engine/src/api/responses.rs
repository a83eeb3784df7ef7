//! The error answers of the OpenAPI document, each a type `responses(...)` lists beside the
//! operation's success: one type per status (or per set of statuses that always come together,
//! like a JSON body's 400, 413 and 415), so an annotation reads as the list of what the route
//! can answer. Every one carries the error envelope. `tests/engine/openapi.rs` checks the
//! document against the rules these follow.

use std::collections::BTreeMap;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

fn envelope(status: u16, description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content);
    if status == 429 {
        let seconds = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1));
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(seconds)
                .description(Some("seconds to wait before the next call"))
                .build(),
        );
    }
    response.build().into()
}

macro_rules! error_responses {
    ($($(#[doc = $doc:literal])* $name:ident { $($status:literal => $description:literal),+ $(,)? })+) => {
        $(
            $(#[doc = $doc])*
            pub(crate) struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    BTreeMap::from([$(($status.to_string(), envelope($status, $description))),+])
                }
            }
        )+
    };
}

error_responses! {
    /// A query parameter or path segment the route refuses (`INVALID_REQUEST`).
    BadRequest {
        400 => "INVALID_REQUEST: a query parameter, path segment or field is invalid",
    }
    /// A JSON request body ([`super::extract::ApiJson`] and `OptionalJson`): bad JSON or a bad
    /// field, too large, or another content type.
    JsonBody {
        400 => "INVALID_REQUEST: the body is not valid JSON, or a parameter or field is invalid",
        413 => "PAYLOAD_TOO_LARGE: the body is larger than 1 MiB",
        415 => "UNSUPPORTED_MEDIA_TYPE: the body is not sent as application/json",
    }
    /// A body read whole before it is parsed, whatever its type.
    PayloadTooLarge {
        413 => "PAYLOAD_TOO_LARGE: the body is larger than 1 MiB",
    }
    /// A route behind a bearer token (admin or connection).
    Unauthorized {
        401 => "AUTHENTICATION_FAILED: no valid bearer token (missing, unknown, expired or revoked); \
                CONNECTION_DISCONNECTED or REAUTHORIZATION_REQUIRED for a connection that cannot be used",
    }
    /// The credit pool cannot pay for the connection.
    InsufficientCredits {
        402 => "INSUFFICIENT_CREDITS: the pool has fewer credits than the connection needs",
    }
    /// Allowed to nobody in this state: a read-only token's write, overage on a trial plan, an
    /// expired link.
    PermissionDenied {
        403 => "PERMISSION_DENIED: the caller may not do this",
    }
    /// An id (or entity) that names nothing.
    NotFound {
        404 => "NOT_FOUND: no such resource",
    }
    /// The connection's system does not offer the operation on the entity.
    OperationNotSupported {
        405 => "OPERATION_NOT_SUPPORTED: the connection's system does not support this operation on this entity",
    }
    /// The resource is in a state that refuses the action.
    Conflict {
        409 => "CONFLICT: the resource is in a state that does not allow this",
    }
    /// A field the platform owns, or a record the system has frozen.
    FieldNotUpdatable {
        422 => "FIELD_NOT_UPDATABLE: a field set by the platform, or a record in a state its system does not allow changes to",
    }
    /// A call through to the connection's (simulated) system: its rate limit and its faults
    /// (`admit_call` in sandbox/system.rs).
    SystemCall {
        429 => "RATE_LIMIT_EXCEEDED: the connection's rate limit, or a rate-limit storm of its system; wait Retry-After seconds",
        500 => "INTERNAL_ERROR: the system answered an internal error (the system_error fault)",
        503 => "SYSTEM_UNAVAILABLE: the connection's system is offline",
    }
}
