//! Lambda `inventory-restock-sku-worker`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_worker(inventory::restock_sku_worker::controller)
}
