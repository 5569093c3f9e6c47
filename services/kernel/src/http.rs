//! API controller plumbing shared by every HTTP slice, whatever hosts it (Lambda or the local
//! server): the request/response pair, body parsing and the failure → status mapping.

use std::time::Instant;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::correlation::{self, Correlation};
use crate::failure::{Failure, error_chain};
use crate::metrics;

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

/// The ids one API request runs under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestIds {
    /// The transport's id of this request (API Gateway's `requestId`), or a new one.
    pub request_id: String,
    /// The client's `x-correlation-id` when usable, or a new one; the transport returns it in
    /// the response's `x-correlation-id` header.
    pub correlation_id: String,
}

impl RequestIds {
    pub fn new(correlation_header: Option<&str>, request_id: Option<String>) -> Self {
        Self {
            request_id: request_id.unwrap_or_else(correlation::new_id),
            correlation_id: correlation::accept_or_new(correlation_header),
        }
    }
}

/// Runs one request as every transport must: inside a span naming the route and both ids (so
/// every log line of the request carries them) and under its correlation, so the events it
/// raises carry the correlation id and, as their cause, the request id.
pub async fn handle_request(
    handler: &(impl ApiHandler + ?Sized),
    route: &str,
    ids: &RequestIds,
    request: ApiRequest,
) -> ApiResponse {
    let span = tracing::info_span!(
        "request",
        route,
        request_id = %ids.request_id,
        correlation_id = %ids.correlation_id,
    );
    let correlation = Correlation {
        correlation_id: ids.correlation_id.clone(),
        causation_id: ids.request_id.clone(),
    };
    let started = Instant::now();
    let response = correlation::scope(correlation, handler.handle(request))
        .instrument(span)
        .await;
    metrics::record_request(route, response.status, started.elapsed());
    response
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

    /// Answers with the correlation it ran under.
    struct EchoCorrelation;

    #[async_trait]
    impl ApiHandler for EchoCorrelation {
        async fn handle(&self, _request: ApiRequest) -> ApiResponse {
            let seen = correlation::current().map(|c| (c.correlation_id, c.causation_id));
            ApiResponse::ok(&seen)
        }
    }

    #[tokio::test]
    async fn a_request_runs_under_its_correlation_id_caused_by_its_request_id() {
        let ids = RequestIds::new(Some("run-7"), Some("api-gw-1".to_owned()));
        assert_eq!(ids.correlation_id, "run-7");
        let response =
            handle_request(&EchoCorrelation, "/x", &ids, ApiRequest::with_body("{}")).await;
        assert_eq!(response.body, r#"["run-7","api-gw-1"]"#);

        let ids = RequestIds::new(None, None);
        let response =
            handle_request(&EchoCorrelation, "/x", &ids, ApiRequest::with_body("{}")).await;
        assert_eq!(
            response.body,
            format!(r#"["{}","{}"]"#, ids.correlation_id, ids.request_id)
        );
        assert_ne!(ids.correlation_id, ids.request_id);
    }

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
