//! Lambda `inventory-list-skus-api`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api(|table, _clock| inventory::list_skus_api::controller(table))
}
