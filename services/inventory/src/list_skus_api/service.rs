use std::sync::Arc;

use super::clients::ListSkusClient;
use super::model::{ListSkusQuery, ListSkusResponse};
use crate::failure::InventoryFailure;

pub struct ListSkusApiService {
    list_skus: Arc<dyn ListSkusClient>,
}

impl ListSkusApiService {
    pub fn new(list_skus: Arc<dyn ListSkusClient>) -> Self {
        Self { list_skus }
    }

    pub async fn list(&self, query: ListSkusQuery) -> Result<ListSkusResponse, InventoryFailure> {
        let page = self.list_skus.list_skus(&query).await?;
        Ok(ListSkusResponse {
            skus: page.items,
            next_token: page.next_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::Sku;
    use kernel::Failure;

    use kernel::table::ListedPage;

    use super::*;
    use crate::list_skus_api::model::SkuSummary;
    use crate::test_support::{Fake, transient_failure};

    type FakeList = Fake<ListSkusQuery, Result<ListedPage<SkuSummary>, InventoryFailure>>;

    #[async_trait]
    impl ListSkusClient for FakeList {
        async fn list_skus(
            &self,
            query: &ListSkusQuery,
        ) -> Result<ListedPage<SkuSummary>, InventoryFailure> {
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
    async fn queries_once_and_returns_the_skus() {
        let list = FakeList::answering([Ok(ListedPage {
            items: vec![summary("APPLES"), summary("PEARS")],
            next_token: Some("next".into()),
        })]);
        let query = ListSkusQuery::One(Sku::parse("APPLES").unwrap());
        let response = ListSkusApiService::new(list.clone())
            .list(query.clone())
            .await
            .unwrap();
        assert_eq!(response.skus, [summary("APPLES"), summary("PEARS")]);
        assert_eq!(response.next_token.as_deref(), Some("next"));
        assert_eq!(list.calls(), [query]);
    }

    #[tokio::test]
    async fn a_client_failure_is_returned() {
        let list = FakeList::answering([Err(transient_failure())]);
        let failure = ListSkusApiService::new(list)
            .list(ListSkusQuery::new(None, None, None, None).unwrap())
            .await
            .unwrap_err();
        assert!(failure.is_transient());
    }
}
