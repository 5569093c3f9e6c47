//! ListOrdersApi's one capability: querying the order view.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{ListError, ListedPage, PageTokens, Table};

use super::model::{ListOrdersQuery, ListedOrder};
use crate::failure::OrdersFailure;
use crate::order::{ORDER_TYPE_NAME, order_key};

/// Reads orders from the order view.
#[async_trait]
pub trait ListOrdersClient: Send + Sync {
    async fn list_orders(
        &self,
        query: &ListOrdersQuery,
    ) -> Result<ListedPage<ListedOrder>, OrdersFailure>;
}

/// One single-page table query; its page tokens signed with the deployment's secret.
pub struct TableListOrdersClient {
    table: Arc<dyn Table>,
    tokens: PageTokens,
}

impl TableListOrdersClient {
    pub fn new(table: Arc<dyn Table>, tokens: PageTokens) -> Self {
        Self { table, tokens }
    }
}

#[async_trait]
impl ListOrdersClient for TableListOrdersClient {
    async fn list_orders(
        &self,
        query: &ListOrdersQuery,
    ) -> Result<ListedPage<ListedOrder>, OrdersFailure> {
        let page = match query
            .read(&*self.table, &self.tokens, order_key, ORDER_TYPE_NAME)
            .await
        {
            Ok(page) => page,
            Err(ListError::Token(error)) => {
                return Err(OrdersFailure::invalid_arguments(
                    "the listOrders nextToken was refused",
                    error,
                ));
            }
            Err(ListError::Table(error)) => {
                return Err(OrdersFailure::unrecognized("querying orders", error));
            }
            Err(ListError::Issue(error)) => {
                return Err(OrdersFailure::unrecognized(
                    "making the next page's token",
                    error,
                ));
            }
        };
        page.try_map(|item| {
            // An attribute of an unexpected type means the view is corrupt: a server error.
            serde_dynamo::from_item(item)
                .map_err(|error| OrdersFailure::unrecognized("reading a listed order item", error))
        })
    }
}

#[cfg(test)]
mod tests {
    use contracts::OrderId;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{AttributeValue, Query, QueryTarget, item, n, s};
    use kernel::validation::{Limit, SortDirection};

    use super::*;
    use crate::test_support::assert_unrecognized_and_transient;
    use kernel::validation::JsNumber;

    fn client(table: &Arc<ScriptedTable>) -> TableListOrdersClient {
        TableListOrdersClient::new(table.clone(), PageTokens::new(b"test"))
    }

    fn limit(value: f64) -> Limit {
        Limit::try_from(value).unwrap()
    }

    #[tokio::test]
    async fn queries_one_order_by_its_key() {
        let table = Arc::new(ScriptedTable::new());
        let query = ListOrdersQuery::One(OrderId::parse("ORDER-1").unwrap());
        client(&table).list_orders(&query).await.unwrap();
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Table {
                    pk: "ORDERS#ORDER_ID#ORDER-1".into(),
                    sk: Some("ORDER_ID#ORDER-1".into()),
                },
                forward: true,
                limit: None,
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[tokio::test]
    async fn queries_all_orders_on_the_index_in_the_requested_direction() {
        for (direction, forward) in [(SortDirection::Asc, true), (SortDirection::Desc, false)] {
            let table = Arc::new(ScriptedTable::new());
            let query = ListOrdersQuery::Page {
                direction,
                limit: limit(7.0),
                next_token: None,
            };
            client(&table).list_orders(&query).await.unwrap();
            assert_eq!(
                table.calls(),
                [TableCall::Query(Query {
                    target: QueryTarget::Gsi1 {
                        gsi1pk: "ORDERS#ORDER".into(),
                    },
                    forward,
                    limit: Some(7),
                    consistent: false,
                    exclusive_start_key: None,
                })]
            );
        }
    }

    #[tokio::test]
    async fn maps_items_keeping_only_the_listed_attributes() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![
            item([
                ("pk", s("ORDERS#ORDER_ID#ORDER-1")),
                ("sk", s("ORDER_ID#ORDER-1")),
                ("orderId", s("ORDER-1")),
                ("orderStatus", s("ORDER_CREATED_STATUS")),
                ("sku", s("APPLES")),
                ("units", n(3)),
                ("price", n(15)),
                ("userId", s("MARIA")),
                ("createdAt", s("2025-01-01T00:00:00.000Z")),
                ("updatedAt", s("2025-01-02T00:00:00.000Z")),
                ("_tn", s("ORDERS#ORDER")),
                ("gsi1pk", s("ORDERS#ORDER")),
            ]),
            item([("orderId", s("ORDER-2")), ("price", n(0.5))]),
        ]));
        let orders = client(&table)
            .list_orders(&ListOrdersQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT,
                next_token: None,
            })
            .await
            .unwrap()
            .items;
        assert_eq!(
            orders,
            [
                ListedOrder {
                    order_id: Some("ORDER-1".into()),
                    order_status: Some("ORDER_CREATED_STATUS".into()),
                    sku: Some("APPLES".into()),
                    units: Some(JsNumber(3.0)),
                    price: Some(JsNumber(15.0)),
                    user_id: Some("MARIA".into()),
                    created_at: Some("2025-01-01T00:00:00.000Z".into()),
                    updated_at: Some("2025-01-02T00:00:00.000Z".into()),
                },
                ListedOrder {
                    order_id: Some("ORDER-2".into()),
                    price: Some(JsNumber(0.5)),
                    ..ListedOrder::default()
                },
            ]
        );
    }

    #[tokio::test]
    async fn a_malformed_item_is_an_unrecognized_error() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![item([(
            "units",
            AttributeValue::S("three".into()),
        )])]));
        let failure = client(&table)
            .list_orders(&ListOrdersQuery::One(OrderId::parse("ORDER-1").unwrap()))
            .await
            .unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
    }

    #[tokio::test]
    async fn every_table_error_is_unrecognized_and_transient() {
        assert_unrecognized_and_transient(|table| async move {
            client(&table)
                .list_orders(&ListOrdersQuery::One(OrderId::parse("ORDER-1").unwrap()))
                .await
        })
        .await;
    }
}
