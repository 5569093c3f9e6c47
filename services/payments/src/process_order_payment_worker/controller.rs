//! ProcessOrderPaymentWorker's controller: the kernel's SQS loop around the stream processor.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::{IncomingEvent, OrderEventData};
use kernel::clock::Clock;
use kernel::sqs::{SqsWorker, StreamEventProcessor, WorkerHandler};
use kernel::table::{Item, Table};

use super::clients::{
    TableRaiseOrderPaymentEventClient, TableReadOrderPaymentClient, TableRecordOrderPaymentClient,
};
use super::service::ProcessOrderPaymentWorkerService;
use crate::failure::PaymentsFailure;
use crate::gateway::PaymentGateway;

/// The worker wired to the table, the clock and the gateway.
pub fn controller(
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    gateway: Arc<dyn PaymentGateway>,
) -> impl WorkerHandler + 'static {
    let service = ProcessOrderPaymentWorkerService::new(
        Arc::new(TableReadOrderPaymentClient::new(table.clone())),
        Arc::new(TableRecordOrderPaymentClient::new(table.clone())),
        Arc::new(TableRaiseOrderPaymentEventClient::new(table)),
        gateway,
        clock,
    );
    SqsWorker::new(ProcessOrderPaymentWorkerController { service })
}

struct ProcessOrderPaymentWorkerController {
    service: ProcessOrderPaymentWorkerService,
}

#[async_trait]
impl StreamEventProcessor for ProcessOrderPaymentWorkerController {
    type Failure = PaymentsFailure;

    fn name(&self) -> &'static str {
        super::SLICE.name
    }

    async fn process(&self, new_image: Item) -> Result<(), PaymentsFailure> {
        let event = IncomingEvent::<OrderEventData>::parse(new_image, super::SLICE.events)
            .map_err(PaymentsFailure::InvalidIncomingEvent)?;
        self.service.process(event).await
    }
}

#[cfg(test)]
mod tests;
