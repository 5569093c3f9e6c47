//! ListOrderPaymentsApi's controller.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, parse_json_body};
use kernel::table::Table;

use super::clients::DbListOrderPaymentsClient;
use super::model::ListOrderPaymentsRequest;
use super::service::ListOrderPaymentsService;
use crate::failure::PaymentsFailure;

/// The API wired to the table.
pub fn controller(table: Arc<dyn Table>) -> impl ApiHandler + 'static {
    ListOrderPaymentsApi {
        service: ListOrderPaymentsService::new(Arc::new(DbListOrderPaymentsClient::new(table))),
    }
}

struct ListOrderPaymentsApi {
    service: ListOrderPaymentsService,
}

#[async_trait]
impl ApiHandler for ListOrderPaymentsApi {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let body = match parse_json_body::<ListOrderPaymentsRequest>(&request) {
            Ok(body) => body,
            Err(error) => {
                return ApiResponse::from_failure(&PaymentsFailure::InvalidRequest(error));
            }
        };
        match self.service.list(body).await {
            Ok(response) => ApiResponse::ok(&response),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}
