//! The HTTP APIs as one OpenAPI 3.1 document, generated from the slices' request and response
//! types, committed as `docs/openapi.json` (a test keeps it current) and served at
//! `/openapi.json`.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use kernel::openapi::Schemas;
use kernel::utoipa::openapi::path::{HttpMethod, PathItem, PathsBuilder};
use kernel::utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Server};

use crate::slices;

/// Where the document is committed, relative to the workspace root.
pub const DOCUMENT_PATH: &str = "docs/openapi.json";

/// The document: the six `POST` operations at their slices' paths.
pub fn document() -> OpenApi {
    let mut schemas = Schemas::new();
    let mut paths = PathsBuilder::new();
    for (path, operation) in slices::api_operations(&mut schemas) {
        paths = paths.path(path, PathItem::new(HttpMethod::Post, operation));
    }
    schemas.sort_by(|(a, _), (b, _)| a.cmp(b));
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("ecomm")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The HTTP APIs of the event-driven e-commerce backend. Every route is a POST \
                     of a JSON body. Deployed, each domain has its own API (base URL in the \
                     stack outputs) and the routes require SigV4 (IAM) unless the stage has \
                     publicApis; the embedded engine serves all six unauthenticated.",
                )),
        )
        .servers(Some([Server::new("http://127.0.0.1:3000")]))
        .paths(paths)
        .components(Some(
            ComponentsBuilder::new().schemas_from_iter(schemas).build(),
        ))
        .build()
}

/// The document as committed: pretty JSON and a final newline.
pub fn document_json() -> String {
    match serde_json::to_string_pretty(&document()) {
        Ok(json) => json + "\n",
        // The document is plain data; it always serializes.
        Err(error) => format!("{{\"error\":\"{error}\"}}\n"),
    }
}

/// `GET /openapi.json`, with the APIs' CORS, so a Swagger UI on another origin can read it.
pub fn router() -> Router {
    let json = document_json();
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json).into_response() }
            }),
        )
        .layer(crate::http::cors())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regenerate with `UPDATE_OPENAPI=1 cargo test -p local openapi`.
    #[test]
    fn the_committed_document_is_current() {
        crate::committed::assert_current(DOCUMENT_PATH, &document_json(), "UPDATE_OPENAPI");
    }

    #[test]
    fn it_describes_every_api_slice_at_its_path() {
        let document = document();
        let mut documented: Vec<&str> = document.paths.paths.keys().map(String::as_str).collect();
        let mut declared: Vec<&str> = slices::API_SLICES.iter().map(|slice| slice.path).collect();
        documented.sort_unstable();
        declared.sort_unstable();
        assert_eq!(documented, declared);
        let json = serde_json::to_value(&document).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        for path in declared {
            let operation = &json["paths"][path]["post"];
            assert!(
                operation["requestBody"]["required"].as_bool().unwrap(),
                "{path}"
            );
            for status in ["400", "500"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{path} {status}"
                );
            }
        }
    }
}
