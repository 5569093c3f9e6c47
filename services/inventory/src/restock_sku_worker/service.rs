use std::sync::Arc;

use contracts::SkuRestockedEventData;
use kernel::clock::Clock;

use super::clients::RestockSkuClient;
use super::model::RestockSkuCommand;
use crate::failure::InventoryFailure;

pub struct RestockSkuWorkerService {
    restock_sku: Arc<dyn RestockSkuClient>,
    clock: Arc<dyn Clock>,
}

impl RestockSkuWorkerService {
    pub fn new(restock_sku: Arc<dyn RestockSkuClient>, clock: Arc<dyn Clock>) -> Self {
        Self { restock_sku, clock }
    }

    /// Applies the restock once; a replay ends in `DuplicateRestockOperationError` (consumed).
    pub async fn restock(&self, restocked: SkuRestockedEventData) -> Result<(), InventoryFailure> {
        let command = RestockSkuCommand {
            sku: restocked.sku,
            units: restocked.units,
            lot_id: restocked.lot_id,
            now: self.clock.now_iso(),
        };
        self.restock_sku.restock(&command).await
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::{LotId, Sku, Units};
    use kernel::Failure;
    use kernel::table::Key;

    use super::*;
    use crate::test_support::{Fake, NOW, clock, transient_failure};

    type FakeRestock = Fake<RestockSkuCommand, Result<(), InventoryFailure>>;

    #[async_trait]
    impl RestockSkuClient for FakeRestock {
        async fn restock(&self, command: &RestockSkuCommand) -> Result<(), InventoryFailure> {
            self.call(command.clone())
        }
    }

    fn restocked() -> SkuRestockedEventData {
        SkuRestockedEventData {
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(12).unwrap(),
            lot_id: LotId::parse("LOT-0001").unwrap(),
        }
    }

    #[tokio::test]
    async fn restocks_with_the_event_data_at_worker_time() {
        let client = FakeRestock::answering([Ok(())]);
        RestockSkuWorkerService::new(client.clone(), clock())
            .restock(restocked())
            .await
            .unwrap();
        assert_eq!(
            client.calls(),
            [RestockSkuCommand {
                sku: Sku::parse("APPLES").unwrap(),
                units: Units::new(12).unwrap(),
                lot_id: LotId::parse("LOT-0001").unwrap(),
                now: NOW.to_owned(),
            }]
        );
    }

    #[tokio::test]
    async fn returns_the_client_failures() {
        let client = FakeRestock::answering([Err(transient_failure())]);
        let failure = RestockSkuWorkerService::new(client, clock())
            .restock(restocked())
            .await
            .unwrap_err();
        assert!(failure.is_transient());

        let client = FakeRestock::answering([Err(InventoryFailure::DuplicateRestockOperation {
            key: Key::new("pk", "sk"),
        })]);
        let failure = RestockSkuWorkerService::new(client, clock())
            .restock(restocked())
            .await
            .unwrap_err();
        assert!(matches!(
            failure,
            InventoryFailure::DuplicateRestockOperation { .. }
        ));
        assert!(!failure.is_transient());
    }
}
