//! One API slice as an OpenAPI 3.1 operation, from its request and response types.
//!
//! Each slice names its body type, its success type and status; the embedded engine assembles
//! the six operations at the slices' declared paths into `docs/openapi.json` (and serves it at
//! `/openapi.json`). The failure answers are the same for every slice: 400 `Bad Request` for
//! anything the slice refuses, 500 for a failure of its own.

use utoipa::openapi::path::{Operation, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{Content, Ref, RefOr, Required, ResponseBuilder, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The body of every 400 and 500 answer.
#[derive(serde::Serialize, ToSchema)]
pub struct ErrorMessage {
    /// `Bad Request` or `Internal Server Error`.
    pub message: String,
}

/// The schemas an operation refers to, by name: the document's `components.schemas`.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// A slice's `POST` operation: a required JSON body of type `B`, `success` with a body of type
/// `S`, 400 and 500 with an [`ErrorMessage`]. The schemas of `B`, `S` and [`ErrorMessage`] (and
/// what they refer to) are added to `schemas`.
/// The operation id is the path's last segment (`listOrders`), the tag the slice's domain.
pub fn post_operation<B: ToSchema, S: ToSchema>(
    path: &str,
    tag: &str,
    summary: &str,
    success: (u16, &str),
    schemas: &mut Schemas,
) -> Operation {
    let reference = |schemas: &mut Schemas, name: String, schema: RefOr<Schema>| {
        if !schemas.iter().any(|(known, _)| *known == name) {
            schemas.push((name.clone(), schema));
        }
        Ref::from_schema_name(name)
    };
    let mut body_and_more = Schemas::new();
    B::schemas(&mut body_and_more);
    S::schemas(&mut body_and_more);
    ErrorMessage::schemas(&mut body_and_more);
    for (name, schema) in body_and_more {
        reference(schemas, name, schema);
    }
    let body = reference(schemas, B::name().into_owned(), B::schema());
    let answer = reference(schemas, S::name().into_owned(), S::schema());
    let error = reference(
        schemas,
        ErrorMessage::name().into_owned(),
        ErrorMessage::schema(),
    );
    let json = |schema: Ref| Content::new(Some(schema));
    OperationBuilder::new()
        .operation_id(path.rsplit('/').next())
        .tag(tag)
        .summary(Some(summary))
        .request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/json", json(body))
                .build(),
        ))
        .response(
            success.0.to_string(),
            ResponseBuilder::new()
                .description(success.1)
                .content("application/json", json(answer))
                .build(),
        )
        .response(
            "400",
            ResponseBuilder::new()
                .description("The body is not valid JSON, or not a valid request")
                .content("application/json", json(error.clone()))
                .build(),
        )
        .response(
            "500",
            ResponseBuilder::new()
                .description("The slice failed (the storage, for instance)")
                .content("application/json", json(error))
                .build(),
        )
        .build()
}
