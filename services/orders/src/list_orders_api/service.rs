//! ListOrdersApi's service: turn the request into one query of the order view.

use std::sync::Arc;

use super::clients::ListOrdersClient;
use super::model::{ListOrdersQuery, ListOrdersResponse};
use crate::failure::OrdersFailure;

pub struct ListOrdersApiService {
    list_orders: Arc<dyn ListOrdersClient>,
}

impl ListOrdersApiService {
    pub fn new(list_orders: Arc<dyn ListOrdersClient>) -> Self {
        Self { list_orders }
    }

    pub async fn list(&self, query: ListOrdersQuery) -> Result<ListOrdersResponse, OrdersFailure> {
        let page = self.list_orders.list_orders(&query).await?;
        Ok(ListOrdersResponse {
            orders: page.items,
            next_token: page.next_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::OrderId;
    use kernel::Failure;
    use kernel::fake::Fake;
    use kernel::table::TableError;

    use kernel::table::ListedPage;

    use super::*;
    use crate::list_orders_api::model::ListedOrder;

    type FakeListOrders = Fake<ListOrdersQuery, Result<ListedPage<ListedOrder>, OrdersFailure>>;

    #[async_trait]
    impl ListOrdersClient for FakeListOrders {
        async fn list_orders(
            &self,
            query: &ListOrdersQuery,
        ) -> Result<ListedPage<ListedOrder>, OrdersFailure> {
            self.call(query.clone())
        }
    }

    #[tokio::test]
    async fn queries_once_and_returns_the_orders() {
        let listed = ListedOrder {
            order_id: Some("ORDER-1".into()),
            ..ListedOrder::default()
        };
        let fake = FakeListOrders::answering([Ok(ListedPage {
            items: vec![listed.clone()],
            next_token: Some("next".into()),
        })]);
        let query = ListOrdersQuery::One(OrderId::parse("ORDER-1").unwrap());
        let response = ListOrdersApiService::new(fake.clone())
            .list(query.clone())
            .await
            .unwrap();
        assert_eq!(response.orders, [listed]);
        assert_eq!(response.next_token.as_deref(), Some("next"));
        assert_eq!(fake.calls(), [query]);
    }

    #[tokio::test]
    async fn returns_the_client_failure() {
        let fake = FakeListOrders::answering([Err(OrdersFailure::unrecognized(
            "querying",
            TableError::Throttled { source: None },
        ))]);
        let failure = ListOrdersApiService::new(fake)
            .list(ListOrdersQuery::new(None, None, None, None).unwrap())
            .await
            .unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
    }
}
