//! Lambda `inventory-list-skus-api`: wiring only (see the `lambdas` crate docs).

use lambdas::ListApiConfig;

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api_with(|table, _clock, config: &ListApiConfig| {
        inventory::list_skus_api::controller(table, config.page_tokens.clone())
    })
}
