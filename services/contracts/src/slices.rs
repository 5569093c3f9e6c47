//! A slice's identity, declared once beside its controller and used everywhere else: the
//! embedded engine's registry and its check against `services/routing.json`, the controller's
//! accepted events, the HTTP routes, and the tests that tie the Lambda binaries and the CDK
//! catalogue to them.

use crate::events::EventName;

/// A worker slice: its queue (`<domain>-<name>`) receives exactly `events`, and its controller
/// accepts exactly those; it raises `raises` (the event catalogue, `docs/asyncapi.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerSlice {
    pub domain: &'static str,
    pub name: &'static str,
    pub events: &'static [EventName],
    pub raises: &'static [EventName],
}

impl WorkerSlice {
    /// The queue name, as on AWS: `<Domain>-<Slice>` (e.g. `Orders-SyncOrderWorker`).
    pub fn queue(&self) -> String {
        format!("{}-{}", self.domain, self.name)
    }

    /// The Lambda binary: `<domain>-<slice in kebab case>` (e.g. `orders-sync-order-worker`).
    pub fn binary(&self) -> String {
        binary_name(self.domain, self.name)
    }
}

/// An API slice: `POST <path>`; it raises `raises`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiSlice {
    pub domain: &'static str,
    pub name: &'static str,
    pub path: &'static str,
    pub raises: &'static [EventName],
}

impl ApiSlice {
    /// The Lambda binary: `<domain>-<slice in kebab case>` (e.g. `orders-place-order-api`).
    pub fn binary(&self) -> String {
        binary_name(self.domain, self.name)
    }
}

fn binary_name(domain: &str, name: &str) -> String {
    let mut binary = domain.to_lowercase();
    for (index, character) in name.char_indices() {
        if character.is_ascii_uppercase() {
            binary.push('-');
            if index == 0 {
                binary.pop();
                binary.push('-');
            }
        }
        binary.push(character.to_ascii_lowercase());
    }
    binary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_aws_conventions() {
        let worker = WorkerSlice {
            domain: "Inventory",
            name: "CompleteOrderPaymentAcceptedWorker",
            events: &[EventName::OrderPaymentAcceptedEvent],
            raises: &[],
        };
        assert_eq!(
            worker.queue(),
            "Inventory-CompleteOrderPaymentAcceptedWorker"
        );
        assert_eq!(
            worker.binary(),
            "inventory-complete-order-payment-accepted-worker"
        );
        let api = ApiSlice {
            domain: "Orders",
            name: "PlaceOrderApi",
            path: "/api/v1/orders/placeOrder",
            raises: &[EventName::OrderPlacedEvent],
        };
        assert_eq!(api.binary(), "orders-place-order-api");
    }
}
