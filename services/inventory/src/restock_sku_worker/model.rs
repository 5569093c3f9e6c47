use contracts::{LotId, Sku, Units};
use serde::Serialize;

use crate::records::{RESTOCK_TYPE_NAME, SERVICE_NAME, created_at_sort_key, restock_key};

/// Restock one lot of a SKU, at `now` (the worker's time, not the event's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestockSkuCommand {
    pub sku: Sku,
    pub units: Units,
    pub lot_id: LotId,
    pub now: String,
}

/// The restock record (§4.3), in the original's attribute order.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestockItem<'a> {
    pub pk: String,
    pub sk: String,
    pub sku: &'a Sku,
    pub units: Units,
    pub lot_id: &'a LotId,
    pub created_at: &'a str,
    pub updated_at: &'a str,
    #[serde(rename = "_tn")]
    pub type_name: &'static str,
    #[serde(rename = "_sn")]
    pub service_name: &'static str,
    pub gsi1pk: &'static str,
    pub gsi1sk: String,
}

impl<'a> RestockItem<'a> {
    pub fn new(command: &'a RestockSkuCommand) -> Self {
        let key = restock_key(&command.sku, &command.lot_id);
        Self {
            pk: key.pk,
            sk: key.sk,
            sku: &command.sku,
            units: command.units,
            lot_id: &command.lot_id,
            created_at: &command.now,
            updated_at: &command.now,
            type_name: RESTOCK_TYPE_NAME,
            service_name: SERVICE_NAME,
            gsi1pk: RESTOCK_TYPE_NAME,
            gsi1sk: created_at_sort_key(&command.now),
        }
    }
}
