use std::sync::Arc;

use async_trait::async_trait;
use contracts::{IncomingEvent, OrderEventData};
use kernel::clock::Clock;
use kernel::sqs::{SqsWorker, StreamEventProcessor, WorkerHandler};
use kernel::table::{Item, Table};

use super::clients::SettleAllocationClient;
use super::model::Settlement;
use super::service::SettleAllocationService;
use crate::failure::InventoryFailure;
use crate::read_allocation::TableReadAllocationClient;

/// The settlement's worker over the single table, writing with `settle_allocation`.
pub fn controller(
    settlement: Settlement,
    table: Arc<dyn Table>,
    settle_allocation: Arc<dyn SettleAllocationClient>,
    clock: Arc<dyn Clock>,
) -> impl WorkerHandler + 'static {
    SqsWorker::new(SettleAllocationWorkerController {
        settlement,
        service: SettleAllocationService::new(
            settlement,
            Arc::new(TableReadAllocationClient::new(table)),
            settle_allocation,
            clock,
        ),
    })
}

struct SettleAllocationWorkerController {
    settlement: Settlement,
    service: SettleAllocationService,
}

#[async_trait]
impl StreamEventProcessor for SettleAllocationWorkerController {
    type Failure = InventoryFailure;

    fn name(&self) -> &'static str {
        self.settlement.slice().name
    }

    async fn process(&self, new_image: Item) -> Result<(), InventoryFailure> {
        let event =
            IncomingEvent::<OrderEventData>::parse(new_image, self.settlement.slice().events)
                .map_err(InventoryFailure::InvalidEvent)?;
        self.service.settle(event.event_data).await
    }
}
