use contracts::Sku;
use kernel::table::ListQuery;
use kernel::validation::{JsNumber, Limit, PageBody, SortDirection, ValueError, js_id, present};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// The request body: every field optional, but validated when present (`null` is invalid).
/// Unknown properties are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSkusRequest {
    #[serde(default, deserialize_with = "present")]
    pub sku: Option<Sku>,
    #[serde(default, deserialize_with = "present")]
    pub sort_direction: Option<SortDirection>,
    #[serde(default, deserialize_with = "present")]
    pub limit: Option<Limit>,
}

/// The body as sent, checked with `validator`: every field optional but never `null`; the
/// `sku` filter is a trimmed id of 4–128 characters, `limit` an integer from 1 to 1000. Unknown
/// properties are ignored.
#[derive(Debug, Default, Deserialize, Validate)]
#[serde(rename_all = "camelCase")]
pub struct ListSkusBody {
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "js_id"))]
    pub sku: Option<String>,
    #[serde(flatten)]
    #[validate(nested)]
    pub page: PageBody,
}

impl TryFrom<ListSkusBody> for ListSkusRequest {
    type Error = ValueError;
    fn try_from(body: ListSkusBody) -> Result<Self, ValueError> {
        Ok(Self {
            sku: body.sku.as_deref().map(Sku::parse).transpose()?,
            sort_direction: body.page.sort_direction,
            limit: body.page.limit()?,
        })
    }
}

/// What to read: the one SKU counter of a SKU, or one page of every SKU counter by `gsi1sk`
/// (the latest restock time).
pub type ListSkusQuery = ListQuery<Sku>;

/// One listed SKU: exactly these four attributes, in this order; absent ones are omitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<JsNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// The 200 response body: `{"skus":[…]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListSkusResponse {
    pub skus: Vec<SkuSummary>,
}
