//! The page and its assets, embedded in the binary at build time (no build step, no network).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "console/assets"]
struct Assets;

/// `GET /`: the console's page.
pub async fn index() -> Response {
    serve("index.html")
}

/// `GET /console/assets/{*path}`
pub async fn asset(Path(path): Path<String>) -> Response {
    serve(&path)
}

fn serve(path: &str) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    let mime = file.metadata.mimetype();
    let content_type = HeaderValue::from_str(mime)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            // The assets change only with the binary; the page is small enough to revalidate.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
        ],
        file.data,
    )
        .into_response()
}

/// Everything the page needs comes from this origin: no inline script, no CDN.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
     form-action 'self'";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file the page loads from this origin is embedded (a missing one would be a 404
    /// the browser test finds only at run time).
    #[test]
    fn every_asset_the_page_references_is_embedded() {
        let index = Assets::get("index.html").map(|file| file.data.into_owned());
        let index = String::from_utf8(index.unwrap_or_default()).unwrap_or_default();
        assert!(index.contains("<html"), "index.html is embedded");
        let referenced: Vec<&str> = index
            .split('"')
            .filter_map(|text| text.strip_prefix("/console/assets/"))
            .collect();
        assert!(
            !referenced.is_empty(),
            "index.html loads its assets from /console/assets/"
        );
        for path in referenced {
            assert!(
                Assets::get(path).is_some(),
                "{path} is referenced but not embedded"
            );
        }
    }
}
