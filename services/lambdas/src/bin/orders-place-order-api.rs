//! Lambda `orders-place-order-api`: wiring only (see the `lambdas` crate docs).

fn main() -> Result<(), lambdas::Error> {
    lambdas::serve_api(orders::place_order_api::controller)
}
