//! The README's chaos recipes as one-click actions. Each raises raw events through the
//! SimulateRawEvent controller (the API's own validation and writes) or deletes an event item
//! (as `ecomm delete`), and answers what it sent and what came back.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use contracts::events::order_event_key;
use contracts::{EventName, OrderId};
use kernel::http::{ApiRequest, RequestIds, handle_request};
use kernel::table::{Key, Table};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Console, ConsoleError};
use crate::inspect::plain_json;

/// One recipe: what it does and what to watch for.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Recipe {
    pub id: &'static str,
    pub title: &'static str,
    pub what: &'static str,
    pub watch: &'static str,
    #[serde(skip)]
    steps: &'static [Step],
}

/// One action of a recipe, on the recipe's order.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Raise this event for the order (with the data of its stored `ORDER_PLACED_EVENT`, or a
    /// one-apple order when there is none).
    Raise(&'static str),
    /// Delete the order's stored event of this name.
    Delete(EventName),
}

/// A name no rule routes: the original README's spelling of `ORDER_CANCELED_EVENT`.
const MISSPELT_CANCEL: &str = "ORDER_CANCELLED_EVENT";

pub const RECIPES: [Recipe; 6] = [
    Recipe {
        id: "payment-before-order",
        title: "Out of order: payment accepted before the order exists",
        what: "Raises ORDER_PAYMENT_ACCEPTED_EVENT for an order that was never placed.",
        watch: "SyncOrder finds no order and drops the event. CompleteOrderPaymentAccepted finds \
                no allocation: a transient failure, retried on every receive until the maximum \
                receive count, then the message lies in the \
                Inventory-CompleteOrderPaymentAcceptedWorker dead-letter queue. Run \"Then place \
                it\" on the same order and redrive that queue.",
        steps: &[Step::Raise("ORDER_PAYMENT_ACCEPTED_EVENT")],
    },
    Recipe {
        id: "place-after-payment",
        title: "Then place it",
        what: "Raises ORDER_PLACED_EVENT for the order.",
        watch: "The order is created at ORDER_CREATED_STATUS; allocation and payment follow. If \
                the payment is accepted, the payment worker's own ORDER_PAYMENT_ACCEPTED_EVENT \
                collides with the one raised earlier (same key) and is dropped as a duplicate, \
                so the order can stop at ORDER_STOCK_ALLOCATED_STATUS. A redriven completion \
                message now finds the allocation.",
        steps: &[Step::Raise("ORDER_PLACED_EVENT")],
    },
    Recipe {
        id: "duplicate-event",
        title: "The same event twice",
        what: "Raises ORDER_PLACED_EVENT twice with the same key.",
        watch: "Both answer 202. The second put changes nothing, so nothing is routed again: \
                the timeline shows one ORDER_PLACED_EVENT with one delivery.",
        steps: &[
            Step::Raise("ORDER_PLACED_EVENT"),
            Step::Raise("ORDER_PLACED_EVENT"),
        ],
    },
    Recipe {
        id: "unknown-event",
        title: "An event nobody listens to",
        what: "Raises ORDER_CANCELLED_EVENT (two Ls, as the original README spells it).",
        watch: "Stored (202) and routed nowhere: the timeline shows the event with no delivery.",
        steps: &[Step::Raise(MISSPELT_CANCEL)],
    },
    Recipe {
        id: "forward-jump",
        title: "Forward jump",
        what: "Raises ORDER_PLACED_EVENT, then ORDER_DELIVERED_EVENT right away.",
        watch: "The state machine allows the jump, so the order reaches ORDER_DELIVERED_STATUS; \
                the allocation and payment events that follow are stale for SyncOrder and \
                dropped.",
        steps: &[
            Step::Raise("ORDER_PLACED_EVENT"),
            Step::Raise("ORDER_DELIVERED_EVENT"),
        ],
    },
    Recipe {
        id: "delete-and-replay",
        title: "Delete an event and raise it again",
        what: "Deletes the order's ORDER_PLACED_EVENT item, then raises it again with the same \
               data (same key).",
        watch: "Only inserts are routed, so the second put is delivered again: a replay. Every \
                worker handles it idempotently; the timeline shows the new deliveries, and the \
                order's status does not change.",
        steps: &[
            Step::Delete(EventName::OrderPlacedEvent),
            Step::Raise("ORDER_PLACED_EVENT"),
        ],
    },
];

#[derive(Serialize)]
pub struct Recipes {
    recipes: &'static [Recipe],
}

/// `GET /console/api/chaos`
pub async fn list() -> Json<Recipes> {
    Json(Recipes { recipes: &RECIPES })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    order_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    recipe: &'static str,
    order_id: String,
    steps: Vec<StepReport>,
}

#[derive(Serialize)]
struct StepReport {
    action: String,
    status: u16,
    response: serde_json::Value,
}

/// `POST /console/api/chaos/{recipe}` with `{"orderId": …}`
pub async fn run(
    State(console): State<Console>,
    Path(recipe): Path<String>,
    body: Result<Json<RunRequest>, JsonRejection>,
) -> Result<Json<RunReport>, ConsoleError> {
    let recipe = RECIPES
        .iter()
        .find(|candidate| candidate.id == recipe)
        .ok_or_else(|| ConsoleError::NotFound(format!("No chaos recipe named {recipe}")))?;
    let Json(body) = body.map_err(|rejection| ConsoleError::BadRequest(rejection.body_text()))?;
    let order_id = OrderId::parse(&body.order_id)
        .map_err(|_| ConsoleError::BadRequest("orderId must be 4 to 128 characters".to_owned()))?;
    let inner = &console.inner;
    let placed_key = order_event_key(&order_id, EventName::OrderPlacedEvent);
    let event_data = match inner.store.get(&placed_key, true).await? {
        Some(placed) => plain_json(&placed)
            .get("eventData")
            .cloned()
            .unwrap_or_else(|| default_event_data(&order_id)),
        None => default_event_data(&order_id),
    };
    // One correlation id for the whole run: every event it sets off carries it.
    let ids = RequestIds::new(None, None);
    let mut steps = Vec::new();
    for step in recipe.steps {
        steps.push(match *step {
            Step::Raise(event_name) => {
                let key = Key::new(
                    crate::timeline::order_subject(order_id.as_str()),
                    format!("EVENT#{event_name}"),
                );
                let request = json!({
                    "pk": key.pk, "sk": key.sk, "eventName": event_name, "eventData": event_data,
                });
                let ids = RequestIds::new(Some(&ids.correlation_id), None);
                let response = handle_request(
                    inner.simulate_raw_event.as_ref(),
                    testing::simulate_raw_event_api::SLICE.path,
                    &ids,
                    ApiRequest::with_body(request.to_string()),
                )
                .await;
                StepReport {
                    action: format!("simulateRawEvent {event_name}"),
                    status: response.status,
                    response: serde_json::from_str(&response.body)
                        .unwrap_or(serde_json::Value::String(response.body)),
                }
            }
            Step::Delete(event_name) => {
                let key = order_event_key(&order_id, event_name);
                let deleted = inner.store.delete(&key).await?;
                StepReport {
                    action: format!("delete {} {}", key.pk, key.sk),
                    status: if deleted.is_some() { 200 } else { 404 },
                    response: deleted.as_ref().map_or_else(
                        || json!({"message": "no such item: nothing deleted"}),
                        plain_json,
                    ),
                }
            }
        });
    }
    tracing::info!(recipe = recipe.id, order_id = %order_id, "ran a chaos recipe from the console");
    Ok(Json(RunReport {
        recipe: recipe.id,
        order_id: order_id.to_string(),
        steps,
    }))
}

fn default_event_data(order_id: &OrderId) -> serde_json::Value {
    json!({
        "orderId": order_id.as_str(),
        "sku": "APPLES",
        "units": 1,
        "price": 5,
        "userId": "CHAOSUSER",
    })
}
