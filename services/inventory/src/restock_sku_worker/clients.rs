use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{
    CancellationReason, Condition, Put, Table, TableError, TransactItem, Update, UpdateAction, n, s,
};

use super::model::{RestockItem, RestockSkuCommand};
use crate::failure::InventoryFailure;
use crate::records::{SERVICE_NAME, SKU_TYPE_NAME, created_at_sort_key, restock_key, sku_key};

/// Records a restocked lot and adds its units to the SKU counter, once per lot.
#[async_trait]
pub trait RestockSkuClient: Send + Sync {
    async fn restock(&self, command: &RestockSkuCommand) -> Result<(), InventoryFailure>;
}

pub struct TableRestockSkuClient {
    table: Arc<dyn Table>,
}

impl TableRestockSkuClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

/// [Put restock record if new, upsert the SKU counter adding the lot's units].
fn restock_transaction(command: &RestockSkuCommand) -> Result<Vec<TransactItem>, InventoryFailure> {
    let restock_record = serde_dynamo::to_item(RestockItem::new(command)).map_err(|source| {
        InventoryFailure::UnbuildableItem {
            key: restock_key(&command.sku, &command.lot_id),
            source,
        }
    })?;
    let now = command.now.as_str();
    let add_units = Update::new(sku_key(&command.sku))
        .set("sku", s(command.sku.as_str()))
        .action("units", UpdateAction::AddFromZero(n(command.units.get())))
        .action("createdAt", UpdateAction::SetIfNotExists(s(now)))
        .set("updatedAt", s(now))
        .set("_tn", s(SKU_TYPE_NAME))
        .set("_sn", s(SERVICE_NAME))
        .set("gsi1pk", s(SKU_TYPE_NAME))
        .set("gsi1sk", s(created_at_sort_key(now)));
    Ok(vec![
        TransactItem::Put(Put::new(restock_record).with_condition(Condition::not_exists("pk"))),
        TransactItem::Update(add_units),
    ])
}

#[async_trait]
impl RestockSkuClient for TableRestockSkuClient {
    async fn restock(&self, command: &RestockSkuCommand) -> Result<(), InventoryFailure> {
        let transaction = restock_transaction(command)?;
        match self.table.transact_write(transaction).await {
            Ok(()) => Ok(()),
            // The lot is already recorded: the whole transaction was cancelled, nothing counted twice.
            Err(TableError::TransactionCanceled { reasons })
                if matches!(
                    reasons.first(),
                    Some(CancellationReason::ConditionalCheckFailed { .. })
                ) =>
            {
                Err(InventoryFailure::DuplicateRestockOperation {
                    key: restock_key(&command.sku, &command.lot_id),
                })
            }
            Err(source) => Err(InventoryFailure::Storage {
                operation: "restocking the SKU",
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use contracts::{LotId, Sku, Units};
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{Key, item};

    use super::*;
    use crate::test_support::{NOW, assert_storage_failures, cancelled, condition_failed};

    fn command() -> RestockSkuCommand {
        RestockSkuCommand {
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(12).unwrap(),
            lot_id: LotId::parse("LOT-0001").unwrap(),
            now: NOW.to_owned(),
        }
    }

    async fn restock(table: &Arc<ScriptedTable>) -> Result<(), InventoryFailure> {
        TableRestockSkuClient::new(table.clone())
            .restock(&command())
            .await
    }

    #[tokio::test]
    async fn writes_the_lot_and_adds_its_units_in_one_transaction() {
        let table = Arc::new(ScriptedTable::new());
        restock(&table).await.unwrap();
        let restock_record = item([
            ("pk", s("INVENTORY#SKU#APPLES")),
            ("sk", s("LOT_ID#LOT-0001")),
            ("sku", s("APPLES")),
            ("units", n(12)),
            ("lotId", s("LOT-0001")),
            ("createdAt", s(NOW)),
            ("updatedAt", s(NOW)),
            ("_tn", s("INVENTORY#RESTOCK_SKU")),
            ("_sn", s("INVENTORY")),
            ("gsi1pk", s("INVENTORY#RESTOCK_SKU")),
            ("gsi1sk", s(format!("CREATED_AT#{NOW}"))),
        ]);
        let sku_counter = Update {
            key: Key::new("INVENTORY#SKU#APPLES", "SKU#APPLES"),
            actions: vec![
                ("sku".into(), UpdateAction::Set(s("APPLES"))),
                ("units".into(), UpdateAction::AddFromZero(n(12))),
                ("createdAt".into(), UpdateAction::SetIfNotExists(s(NOW))),
                ("updatedAt".into(), UpdateAction::Set(s(NOW))),
                ("_tn".into(), UpdateAction::Set(s("INVENTORY#SKU"))),
                ("_sn".into(), UpdateAction::Set(s("INVENTORY"))),
                ("gsi1pk".into(), UpdateAction::Set(s("INVENTORY#SKU"))),
                (
                    "gsi1sk".into(),
                    UpdateAction::Set(s(format!("CREATED_AT#{NOW}"))),
                ),
            ],
            condition: None,
            return_values: kernel::table::ReturnValues::None,
            return_old_on_condition_failure: false,
        };
        assert_eq!(
            table.calls(),
            [TableCall::TransactWrite(vec![
                TransactItem::Put(Put {
                    item: restock_record,
                    condition: Some(Condition::AttributeNotExists("pk".into())),
                    return_old_on_condition_failure: false,
                }),
                TransactItem::Update(sku_counter),
            ])]
        );
    }

    #[tokio::test]
    async fn an_existing_lot_is_a_duplicate_restock() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(cancelled([
            condition_failed(),
            CancellationReason::None,
        ])));
        let failure = restock(&table).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::DuplicateRestockOperation { key }
                if *key == Key::new("INVENTORY#SKU#APPLES", "LOT_ID#LOT-0001")
        ));
        assert_eq!(failure.kind(), "DuplicateRestockOperationError");
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn other_cancellations_and_errors_are_transient() {
        let mut errors = unclassified_errors();
        errors.extend([
            cancelled([
                CancellationReason::TransactionConflict,
                CancellationReason::None,
            ]),
            cancelled([CancellationReason::Throttled, CancellationReason::None]),
            cancelled([CancellationReason::None, condition_failed()]),
            cancelled([
                CancellationReason::Other {
                    code: "ValidationError".into(),
                },
                CancellationReason::None,
            ]),
            TableError::TransactionCanceled { reasons: vec![] },
            TableError::ConditionalCheckFailed { old_item: None },
        ]);
        assert_storage_failures(errors, |table| async move { restock(&table).await }).await;
    }
}
