//! The Inventory's transactional records in the single table (docs/contract.md §4.2, §4.3): keys,
//! bookkeeping constants and the order allocation item shared by the allocation slices.

use contracts::{EventTime, OrderEventData, OrderId, Price, Sku, Units, UserId};
use kernel::table::{Item, Key};
use serde::{Deserialize, Serialize};

/// `_sn` of every Inventory record.
pub const SERVICE_NAME: &str = "INVENTORY";
/// `_tn` and `gsi1pk` of the SKU stock counter.
pub const SKU_TYPE_NAME: &str = "INVENTORY#SKU";
/// `_tn` and `gsi1pk` of a restock record (one per lot).
pub const RESTOCK_TYPE_NAME: &str = "INVENTORY#RESTOCK_SKU";
/// `_tn` and `gsi1pk` of an order allocation.
pub const ALLOCATION_TYPE_NAME: &str = "INVENTORY#ORDER_ALLOCATION";

fn sku_partition(sku: &Sku) -> String {
    format!("INVENTORY#SKU#{sku}")
}

/// The SKU stock counter: `INVENTORY#SKU#<sku>` / `SKU#<sku>`.
pub fn sku_key(sku: &Sku) -> Key {
    Key::new(sku_partition(sku), format!("SKU#{sku}"))
}

/// A restock record: `INVENTORY#SKU#<sku>` / `LOT_ID#<lotId>`.
pub fn restock_key(sku: &Sku, lot_id: &contracts::LotId) -> Key {
    Key::new(sku_partition(sku), format!("LOT_ID#{lot_id}"))
}

/// An order allocation: `INVENTORY#SKU#<sku>` / `SKU#<sku>#ORDER_ID#<orderId>#ORDER_ALLOCATION`.
pub fn allocation_key(sku: &Sku, order_id: &OrderId) -> Key {
    Key::new(
        sku_partition(sku),
        format!("SKU#{sku}#ORDER_ID#{order_id}#ORDER_ALLOCATION"),
    )
}

/// `gsi1sk` of every record: listed by creation time.
pub fn created_at_sort_key(created_at: &str) -> String {
    format!("CREATED_AT#{created_at}")
}

/// Where an order allocation is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AllocationStatus {
    Allocated,
    CompletedPaymentAccepted,
    DeallocatedPaymentRejected,
    /// In the original's enumeration; nothing writes it.
    DeallocatedOrderCanceled,
    /// Deviation (#5): the marker recording that the order found too little stock, so replays of
    /// `ORDER_CREATED_EVENT` keep answering "depleted" even after a restock.
    StockDepleted,
}

impl AllocationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allocated => "ALLOCATED",
            Self::CompletedPaymentAccepted => "COMPLETED_PAYMENT_ACCEPTED",
            Self::DeallocatedPaymentRejected => "DEALLOCATED_PAYMENT_REJECTED",
            Self::DeallocatedOrderCanceled => "DEALLOCATED_ORDER_CANCELED",
            Self::StockDepleted => "STOCK_DEPLETED",
        }
    }
}

impl std::fmt::Display for AllocationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An order allocation as it is written (every attribute of §4.3, in the original's order).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationItem<'a> {
    pub pk: String,
    pub sk: String,
    pub order_id: &'a OrderId,
    pub sku: &'a Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: &'a UserId,
    pub allocation_status: AllocationStatus,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    #[serde(rename = "_tn")]
    pub type_name: &'static str,
    #[serde(rename = "_sn")]
    pub service_name: &'static str,
    pub gsi1pk: &'static str,
    pub gsi1sk: String,
}

impl<'a> AllocationItem<'a> {
    /// A new allocation of the order's units, created at `now`.
    pub fn new(order: &'a OrderEventData, status: AllocationStatus, now: &'a str) -> Self {
        let key = allocation_key(&order.sku, &order.order_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            order_id: &order.order_id,
            sku: &order.sku,
            units: order.units,
            price: order.price,
            user_id: &order.user_id,
            allocation_status: status,
            created_at: now,
            updated_at: now,
            type_name: ALLOCATION_TYPE_NAME,
            service_name: SERVICE_NAME,
            gsi1pk: ALLOCATION_TYPE_NAME,
            gsi1sk: created_at_sort_key(now),
        }
    }

    pub fn to_item(&self) -> Result<Item, serde_dynamo::Error> {
        serde_dynamo::to_item(self)
    }
}

/// An order allocation as it is read back: every field validated (§2.1), bookkeeping dropped.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredAllocation {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: UserId,
    pub allocation_status: AllocationStatus,
    pub created_at: EventTime,
    pub updated_at: EventTime,
}

#[cfg(test)]
mod tests {
    use kernel::table::{get_n, get_s, item, n, s};

    use super::*;
    use crate::test_support::order_data;

    #[test]
    fn keys_follow_the_single_table_layout() {
        let sku = Sku::parse("APPLES").unwrap();
        assert_eq!(
            sku_key(&sku),
            Key::new("INVENTORY#SKU#APPLES", "SKU#APPLES")
        );
        assert_eq!(
            restock_key(&sku, &contracts::LotId::parse("LOT1").unwrap()),
            Key::new("INVENTORY#SKU#APPLES", "LOT_ID#LOT1")
        );
        assert_eq!(
            allocation_key(&sku, &OrderId::parse("ORD1").unwrap()),
            Key::new(
                "INVENTORY#SKU#APPLES",
                "SKU#APPLES#ORDER_ID#ORD1#ORDER_ALLOCATION"
            )
        );
    }

    #[test]
    fn allocation_items_carry_every_attribute() {
        let order = order_data();
        let written = AllocationItem::new(
            &order,
            AllocationStatus::Allocated,
            "2025-01-01T00:00:00.000Z",
        )
        .to_item()
        .unwrap();
        let expected = item([
            ("pk", s("INVENTORY#SKU#APPLES")),
            ("sk", s("SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION")),
            ("orderId", s("ORD001")),
            ("sku", s("APPLES")),
            ("units", n(3)),
            ("price", n(15.5)),
            ("userId", s("MARIA")),
            ("allocationStatus", s("ALLOCATED")),
            ("createdAt", s("2025-01-01T00:00:00.000Z")),
            ("updatedAt", s("2025-01-01T00:00:00.000Z")),
            ("_tn", s("INVENTORY#ORDER_ALLOCATION")),
            ("_sn", s("INVENTORY")),
            ("gsi1pk", s("INVENTORY#ORDER_ALLOCATION")),
            ("gsi1sk", s("CREATED_AT#2025-01-01T00:00:00.000Z")),
        ]);
        assert_eq!(written, expected);
        assert_eq!(get_n(&written, "units"), Some("3"));
        assert_eq!(get_s(&written, "allocationStatus"), Some("ALLOCATED"));
    }

    #[test]
    fn stored_allocations_round_trip_and_reject_invalid_fields() {
        let order = order_data();
        let item = AllocationItem::new(
            &order,
            AllocationStatus::StockDepleted,
            "2025-01-01T00:00:00.000Z",
        )
        .to_item()
        .unwrap();
        let stored: StoredAllocation = serde_dynamo::from_item(item.clone()).unwrap();
        assert_eq!(stored.allocation_status, AllocationStatus::StockDepleted);
        assert_eq!(stored.units.get(), 3);

        let mut unknown_status = item.clone();
        unknown_status.insert("allocationStatus".into(), s("LOST"));
        assert!(serde_dynamo::from_item::<_, StoredAllocation>(unknown_status).is_err());
        let mut zero_units = item;
        zero_units.insert("units".into(), n(0));
        assert!(serde_dynamo::from_item::<_, StoredAllocation>(zero_units).is_err());
    }
}
