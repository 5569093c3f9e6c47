//! API Gateway HTTP API (payload 2.0) ⇄ [`ApiHandler`].
//!
//! Deviation from the original (docs/contract.md §2.3): API Gateway base64-encodes bodies whose
//! content type it does not consider text (e.g. `curl -d` without `Content-Type:
//! application/json`) and `lambda_http` decodes them. The original parsed the still-encoded
//! string and answered 400; here a decoded body that is valid UTF-8 is parsed like any other.
//! A body that is not UTF-8 counts as missing (⇒ 400).

use kernel::correlation::CORRELATION_ID_HEADER;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, RequestIds, handle_request};
use lambda_http::http::StatusCode;
use lambda_http::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use lambda_http::{Body, Request, Response, service_fn};

/// Runs the Lambda runtime loop for an API function.
pub async fn run_api(handler: impl ApiHandler + 'static) -> Result<(), lambda_http::Error> {
    let handler = &handler;
    let metrics = crate::metrics::init_metrics();
    lambda_http::run(service_fn(move |request: Request| async move {
        let response = handle_api(handler, request).await;
        crate::metrics::flush(metrics);
        Ok::<_, lambda_http::Error>(response)
    }))
    .await
}

/// Answers one API Gateway request with `handler`.
pub async fn handle_api(handler: &(impl ApiHandler + ?Sized), request: Request) -> Response<Body> {
    let route = request.uri().path().to_owned();
    let correlation_header = request
        .headers()
        .get(CORRELATION_ID_HEADER)
        .and_then(|value| value.to_str().ok());
    let ids = RequestIds::new(correlation_header, request_id(&request));
    let response = handle_request(handler, &route, &ids, api_request(request)).await;
    let mut response = lambda_response(response);
    // Accepted ids are visible ASCII, so this never fails; a new id is a UUID.
    if let Ok(value) = HeaderValue::from_str(&ids.correlation_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(CORRELATION_ID_HEADER), value);
    }
    response
}

/// API Gateway's id of the request (`requestContext.requestId`).
fn request_id(request: &Request) -> Option<String> {
    use lambda_http::RequestExt;
    match request.request_context_ref()? {
        lambda_http::request::RequestContext::ApiGatewayV2(context) => context.request_id.clone(),
        #[allow(unreachable_patterns)] // other payload versions are not enabled
        _ => None,
    }
}

/// The controller's view of a request: its body as text.
pub fn api_request(request: Request) -> ApiRequest {
    let body = match request.into_body() {
        Body::Empty => None,
        Body::Text(text) => Some(text),
        Body::Binary(bytes) => String::from_utf8(bytes).ok(),
        // `Body` is `#[non_exhaustive]`; a body kind added later is not read.
        _ => None,
    };
    ApiRequest { body }
}

/// The Lambda response: the controller's status and JSON body.
pub fn lambda_response(response: ApiResponse) -> Response<Body> {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut lambda_response = Response::new(Body::Text(response.body));
    *lambda_response.status_mut() = status;
    lambda_response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    lambda_response
}
