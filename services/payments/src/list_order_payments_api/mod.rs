//! ListOrderPaymentsApi — `POST /api/v1/payments/listOrderPayments` (docs/contract.md §8.2).

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Payments",
    name: "ListOrderPaymentsApi",
    path: "/api/v1/payments/listOrderPayments",
};
