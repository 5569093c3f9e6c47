//! ListOrderPaymentsApi's client: one Query, single page.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{ListError, ListedPage, PageTokens, Table};

use super::model::{ListOrderPaymentsQuery, ListedOrderPayment};
use crate::failure::PaymentsFailure;
use crate::order_payment::{ORDER_PAYMENT_TYPE_NAME, order_payment_key};

/// Lists order payments.
#[async_trait]
pub trait ListOrderPaymentsClient: Send + Sync {
    async fn list_order_payments(
        &self,
        query: &ListOrderPaymentsQuery,
    ) -> Result<ListedPage<ListedOrderPayment>, PaymentsFailure>;
}

/// [`ListOrderPaymentsClient`] over the table; its page tokens signed with the deployment's
/// secret.
pub struct TableListOrderPaymentsClient {
    table: Arc<dyn Table>,
    tokens: PageTokens,
}

impl TableListOrderPaymentsClient {
    pub fn new(table: Arc<dyn Table>, tokens: PageTokens) -> Self {
        Self { table, tokens }
    }
}

#[async_trait]
impl ListOrderPaymentsClient for TableListOrderPaymentsClient {
    async fn list_order_payments(
        &self,
        query: &ListOrderPaymentsQuery,
    ) -> Result<ListedPage<ListedOrderPayment>, PaymentsFailure> {
        // The Query of docs/contract.md §8.2.
        let page = query
            .read(
                &*self.table,
                &self.tokens,
                order_payment_key,
                ORDER_PAYMENT_TYPE_NAME,
            )
            .await
            .map_err(|error| match error {
                ListError::Token(source) => PaymentsFailure::RefusedPageToken(source),
                ListError::Issue(source) => PaymentsFailure::UnissuablePageToken(source),
                ListError::Table(source) => PaymentsFailure::Storage {
                    operation: "list the order payments",
                    source,
                },
            })?;
        page.try_map(|item| Ok(ListedOrderPayment::from_item(&item)))
    }
}

#[cfg(test)]
mod tests {
    use contracts::OrderId;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{Query, QueryTarget, TableError, item, n, s};
    use kernel::validation::{Limit, SortDirection};

    use super::*;

    fn limit(value: f64) -> Limit {
        Limit::try_from(value).unwrap()
    }

    #[tokio::test]
    async fn queries_one_order_by_its_key() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![item([
            ("orderId", s("ORD001")),
            ("units", n(2)),
        ])]));
        let client = TableListOrderPaymentsClient::new(table.clone(), PageTokens::new(b"test"));
        let listed = client
            .list_order_payments(&ListOrderPaymentsQuery::One(
                OrderId::parse("ORD001").unwrap(),
            ))
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].units, Some(serde_json::json!(2)));
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Table {
                    pk: "PAYMENTS#ORDER_ID#ORD001".into(),
                    sk: Some("ORDER_ID#ORD001#ORDER_PAYMENT".into()),
                },
                forward: true,
                limit: None,
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[tokio::test]
    async fn queries_all_payments_on_the_index() {
        let table = Arc::new(ScriptedTable::new());
        let client = TableListOrderPaymentsClient::new(table.clone(), PageTokens::new(b"test"));
        let listed = client
            .list_order_payments(&ListOrderPaymentsQuery::Page {
                direction: SortDirection::Desc,
                limit: limit(10.0),
                next_token: None,
            })
            .await
            .unwrap();
        assert!(listed.items.is_empty());
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Gsi1 {
                    gsi1pk: "PAYMENTS#ORDER_PAYMENT".into()
                },
                forward: false,
                limit: Some(10),
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[tokio::test]
    async fn a_failed_query_is_an_unrecognized_error() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Throttled { source: None }));
        let failure = TableListOrderPaymentsClient::new(table, PageTokens::new(b"test"))
            .list_order_payments(&ListOrderPaymentsQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT,
                next_token: None,
            })
            .await
            .unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
        assert!(failure.is_transient());
    }
}
