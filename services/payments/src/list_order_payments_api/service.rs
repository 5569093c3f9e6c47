//! ListOrderPaymentsApi's service.

use std::sync::Arc;

use super::clients::ListOrderPaymentsClient;
use super::model::{ListOrderPaymentsQuery, ListOrderPaymentsRequest, ListOrderPaymentsResponse};
use crate::failure::PaymentsFailure;

pub struct ListOrderPaymentsApiService {
    client: Arc<dyn ListOrderPaymentsClient>,
}

impl ListOrderPaymentsApiService {
    pub fn new(client: Arc<dyn ListOrderPaymentsClient>) -> Self {
        Self { client }
    }

    pub async fn list(
        &self,
        request: ListOrderPaymentsRequest,
    ) -> Result<ListOrderPaymentsResponse, PaymentsFailure> {
        let query = ListOrderPaymentsQuery::from(request);
        let order_payments = self.client.list_order_payments(&query).await?;
        Ok(ListOrderPaymentsResponse { order_payments })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use contracts::OrderId;
    use kernel::table::{Key, TableError};
    use kernel::validation::{Limit, SortDirection};

    use super::*;
    use crate::list_order_payments_api::model::ListedOrderPayment;

    /// Answers with one listed payment (or fails), remembering the queries.
    struct FakeListClient {
        fail: bool,
        queries: Mutex<Vec<ListOrderPaymentsQuery>>,
    }

    #[async_trait]
    impl ListOrderPaymentsClient for FakeListClient {
        async fn list_order_payments(
            &self,
            query: &ListOrderPaymentsQuery,
        ) -> Result<Vec<ListedOrderPayment>, PaymentsFailure> {
            self.queries.lock().unwrap().push(query.clone());
            if self.fail {
                return Err(PaymentsFailure::Storage {
                    operation: "list",
                    source: TableError::Validation {
                        message: Key::new("p", "s").to_string(),
                    },
                });
            }
            Ok(vec![ListedOrderPayment {
                order_id: Some("ORD001".into()),
                ..ListedOrderPayment::default()
            }])
        }
    }

    fn service(fail: bool) -> (ListOrderPaymentsApiService, Arc<FakeListClient>) {
        let client = Arc::new(FakeListClient {
            fail,
            queries: Mutex::new(Vec::new()),
        });
        (ListOrderPaymentsApiService::new(client.clone()), client)
    }

    #[tokio::test]
    async fn an_order_id_selects_that_order_and_ignores_direction_and_limit() {
        let (service, client) = service(false);
        let response = service
            .list(ListOrderPaymentsRequest {
                order_id: Some(OrderId::parse("ORD001").unwrap()),
                sort_direction: Some(SortDirection::Desc),
                limit: Some(Limit::try_from(3.0).unwrap()),
            })
            .await
            .unwrap();
        assert_eq!(response.order_payments.len(), 1);
        assert_eq!(
            *client.queries.lock().unwrap(),
            [ListOrderPaymentsQuery::One(
                OrderId::parse("ORD001").unwrap()
            )]
        );
    }

    #[tokio::test]
    async fn without_an_order_id_lists_all_with_the_defaults() {
        let (service, client) = service(false);
        service
            .list(ListOrderPaymentsRequest::default())
            .await
            .unwrap();
        assert_eq!(
            *client.queries.lock().unwrap(),
            [ListOrderPaymentsQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT
            }]
        );
    }

    #[tokio::test]
    async fn returns_the_client_failure() {
        let (service, _) = service(true);
        assert!(matches!(
            service.list(ListOrderPaymentsRequest::default()).await,
            Err(PaymentsFailure::Storage { .. })
        ));
    }
}
