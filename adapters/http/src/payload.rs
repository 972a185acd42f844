//! Request bodies: the `text/csv` payload of the imports, and the size limit
//! on every body.

use poem::http::header;
use poem::{Body, Endpoint, Middleware, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::error::ApiError;

/// The largest CSV import body.
pub const CSV_LIMIT: usize = 64 * 1024 * 1024;
/// The largest body of any other operation.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// A CSV file sent as the raw body with `Content-Type: text/csv`.
#[derive(Debug)]
pub struct CsvBody(pub Vec<u8>);

impl Payload for CsvBody {
    const CONTENT_TYPE: &'static str = "text/csv";

    fn check_content_type(content_type: &str) -> bool {
        content_type.split(';').next().is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/csv"))
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { format: Some("binary"), ..MetaSchema::new("string") }))
    }
}

impl ParsePayload for CsvBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let bytes = body.take()?.into_bytes_limit(CSV_LIMIT).await.map_err(|e| match e {
            poem::error::ReadBodyError::PayloadTooLarge => {
                poem::Error::from(ApiError::too_large(format!("a CSV import is at most {CSV_LIMIT} bytes")))
            }
            other => poem::Error::from(ApiError::bad_request("invalid_body", other.to_string())),
        })?;
        Ok(Self(bytes.to_vec()))
    }
}

impl<'a> ApiExtractor<'a> for CsvBody {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some("The ERP's CSV export (UTF-8, with or without BOM, RFC 4180 quoting)."),
            content: vec![MetaMediaType { content_type: Self::CONTENT_TYPE, schema: Self::schema_ref() }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(content_type) if Self::check_content_type(content_type) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(content_type) => {
                Err(ApiError::UnsupportedMediaType(poem_openapi::payload::Json(crate::error::ErrorBody {
                    code: "unsupported_media_type".into(),
                    message: format!("send the file as text/csv, not {content_type}"),
                }))
                .into())
            }
            None => Err(ApiError::UnsupportedMediaType(poem_openapi::payload::Json(crate::error::ErrorBody {
                code: "unsupported_media_type".into(),
                message: "send the file with Content-Type: text/csv".into(),
            }))
            .into()),
        }
    }
}

/// Refuses bodies over the limit by their `Content-Length`, and caps bodies
/// sent without one so they cannot grow past it.
#[derive(Clone, Copy, Debug, Default)]
pub struct BodyLimit;

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint { inner }
    }
}

/// See [`BodyLimit`].
#[derive(Debug)]
pub struct BodyLimitEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut request: Request) -> poem::Result<Self::Output> {
        let limit = if request.uri().path().starts_with("/api/v1/imports/") { CSV_LIMIT } else { JSON_LIMIT };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            Some(length) if length > limit as u64 => {
                return Err(ApiError::too_large(format!("the body is {length} bytes; the limit is {limit}")).into());
            }
            Some(_) => {}
            None => {
                // One byte over the limit is kept so that a reader with the
                // same limit notices the excess instead of a silent cut.
                let capped = tokio::io::AsyncReadExt::take(request.take_body().into_async_read(), limit as u64 + 1);
                request.set_body(Body::from_async_read(capped));
            }
        }
        self.inner.call(request).await
    }
}
