use std::sync::Arc;

use super::clients::ListSkusClient;
use super::model::{ListSkusQuery, ListSkusRequest, ListSkusResponse};
use crate::failure::InventoryFailure;

pub struct ListSkusApiService {
    list_skus: Arc<dyn ListSkusClient>,
}

impl ListSkusApiService {
    pub fn new(list_skus: Arc<dyn ListSkusClient>) -> Self {
        Self { list_skus }
    }

    pub async fn list(
        &self,
        request: ListSkusRequest,
    ) -> Result<ListSkusResponse, InventoryFailure> {
        // Deviation (#8): `sku` is the parsed, trimmed value (the original filtered by the raw one).
        let query = ListSkusQuery::new(request.sku, request.sort_direction, request.limit);
        let skus = self.list_skus.list_skus(&query).await?;
        Ok(ListSkusResponse { skus })
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::Sku;
    use kernel::Failure;
    use kernel::validation::{Limit, SortDirection};

    use super::*;
    use crate::list_skus_api::model::SkuSummary;
    use crate::test_support::{Fake, transient_failure};

    type FakeList = Fake<ListSkusQuery, Result<Vec<SkuSummary>, InventoryFailure>>;

    #[async_trait]
    impl ListSkusClient for FakeList {
        async fn list_skus(
            &self,
            query: &ListSkusQuery,
        ) -> Result<Vec<SkuSummary>, InventoryFailure> {
            self.call(query.clone())
        }
    }

    fn summary(sku: &str) -> SkuSummary {
        SkuSummary {
            sku: Some(sku.into()),
            units: None,
            created_at: None,
            updated_at: None,
        }
    }

    #[tokio::test]
    async fn a_sku_selects_that_sku_and_ignores_direction_and_limit() {
        let list = FakeList::answering([Ok(vec![summary("APPLES")])]);
        let response = ListSkusApiService::new(list.clone())
            .list(ListSkusRequest {
                sku: Some(Sku::parse("APPLES").unwrap()),
                sort_direction: Some(SortDirection::Desc),
                limit: Some(Limit::try_from(3.0).unwrap()),
            })
            .await
            .unwrap();
        assert_eq!(response.skus, [summary("APPLES")]);
        assert_eq!(
            list.calls(),
            [ListSkusQuery::One(Sku::parse("APPLES").unwrap())]
        );
    }

    #[tokio::test]
    async fn no_sku_lists_ascending_50_by_default() {
        let list = FakeList::answering([Ok(vec![summary("APPLES"), summary("PEARS")])]);
        let response = ListSkusApiService::new(list.clone())
            .list(ListSkusRequest::default())
            .await
            .unwrap();
        assert_eq!(response.skus.len(), 2);
        assert_eq!(
            list.calls(),
            [ListSkusQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT,
            }]
        );
        assert_eq!(Limit::DEFAULT.get(), 50);
    }

    #[tokio::test]
    async fn no_sku_uses_the_requested_direction_and_limit() {
        let list = FakeList::answering([Ok(vec![])]);
        ListSkusApiService::new(list.clone())
            .list(ListSkusRequest {
                sku: None,
                sort_direction: Some(SortDirection::Desc),
                limit: Some(Limit::try_from(1000.0).unwrap()),
            })
            .await
            .unwrap();
        assert_eq!(
            list.calls(),
            [ListSkusQuery::Page {
                direction: SortDirection::Desc,
                limit: Limit::try_from(1000.0).unwrap(),
            }]
        );
    }

    #[tokio::test]
    async fn a_client_failure_is_returned() {
        let list = FakeList::answering([Err(transient_failure())]);
        let failure = ListSkusApiService::new(list)
            .list(ListSkusRequest::default())
            .await
            .unwrap_err();
        assert!(failure.is_transient());
    }
}
