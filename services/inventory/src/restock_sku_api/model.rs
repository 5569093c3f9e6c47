use contracts::{LotId, Sku, SkuRestockedEventData, Units};
use serde::{Deserialize, Serialize};

/// The request body, parsed (so trimmed and validated). Also the 202 response body, echoed in
/// this key order: `{"sku","units","lotId"}`. Unknown properties are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestockSkuRequest {
    pub sku: Sku,
    pub units: Units,
    pub lot_id: LotId,
}

impl RestockSkuRequest {
    pub fn to_event_data(&self) -> SkuRestockedEventData {
        SkuRestockedEventData {
            sku: self.sku.clone(),
            units: self.units,
            lot_id: self.lot_id.clone(),
        }
    }
}
