//! The local HTTP server: the six API routes of the four HTTP APIs on one listener, with the
//! HTTP API's CORS configuration and its 404 for anything else.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use kernel::correlation::CORRELATION_ID_HEADER;
use kernel::http::{ApiHandler, ApiRequest, RequestIds, handle_request};
use tower_http::cors::{Any, CorsLayer};

/// API Gateway's largest request payload (10 MB): a larger body is refused with 413.
pub const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// One API route: its path and its controller.
pub type ApiRoute = (&'static str, Arc<dyn ApiHandler>);

/// The router serving `routes`.
pub fn router(routes: Vec<ApiRoute>) -> Router {
    let mut router = Router::new();
    for (path, handler) in routes {
        router = router.route(
            path,
            post(move |headers: HeaderMap, body: Bytes| {
                invoke(path, Arc::clone(&handler), headers, body)
            })
            .fallback(not_found),
        );
    }
    router
        .fallback(not_found)
        // API Gateway's payload limit; the APIs themselves answer 400 above 256 KB.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_PAYLOAD_BYTES))
        .layer(cors())
        .layer(axum::middleware::map_response(preflight_no_content))
}

/// API Gateway answers a CORS preflight with 204 No Content (tower-http answers 200).
async fn preflight_no_content(mut response: Response) -> Response {
    if response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_METHODS)
    {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}

/// The HTTP APIs' CORS configuration (docs/contract.md §11.5).
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("x-amz-date"),
            header::AUTHORIZATION,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static(CORRELATION_ID_HEADER),
        ])
        .expose_headers(Any)
}

async fn invoke(
    route: &'static str,
    handler: Arc<dyn ApiHandler>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // A body that is not UTF-8 cannot be JSON; the controller answers it like a missing body.
    let body = (!body.is_empty())
        .then(|| String::from_utf8(body.to_vec()).ok())
        .flatten();
    let correlation_header = headers
        .get(CORRELATION_ID_HEADER)
        .and_then(|value| value.to_str().ok());
    let ids = RequestIds::new(correlation_header, None);
    let response = handle_request(handler.as_ref(), route, &ids, ApiRequest { body }).await;
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_response(status, response.body);
    // Accepted ids are visible ASCII, so this never fails; a new id is a UUID.
    if let Ok(value) = HeaderValue::from_str(&ids.correlation_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(CORRELATION_ID_HEADER), value);
    }
    response
}

/// API Gateway's answer for a route that does not exist (any method).
async fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        r#"{"message":"Not Found"}"#.to_owned(),
    )
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
