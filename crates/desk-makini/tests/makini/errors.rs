use super::*;

/// Makini's error body is not documented: every shape gives a code, a message and the request
/// id when there is one, and none crashes.
#[tokio::test]
async fn every_error_shape_gives_code_message_and_request_id() {
    let s = setup().await;
    s.client.login().await.unwrap();
    for (status, body, code, text) in [
        (
            403,
            r#"{"message":"This action is unauthorized."}"#,
            "PERMISSION_DENIED",
            "unauthorized",
        ),
        (
            404,
            r#"{"error":{"code":"not_found","message":"No connection"}}"#,
            "NOT_FOUND",
            "No connection",
        ),
        (
            400,
            r#"{"error":"invalid_request","message":"bad page"}"#,
            "INVALID_REQUEST",
            "bad page",
        ),
        (
            422,
            r#"{"message":"The given data was invalid.","errors":{"email":["required"]}}"#,
            "FIELD_NOT_UPDATABLE",
            "required",
        ),
        (
            500,
            "<html>Server Error</html>",
            "INTERNAL_ERROR",
            "Server Error",
        ),
        (400, r#"[{"weird":true}]"#, "INVALID_REQUEST", "weird"),
        (400, "", "INVALID_REQUEST", "empty body"),
    ] {
        s.fake
            .with_state(|st| st.next_error = Some((status, body.to_owned())));
        let err = s.client.client_info().await.unwrap_err();
        assert_eq!(err.code(), code, "{body}");
        assert!(err.to_string().contains(text), "{err} for {body}");
        assert_eq!(err.request_id(), Some("req_fake_error"), "{body}");
    }
}
