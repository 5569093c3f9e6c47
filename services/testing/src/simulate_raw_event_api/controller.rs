//! SimulateRawEventApi's controller.

use std::sync::Arc;

use async_trait::async_trait;
use kernel::clock::Clock;
use kernel::http::{
    ApiHandler, ApiRequest, ApiResponse, BodyError, parse_json_body, validate_into,
};
use kernel::table::Table;
use serde::de::IgnoredAny;

use super::clients::TableRaiseRawEventClient;
use super::model::{SimulateRawEventBody, SimulateRawEventRequest};
use super::service::SimulateRawEventApiService;
use crate::failure::TestingFailure;

/// The API wired to the table and the clock.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl ApiHandler + 'static {
    SimulateRawEventApiController {
        service: SimulateRawEventApiService::new(
            Arc::new(TableRaiseRawEventClient::new(table)),
            clock,
        ),
    }
}

/// Parses the body straight from its text so `eventData` keeps its key order for the echo
/// (`parse_json_body` goes through `serde_json::Value`, which sorts keys); the kernel still
/// decides what a missing, non-JSON or non-object body is.
fn parse_request(request: &ApiRequest) -> Result<SimulateRawEventRequest, BodyError> {
    parse_json_body::<IgnoredAny>(request)?;
    let body = request.body.as_deref().ok_or(BodyError::Missing)?;
    let body: SimulateRawEventBody = serde_json::from_str(body).map_err(BodyError::InvalidShape)?;
    validate_into(body)
}

struct SimulateRawEventApiController {
    service: SimulateRawEventApiService,
}

#[async_trait]
impl ApiHandler for SimulateRawEventApiController {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let body = match parse_request(&request) {
            Ok(body) => body,
            Err(error) => return ApiResponse::from_failure(&TestingFailure::InvalidRequest(error)),
        };
        match self.service.simulate(&body).await {
            // The answer echoes the request as sent (defaulted timestamps are not shown).
            Ok(()) => ApiResponse::accepted(&body),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}

#[cfg(test)]
mod tests;
