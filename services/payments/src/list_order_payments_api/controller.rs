//! ListOrderPaymentsApi's controller.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, parse_valid_body};
use kernel::table::{PageTokens, Table};

use super::clients::TableListOrderPaymentsClient;
use super::model::{ListOrderPaymentsBody, ListOrderPaymentsQuery};
use super::service::ListOrderPaymentsApiService;
use crate::failure::PaymentsFailure;

/// The API wired to the table.
pub fn controller(table: Arc<dyn Table>, tokens: PageTokens) -> impl ApiHandler + 'static {
    ListOrderPaymentsApiController {
        service: ListOrderPaymentsApiService::new(Arc::new(TableListOrderPaymentsClient::new(
            table, tokens,
        ))),
    }
}

struct ListOrderPaymentsApiController {
    service: ListOrderPaymentsApiService,
}

#[async_trait]
impl ApiHandler for ListOrderPaymentsApiController {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let query =
            match parse_valid_body::<ListOrderPaymentsBody, ListOrderPaymentsQuery>(&request) {
                Ok(query) => query,
                Err(error) => {
                    return ApiResponse::from_failure(&PaymentsFailure::InvalidRequest(error));
                }
            };
        match self.service.list(query).await {
            Ok(response) => ApiResponse::ok(&response),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}

#[cfg(test)]
mod tests;
