//! The API's error shape `{ "code": "...", "message": "..." }` with stable
//! codes, and the conversion of every framework error into it, so a caller's
//! mistake is always a JSON 4xx.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Object, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    /// A stable machine-readable code, such as `invalid_body`.
    pub code: String,
    /// A human explanation.
    pub message: String,
}

/// An error answer.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed: unparsable JSON or parameter, wrong type, unknown field.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No API key, or not a valid one.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// The key's role lacks the permission.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource (for this merchant).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The resource is in a state that does not allow the operation.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is larger than the limit.
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The `Content-Type` is not the one the operation takes.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// Well-formed, but a value breaks a rule; the message names it.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Too soon: a rate limit applies; retry later.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>),
    /// A failure on our side; details are in the server's log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A dependency (the database) does not answer.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

fn body(code: &str, message: impl Into<String>) -> Json<ErrorBody> {
    Json(ErrorBody { code: code.to_owned(), message: message.into() })
}

impl ApiError {
    /// 400 with a code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::BadRequest(body(code, message))
    }

    /// 401 with a code.
    pub fn unauthorized(code: &str, message: impl Into<String>) -> Self {
        Self::Unauthorized(body(code, message))
    }

    /// 403 with a code.
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::Forbidden(body(code, message))
    }

    /// 404 with a code.
    pub fn not_found(code: &str, message: impl Into<String>) -> Self {
        Self::NotFound(body(code, message))
    }

    /// 409 with a code.
    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict(body(code, message))
    }

    /// 429 with a code.
    pub fn too_many_requests(code: &str, message: impl Into<String>) -> Self {
        Self::TooManyRequests(body(code, message))
    }

    /// 413 with a code.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::PayloadTooLarge(body("payload_too_large", message))
    }

    /// 422 with a code.
    pub fn unprocessable(code: &str, message: impl Into<String>) -> Self {
        Self::Unprocessable(body(code, message))
    }

    /// 503 with the code `unavailable`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable(body("unavailable", message))
    }

    /// 503 with a code of its own (a payment gateway that did not answer).
    pub fn unavailable_code(code: &str, message: impl Into<String>) -> Self {
        Self::Unavailable(body(code, message))
    }

    /// Logs an infrastructure failure with its source chain and answers a
    /// fixed 500 that reveals nothing of it.
    pub fn unexpected(context: &str, error: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %portico_app::ErrorChain(error), "{context}");
        Self::Internal(body("internal", "an unexpected error occurred; it has been logged"))
    }
}

/// Turns any error that reached the router into the JSON error shape. Errors
/// the operations made themselves are already JSON and pass unchanged.
pub(crate) async fn to_json_error(error: poem::Error) -> Response {
    let status = error.status();
    let (code, message) = describe(&error, status);
    let response = error.into_response();
    let is_json = response.content_type().is_some_and(|c| c.starts_with("application/json"));
    if is_json {
        return response;
    }
    if status.is_server_error() {
        tracing::error!(%status, %message, "request failed");
    }
    let message =
        if status.is_server_error() { "an unexpected error occurred; it has been logged".into() } else { message };
    let mut answer = Json(ErrorBody { code: code.to_owned(), message }).into_response();
    answer.set_status(status);
    answer
}

fn describe(error: &poem::Error, status: StatusCode) -> (&'static str, String) {
    let message = error.to_string();
    if error.is::<ParseRequestPayloadError>() {
        return ("invalid_body", message);
    }
    if error.is::<ParseParamError>() {
        return ("invalid_parameter", message);
    }
    if error.is::<ParsePathError>() {
        return ("invalid_path", message);
    }
    if error.is::<ContentTypeError>() {
        return ("unsupported_media_type", message);
    }
    if error.is::<AuthorizationError>() {
        return ("unauthenticated", "send an API key as `Authorization: Bearer ptk_...`".to_owned());
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::LENGTH_REQUIRED => "length_required",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    };
    (code, message)
}
