//! ListOrderPaymentsApi's service.

use std::sync::Arc;

use super::clients::ListOrderPaymentsClient;
use super::model::{ListOrderPaymentsQuery, ListOrderPaymentsResponse};
use crate::failure::PaymentsFailure;

pub struct ListOrderPaymentsApiService {
    list_order_payments: Arc<dyn ListOrderPaymentsClient>,
}

impl ListOrderPaymentsApiService {
    pub fn new(list_order_payments: Arc<dyn ListOrderPaymentsClient>) -> Self {
        Self {
            list_order_payments,
        }
    }

    pub async fn list(
        &self,
        query: ListOrderPaymentsQuery,
    ) -> Result<ListOrderPaymentsResponse, PaymentsFailure> {
        let page = self.list_order_payments.list_order_payments(&query).await?;
        Ok(ListOrderPaymentsResponse {
            order_payments: page.items,
            next_token: page.next_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::OrderId;
    use kernel::fake::Fake;
    use kernel::table::{ListedPage, TableError};

    use super::*;
    use crate::list_order_payments_api::model::ListedOrderPayment;

    type FakeListOrderPayments =
        Fake<ListOrderPaymentsQuery, Result<ListedPage<ListedOrderPayment>, PaymentsFailure>>;

    #[async_trait]
    impl ListOrderPaymentsClient for FakeListOrderPayments {
        async fn list_order_payments(
            &self,
            query: &ListOrderPaymentsQuery,
        ) -> Result<ListedPage<ListedOrderPayment>, PaymentsFailure> {
            self.call(query.clone())
        }
    }

    #[tokio::test]
    async fn queries_once_and_returns_the_payments_and_the_next_token() {
        let listed = ListedOrderPayment {
            order_id: Some("ORD001".into()),
            ..ListedOrderPayment::default()
        };
        let fake = FakeListOrderPayments::answering([Ok(ListedPage {
            items: vec![listed.clone()],
            next_token: Some("next".into()),
        })]);
        let query = ListOrderPaymentsQuery::One(OrderId::parse("ORD001").unwrap());
        let response = ListOrderPaymentsApiService::new(fake.clone())
            .list(query.clone())
            .await
            .unwrap();
        assert_eq!(response.order_payments, [listed]);
        assert_eq!(response.next_token.as_deref(), Some("next"));
        assert_eq!(fake.calls(), [query]);
    }

    #[tokio::test]
    async fn returns_the_client_failure() {
        let fake = FakeListOrderPayments::answering([Err(PaymentsFailure::Storage {
            operation: "list",
            source: TableError::Throttled { source: None },
        })]);
        assert!(matches!(
            ListOrderPaymentsApiService::new(fake)
                .list(ListOrderPaymentsQuery::new(None, None, None, None).unwrap())
                .await,
            Err(PaymentsFailure::Storage { .. })
        ));
    }
}
