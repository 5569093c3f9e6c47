use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{ListError, ListedPage, PageTokens, Table};

use super::model::{ListSkusQuery, SkuSummary};
use crate::failure::InventoryFailure;
use crate::records::{SKU_TYPE_NAME, sku_key};

/// Reads SKU counters.
#[async_trait]
pub trait ListSkusClient: Send + Sync {
    async fn list_skus(
        &self,
        query: &ListSkusQuery,
    ) -> Result<ListedPage<SkuSummary>, InventoryFailure>;
}

/// One single-page table query; its page tokens signed with the deployment's secret.
pub struct TableListSkusClient {
    table: Arc<dyn Table>,
    tokens: PageTokens,
}

impl TableListSkusClient {
    pub fn new(table: Arc<dyn Table>, tokens: PageTokens) -> Self {
        Self { table, tokens }
    }
}

#[async_trait]
impl ListSkusClient for TableListSkusClient {
    async fn list_skus(
        &self,
        query: &ListSkusQuery,
    ) -> Result<ListedPage<SkuSummary>, InventoryFailure> {
        let page = query
            .read(&*self.table, &self.tokens, sku_key, SKU_TYPE_NAME)
            .await
            .map_err(|error| match error {
                ListError::Token(source) => InventoryFailure::RefusedPageToken(source),
                ListError::Issue(source) => InventoryFailure::UnissuablePageToken(source),
                ListError::Table(source) => InventoryFailure::Storage {
                    operation: "listing the SKUs",
                    source,
                },
            })?;
        page.try_map(|item| serde_dynamo::from_item(item).map_err(InventoryFailure::UnreadableSku))
    }
}

#[cfg(test)]
mod tests {
    use contracts::Sku;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{Query, QueryTarget, item, n, s};
    use kernel::validation::{JsNumber, Limit, SortDirection};

    use super::*;
    use crate::records::{SERVICE_NAME, SKU_TYPE_NAME};
    use crate::test_support::assert_storage_failures;

    fn client(table: &Arc<ScriptedTable>) -> TableListSkusClient {
        TableListSkusClient::new(table.clone(), PageTokens::new(b"test"))
    }

    fn limit(value: f64) -> Limit {
        Limit::try_from(value).unwrap()
    }

    #[tokio::test]
    async fn one_sku_queries_its_counter_on_the_table() {
        let table = Arc::new(ScriptedTable::new());
        let query = ListSkusQuery::One(Sku::parse("APPLES").unwrap());
        assert_eq!(client(&table).list_skus(&query).await.unwrap().items, []);
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Table {
                    pk: "INVENTORY#SKU#APPLES".into(),
                    sk: Some("SKU#APPLES".into()),
                },
                forward: true,
                limit: None,
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[tokio::test]
    async fn all_skus_query_the_index_in_the_requested_direction() {
        for (direction, forward) in [(SortDirection::Asc, true), (SortDirection::Desc, false)] {
            let table = Arc::new(ScriptedTable::new());
            let query = ListSkusQuery::Page {
                direction,
                limit: limit(7.0),
                next_token: None,
            };
            client(&table).list_skus(&query).await.unwrap();
            assert_eq!(
                table.calls(),
                [TableCall::Query(Query {
                    target: QueryTarget::Gsi1 {
                        gsi1pk: "INVENTORY#SKU".into()
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
    async fn keeps_only_the_summary_attributes() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![
            item([
                ("pk", s("INVENTORY#SKU#APPLES")),
                ("sk", s("SKU#APPLES")),
                ("sku", s("APPLES")),
                ("units", n(40)),
                ("createdAt", s("2025-01-01T00:00:00.000Z")),
                ("updatedAt", s("2025-01-02T00:00:00.000Z")),
                ("_tn", s(SKU_TYPE_NAME)),
                ("_sn", s(SERVICE_NAME)),
            ]),
            item([("sku", s("PEARS")), ("units", n(2.5))]),
        ]));
        let skus = client(&table)
            .list_skus(&ListSkusQuery::One(Sku::parse("APPLES").unwrap()))
            .await
            .unwrap()
            .items;
        assert_eq!(
            skus,
            [
                SkuSummary {
                    sku: Some("APPLES".into()),
                    units: Some(JsNumber(40.0)),
                    created_at: Some("2025-01-01T00:00:00.000Z".into()),
                    updated_at: Some("2025-01-02T00:00:00.000Z".into()),
                },
                SkuSummary {
                    sku: Some("PEARS".into()),
                    units: Some(JsNumber(2.5)),
                    created_at: None,
                    updated_at: None,
                }
            ]
        );
    }

    #[tokio::test]
    async fn an_unreadable_sku_is_unrecognized() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![item([("units", s("many"))])]));
        let failure = client(&table)
            .list_skus(&ListSkusQuery::One(Sku::parse("APPLES").unwrap()))
            .await
            .unwrap_err();
        assert!(matches!(failure, InventoryFailure::UnreadableSku(_)));
        assert!(failure.is_transient());
    }

    #[tokio::test]
    async fn storage_errors_are_unrecognized() {
        assert_storage_failures(unclassified_errors(), |table| async move {
            client(&table)
                .list_skus(&ListSkusQuery::One(Sku::parse("APPLES").unwrap()))
                .await
        })
        .await;
    }
}
