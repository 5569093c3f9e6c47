//! Lambda `inventory-restock-sku-api`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api(inventory::restock_sku_api::controller)
}
