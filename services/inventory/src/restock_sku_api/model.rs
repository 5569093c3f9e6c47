use contracts::{LotId, Sku, SkuRestockedEventData, Units};
use kernel::validation::{ValueError, js_count, js_id};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// The body of `restockSku` as sent, checked with `validator`: trimmed ids of 4–128
/// characters, `units` an integer ≥ 1. Unknown properties are ignored.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestockSkuBody {
    #[validate(custom(function = "js_id"))]
    #[schema(min_length = 4, max_length = 128)]
    pub sku: String,
    #[validate(custom(function = "js_count"))]
    #[schema(value_type = u64, minimum = 1, maximum = 9007199254740991_u64)]
    pub units: f64,
    /// The restock's idempotency key: a lot counts once.
    #[validate(custom(function = "js_id"))]
    #[schema(min_length = 4, max_length = 128)]
    pub lot_id: String,
}

impl TryFrom<RestockSkuBody> for RestockSkuRequest {
    type Error = ValueError;
    fn try_from(body: RestockSkuBody) -> Result<Self, ValueError> {
        Ok(Self {
            sku: Sku::parse(&body.sku)?,
            units: Units::try_from(body.units)?,
            lot_id: LotId::parse(&body.lot_id)?,
        })
    }
}

/// The request body, parsed (so trimmed and validated). Also the 202 response body, echoed in
/// this key order: `{"sku","units","lotId"}`. Unknown properties are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
