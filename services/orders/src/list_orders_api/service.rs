//! ListOrdersApi's service: turn the request into one query of the order view.

use std::sync::Arc;

use super::clients::QueryOrdersClient;
use super::model::{ListOrdersQuery, ListOrdersRequest, ListOrdersResponse};
use crate::failure::OrdersFailure;

pub struct ListOrdersApiService {
    query_orders: Arc<dyn QueryOrdersClient>,
}

impl ListOrdersApiService {
    pub fn new(query_orders: Arc<dyn QueryOrdersClient>) -> Self {
        Self { query_orders }
    }

    pub async fn list_orders(
        &self,
        request: ListOrdersRequest,
    ) -> Result<ListOrdersResponse, OrdersFailure> {
        let query = ListOrdersQuery::from(request);
        let orders = self.query_orders.query_orders(&query).await?;
        Ok(ListOrdersResponse { orders })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use contracts::OrderId;
    use kernel::Failure;
    use kernel::table::TableError;
    use kernel::validation::{Limit, SortDirection};

    use super::*;
    use crate::list_orders_api::model::ListedOrder;

    struct FakeQueryOrders {
        queries: Mutex<Vec<ListOrdersQuery>>,
        fail: bool,
    }

    #[async_trait]
    impl QueryOrdersClient for FakeQueryOrders {
        async fn query_orders(
            &self,
            query: &ListOrdersQuery,
        ) -> Result<Vec<ListedOrder>, OrdersFailure> {
            self.queries.lock().unwrap().push(query.clone());
            if self.fail {
                return Err(OrdersFailure::unrecognized(
                    "querying",
                    TableError::Throttled { source: None },
                ));
            }
            Ok(vec![ListedOrder {
                order_id: Some("ORDER-1".into()),
                ..ListedOrder::default()
            }])
        }
    }

    fn service(fail: bool) -> (ListOrdersApiService, Arc<FakeQueryOrders>) {
        let fake = Arc::new(FakeQueryOrders {
            queries: Mutex::new(Vec::new()),
            fail,
        });
        (ListOrdersApiService::new(fake.clone()), fake)
    }

    #[tokio::test]
    async fn queries_once_and_returns_the_orders() {
        let (service, fake) = service(false);
        let request = ListOrdersRequest {
            order_id: Some(OrderId::parse("ORDER-1").unwrap()),
            ..ListOrdersRequest::default()
        };
        let response = service.list_orders(request).await.unwrap();
        assert_eq!(response.orders.len(), 1);
        assert_eq!(
            *fake.queries.lock().unwrap(),
            [ListOrdersQuery::One(OrderId::parse("ORDER-1").unwrap())]
        );
    }

    #[tokio::test]
    async fn defaults_to_an_ascending_page_of_50() {
        let (service, fake) = service(false);
        service
            .list_orders(ListOrdersRequest::default())
            .await
            .unwrap();
        assert_eq!(
            *fake.queries.lock().unwrap(),
            [ListOrdersQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT
            }]
        );
    }

    #[tokio::test]
    async fn returns_the_client_failure() {
        let failure = service(true)
            .0
            .list_orders(ListOrdersRequest::default())
            .await
            .unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
    }
}
