//! API controller plumbing shared by every HTTP slice, whatever hosts it (Lambda or the local
//! server): the request/response pair, body parsing and the failure → status mapping.

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::failure::{Failure, error_chain};

/// The parts of an HTTP request an API controller reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiRequest {
    /// The raw body, already decoded from base64 if the transport encoded it.
    pub body: Option<String>,
}

impl ApiRequest {
    pub fn with_body(body: impl Into<String>) -> Self {
        Self {
            body: Some(body.into()),
        }
    }
}

/// What an API controller answers: a status and a JSON body (CORS is the transport's job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: String,
}

impl ApiResponse {
    pub const BAD_REQUEST_BODY: &'static str = r#"{"message":"Bad Request"}"#;
    pub const INTERNAL_SERVER_ERROR_BODY: &'static str = r#"{"message":"Internal Server Error"}"#;

    pub fn ok(body: &impl Serialize) -> Self {
        Self::json(200, body)
    }

    pub fn accepted(body: &impl Serialize) -> Self {
        Self::json(202, body)
    }

    pub fn bad_request() -> Self {
        Self {
            status: 400,
            body: Self::BAD_REQUEST_BODY.to_owned(),
        }
    }

    pub fn internal_server_error() -> Self {
        Self {
            status: 500,
            body: Self::INTERNAL_SERVER_ERROR_BODY.to_owned(),
        }
    }

    fn json(status: u16, body: &impl Serialize) -> Self {
        match serde_json::to_string(body) {
            Ok(body) => Self { status, body },
            Err(error) => {
                tracing::error!(error = %error, "could not serialize a response body");
                Self::internal_server_error()
            }
        }
    }

    /// Answers a failure: 400 for invalid arguments, 500 otherwise. Logs it (once, here).
    pub fn from_failure(failure: &impl Failure) -> Self {
        if failure.is_invalid_arguments() {
            tracing::info!(failure_kind = failure.kind(), error = %error_chain(failure), "request rejected");
            Self::bad_request()
        } else {
            tracing::error!(failure_kind = failure.kind(), error = %error_chain(failure), "request failed");
            Self::internal_server_error()
        }
    }
}

/// An API slice's controller.
#[async_trait]
pub trait ApiHandler: Send + Sync {
    async fn handle(&self, request: ApiRequest) -> ApiResponse;
}

/// Why a request body could not be read as the expected JSON object.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the request has no body")]
    Missing,
    #[error("the request body is not a JSON object")]
    NotAnObject,
    #[error("the request body is not valid JSON")]
    InvalidJson(#[source] serde_json::Error),
    #[error("the request body does not match the expected shape")]
    InvalidShape(#[source] serde_json::Error),
    #[error("the request body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("the request body breaks a rule")]
    Invalid(#[source] validator::ValidationErrors),
    #[error("a value of the request body is invalid")]
    InvalidValue(#[source] crate::validation::ValueError),
}

/// Parses a request body as the DTO `B`, validates it (`validator`), then converts it into the
/// domain request `T` (parse, don't validate: `T` is built from the newtypes).
pub fn parse_valid_body<B, T>(request: &ApiRequest) -> Result<T, BodyError>
where
    B: DeserializeOwned + validator::Validate,
    T: TryFrom<B, Error = crate::validation::ValueError>,
{
    validate_into(parse_json_body::<B>(request)?)
}

/// Validates a parsed DTO (`validator`) and converts it into the domain request `T`: the second
/// half of [`parse_valid_body`], for a controller that parses its body itself.
pub fn validate_into<B, T>(body: B) -> Result<T, BodyError>
where
    B: validator::Validate,
    T: TryFrom<B, Error = crate::validation::ValueError>,
{
    body.validate().map_err(BodyError::Invalid)?;
    T::try_from(body).map_err(BodyError::InvalidValue)
}

/// The largest body any API accepts: EventBridge's 256 KB event limit, which every event a
/// request raises must fit.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Parses a request body into `T`. Missing, blank, oversized, non-JSON and non-object bodies
/// are errors.
pub fn parse_json_body<T: DeserializeOwned>(request: &ApiRequest) -> Result<T, BodyError> {
    let body = request.body.as_deref().ok_or(BodyError::Missing)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(BodyError::TooLarge);
    }
    if body.trim().is_empty() {
        return Err(BodyError::Missing);
    }
    let value: serde_json::Value = serde_json::from_str(body).map_err(BodyError::InvalidJson)?;
    if !value.is_object() {
        return Err(BodyError::NotAnObject);
    }
    serde_json::from_value(value).map_err(BodyError::InvalidShape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn rejects_every_non_object_body() {
        for body in [
            None,
            Some(""),
            Some("  \n"),
            Some("{"),
            Some("null"),
            Some("[]"),
            Some("\"x\""),
            Some("4"),
        ] {
            let request = ApiRequest {
                body: body.map(str::to_owned),
            };
            assert!(
                parse_json_body::<Body>(&request).is_err(),
                "{body:?} must be rejected"
            );
        }
    }

    #[test]
    fn rejects_wrong_shapes_and_accepts_objects() {
        assert!(matches!(
            parse_json_body::<Body>(&ApiRequest::with_body(r#"{"name":4}"#)),
            Err(BodyError::InvalidShape(_))
        ));
        assert!(
            parse_json_body::<Body>(&ApiRequest::with_body(r#"{"name":"x","extra":1}"#)).is_ok()
        );
    }
}
