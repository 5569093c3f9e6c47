use contracts::Sku;
use kernel::table::ListQuery;
use kernel::validation::{JsNumber, PageBody, ValueError, js_id, present};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// The body as sent: every field optional but never `null`; the
/// `sku` filter is a trimmed id of 4–128 characters, `limit` an integer from 1 to 1000. Unknown
/// properties are ignored.
#[derive(Debug, Default, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListSkusBody {
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "js_id"))]
    /// Reads only this one item (trimmed): `sortDirection` and `limit` do not apply, and a
    /// `nextToken` with it is refused (400).
    #[schema(nullable = false, min_length = 4, max_length = 128)]
    pub sku: Option<String>,
    #[serde(flatten)]
    #[validate(nested)]
    pub page: PageBody,
}

/// What to read: the one SKU counter of a SKU, or one page of every SKU counter by `gsi1sk`
/// (the latest restock time).
pub type ListSkusQuery = ListQuery<Sku>;

impl TryFrom<ListSkusBody> for ListSkusQuery {
    type Error = ValueError;
    fn try_from(body: ListSkusBody) -> Result<Self, ValueError> {
        // Deviation (#8): `sku` is the parsed, trimmed value (the original filtered by the raw one).
        let sku = body.sku.as_deref().map(Sku::parse).transpose()?;
        body.page.into_query(sku)
    }
}

/// One listed SKU: exactly these four attributes, in this order; absent ones are omitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkuSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub units: Option<JsNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub updated_at: Option<String>,
}

/// The 200 response body: `{"skus":[…]}`, plus `nextToken` when there may be more SKUs.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListSkusResponse {
    pub skus: Vec<SkuSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use kernel::http::{ApiRequest, BodyError, parse_valid_body};
    use kernel::validation::{Limit, SortDirection};

    use super::*;

    fn parse(body: &str) -> Result<ListSkusQuery, BodyError> {
        parse_valid_body::<ListSkusBody, _>(&ApiRequest {
            body: Some(body.to_owned()),
        })
    }

    #[test]
    fn a_sku_selects_that_sku_and_ignores_direction_and_limit() {
        assert_eq!(
            parse(r#"{"sku":" APPLES ","sortDirection":"desc","limit":3}"#).unwrap(),
            ListSkusQuery::One(Sku::parse("APPLES").unwrap())
        );
    }

    #[test]
    fn no_sku_lists_ascending_50_by_default() {
        assert_eq!(
            parse("{}").unwrap(),
            ListSkusQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT,
                next_token: None,
            }
        );
        assert_eq!(Limit::DEFAULT.get(), 50);
    }

    #[test]
    fn no_sku_uses_the_requested_direction_and_limit() {
        assert_eq!(
            parse(r#"{"sortDirection":"desc","limit":1000}"#).unwrap(),
            ListSkusQuery::Page {
                direction: SortDirection::Desc,
                limit: Limit::try_from(1000.0).unwrap(),
                next_token: None,
            }
        );
    }
}
