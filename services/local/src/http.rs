//! The local HTTP server: the six API routes of the four HTTP APIs on one listener, with the
//! HTTP API's CORS configuration and its 404 for anything else.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use kernel::http::{ApiHandler, ApiRequest};
use tower_http::cors::{Any, CorsLayer};
use tracing::Instrument;

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
            post(move |body: Bytes| invoke(path, Arc::clone(&handler), body)).fallback(not_found),
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
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("x-amz-date"),
            header::AUTHORIZATION,
            HeaderName::from_static("x-api-key"),
        ])
        .expose_headers(Any)
}

async fn invoke(route: &'static str, handler: Arc<dyn ApiHandler>, body: Bytes) -> Response {
    // A body that is not UTF-8 cannot be JSON; the controller answers it like a missing body.
    let body = (!body.is_empty())
        .then(|| String::from_utf8(body.to_vec()).ok())
        .flatten();
    // Every log line of the request carries its route.
    let span = tracing::info_span!("request", route);
    let response = handler.handle(ApiRequest { body }).instrument(span).await;
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, response.body)
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
