//! desk-core's action list as HTTP routes: `POST /api/actions/{name}`, the request as the JSON
//! body, the response as JSON; an error as `{"error": ActionError}` with the code's status.

use crate::guard::error_response;
use crate::ServerState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use desk_core::{ActionError, Code};
use std::sync::Arc;

/// An action's failure as an answer.
pub(crate) struct Failure(ActionError);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        error_response(status, self.0)
    }
}

/// The body as the action's request; an empty body is `{}` (actions without fields).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Failure> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|err| {
        Failure(
            ActionError::new(Code::InvalidInput, format!("the request body: {err}"))
                .with_next_step(desk_core::NextStep::FixInput),
        )
    })
}

macro_rules! action_routes {
    ($($name:ident($request:ident) -> $response:ident),* $(,)?) => {
        /// One route per action; a new action in desk-core's list is served without a line here.
        pub(crate) fn routes() -> Router<Arc<ServerState>> {
            Router::new()
            $(
                .route(
                    concat!("/actions/", stringify!($name)),
                    post(|State(state): State<Arc<ServerState>>, body: Bytes| async move {
                        let request: desk_core::actions::$request = parse(&body)?;
                        match desk_core::actions::$name(&state.desk, request).await {
                            Ok(response) => Ok::<_, Failure>(Json::<desk_core::actions::$response>(response)),
                            Err(err) => {
                                let error = ActionError::from(&err);
                                tracing::warn!(action = stringify!($name), code = %error.code, error = %err, "action failed");
                                Err(Failure(error))
                            }
                        }
                    }),
                )
            )*
        }
    };
}

desk_core::for_each_action!(action_routes);

pub(crate) async fn unknown() -> Response {
    Failure(ActionError::new(
        Code::UnknownAction,
        "no such route; actions are POST /api/actions/{name}",
    ))
    .into_response()
}
