//! Payments for staff: the list (filters, paging, CSV export), one payment
//! with its audit trail, and refunds. Reading needs `view_payments`,
//! refunding `refund_payments`.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use poem::Body;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Enum, OpenApi, ResponseContent};
use portico_app::use_cases::refund_payment::{RefundPayment, RefundPaymentError};
use portico_app::use_cases::track_payments::{TrackPayments, TrackPaymentsError};
use portico_app::{PageRequest, PaymentFilter, Refusal, TransientReason};
use portico_domain::{Actor, CustomerId, MerchantId, Money, PaymentId, Permission};

use crate::auth::StaffAuth;
use crate::error::ApiError;
use crate::payment_dto::{
    CSV_HEADER, MethodKindDto, PaymentDetailDto, PaymentDto, PaymentPageDto, PaymentStatusDto, RefundBody, csv_row,
};
use crate::services::ApiServices;

/// The payment use cases the API calls.
#[derive(Clone, Debug)]
pub struct PaymentServices {
    /// Reading payments.
    pub track: TrackPayments,
    /// Refunds.
    pub refund: RefundPayment,
}

/// Payments.
#[derive(Debug)]
pub struct PaymentsApi {
    /// The use cases.
    pub services: Arc<ApiServices>,
}

/// The list's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum FormatDto {
    /// A JSON page (the default).
    Json,
    /// Every matching payment as CSV (paging ignored).
    Csv,
}

/// The list, as JSON or CSV.
#[derive(Debug, ResponseContent)]
pub enum PaymentListContent {
    /// A page of payments.
    Json(Json<PaymentPageDto>),
    /// Every matching payment, one row each, newest first.
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<Body>),
}

/// The answer to a list.
#[derive(Debug, ApiResponse)]
pub enum PaymentListResponse {
    /// The payments.
    #[oai(status = 200)]
    Ok(PaymentListContent),
}

/// Rows read per page of a CSV export: memory stays bounded however many match.
const EXPORT_PAGE: u64 = 500;

fn track_error(e: TrackPaymentsError) -> ApiError {
    match e {
        TrackPaymentsError::NotFound => ApiError::not_found("payment_not_found", "no payment has this id"),
        e @ (TrackPaymentsError::PageSize | TrackPaymentsError::EmptyRange) => {
            ApiError::bad_request("invalid_parameter", e.to_string())
        }
        TrackPaymentsError::Unexpected(e) => ApiError::unexpected("reading payments", &*e),
    }
}

fn refund_error(e: RefundPaymentError) -> ApiError {
    match e {
        RefundPaymentError::NotFound => ApiError::not_found("payment_not_found", "no payment has this id"),
        e @ RefundPaymentError::NotRefundable(_) => ApiError::conflict("not_refundable", e.to_string()),
        e @ RefundPaymentError::Amount(_) => ApiError::unprocessable("invalid_amount", e.to_string()),
        e @ RefundPaymentError::Changed => ApiError::conflict("payment_changed", e.to_string()),
        RefundPaymentError::Refused(r) => {
            let code = match r {
                Refusal::UnknownCharge => "gateway_unknown_charge",
                Refusal::NotRefundable => "not_refundable",
                Refusal::InvalidAmount => "invalid_amount",
            };
            ApiError::conflict(code, r.to_string())
        }
        RefundPaymentError::Transient(t) => {
            let code = match t {
                TransientReason::ProcessingError | TransientReason::RateLimited => "gateway_busy",
            };
            ApiError::unavailable_code(code, t.to_string())
        }
        e @ RefundPaymentError::Unconfirmed => ApiError::unavailable_code("gateway_unreachable", e.to_string()),
        RefundPaymentError::Unexpected(e) => ApiError::unexpected("refunding a payment", &*e),
    }
}

/// A date (`2026-12-01`, midnight UTC; as `until`, the end of that day) or
/// an RFC 3339 instant.
fn instant(name: &str, value: Option<String>, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    if let Ok(at) = DateTime::parse_from_rfc3339(value.trim()) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::bad_request(
            "invalid_parameter",
            format!("{name} must be a date such as 2026-12-01 or an RFC 3339 instant"),
        )
    })?;
    let start = day.and_time(NaiveTime::MIN).and_utc();
    Ok(Some(if end_of_day { start + TimeDelta::days(1) } else { start }))
}

fn payment_id(raw: &str) -> Result<PaymentId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("payment_not_found", "no payment has this id"))
}

/// A text cell a spreadsheet will not run as a formula.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}

fn csv_bytes(rows: &[[String; 12]], header: bool) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if header {
        writer.write_record(CSV_HEADER)?;
    }
    for row in rows {
        writer.write_record(row.iter().map(|v| cell(v)))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Streams every matching payment as CSV, a page at a time.
fn export(track: TrackPayments, merchant: MerchantId, mut filter: PaymentFilter, now: DateTime<Utc>) -> Body {
    // Payments made during the export would shift its pages: stop at its start.
    filter.until = Some(filter.until.map_or(now, |u| u.min(now)));
    let pages = futures_util::stream::unfold(Some(0_u64), move |offset| {
        let (track, filter) = (track.clone(), filter.clone());
        async move {
            let offset = offset?;
            let page = PageRequest { offset, limit: EXPORT_PAGE };
            let result = track.list(merchant, &filter, page).await;
            let (chunk, next) = match result {
                Ok(p) => {
                    let rows: Vec<_> = p.items.iter().map(csv_row).collect();
                    let more = rows.len() as u64 == EXPORT_PAGE;
                    let bytes = csv_bytes(&rows, offset == 0).map_err(std::io::Error::other);
                    (bytes, more.then_some(offset + EXPORT_PAGE))
                }
                Err(e) => {
                    tracing::error!(error = %e, "a payment export stopped");
                    (Err(std::io::Error::other("the export failed")), None)
                }
            };
            Some((chunk, next))
        }
    });
    Body::from_bytes_stream(pages)
}

#[OpenApi(prefix_path = "/")]
impl PaymentsApi {
    /// Payments, newest first: filter by customer, status, method and date
    /// range; page with `offset`/`limit`; `format=csv` exports every match.
    #[oai(path = "/payments", method = "get", operation_id = "list_payments")]
    #[expect(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        auth: StaffAuth,
        /// Only this customer's.
        customer_id: Query<Option<String>>,
        /// Only in this status.
        status: Query<Option<PaymentStatusDto>>,
        /// Only `card` or only `ach`.
        method: Query<Option<MethodKindDto>>,
        /// Made on or after (a date, or an RFC 3339 instant).
        from: Query<Option<String>>,
        /// Made on or before this date (or before this instant).
        until: Query<Option<String>>,
        /// Items to skip (default 0).
        offset: Query<Option<u64>>,
        /// Items to return, 1–500 (default 50).
        limit: Query<Option<u64>>,
        /// `json` (default) or `csv`.
        format: Query<Option<FormatDto>>,
    ) -> Result<PaymentListResponse, ApiError> {
        let merchant = auth.require(Permission::ViewPayments)?.merchant_id;
        let customer = customer_id
            .0
            .map(|c| c.parse::<CustomerId>())
            .transpose()
            .map_err(|_| ApiError::bad_request("invalid_parameter", "customer_id must be a UUID"))?;
        let filter = PaymentFilter {
            customer,
            status: status.0.map(PaymentStatusDto::into_status),
            method: method.0.map(MethodKindDto::into_kind),
            from: instant("from", from.0, false)?,
            until: instant("until", until.0, true)?,
        };
        let track = &self.services.payments.track;
        if format.0 == Some(FormatDto::Csv) {
            // Checks the filters once before the stream starts.
            track.list(merchant, &filter, PageRequest { offset: 0, limit: 1 }).await.map_err(track_error)?;
            return Ok(PaymentListResponse::Ok(PaymentListContent::Csv(Binary(export(
                track.clone(),
                merchant,
                filter,
                self.services.clock.now(),
            )))));
        }
        let page = PageRequest { offset: offset.0.unwrap_or(0), limit: limit.0.unwrap_or(50) };
        let found = track.list(merchant, &filter, page).await.map_err(track_error)?;
        Ok(PaymentListResponse::Ok(PaymentListContent::Json(Json(PaymentPageDto {
            items: found.items.iter().map(PaymentDto::from).collect(),
            total: found.total,
            offset: page.offset,
            limit: page.limit,
        }))))
    }

    /// One payment with its invoices and its audit trail (who did what, when).
    #[oai(path = "/payments/:id", method = "get", operation_id = "get_payment")]
    async fn get(&self, auth: StaffAuth, id: Path<String>) -> Result<Json<PaymentDetailDto>, ApiError> {
        let merchant = auth.require(Permission::ViewPayments)?.merchant_id;
        let detail = self.services.payments.track.get(merchant, payment_id(&id.0)?).await.map_err(track_error)?;
        Ok(Json(PaymentDetailDto::from(&detail)))
    }

    /// Refunds a payment, in full or in part; its invoices owe again (the
    /// last paid first).
    #[oai(path = "/payments/:id/refund", method = "post", operation_id = "refund_payment")]
    async fn refund(
        &self,
        auth: StaffAuth,
        id: Path<String>,
        body: Json<RefundBody>,
    ) -> Result<Json<PaymentDto>, ApiError> {
        let principal = auth.require(Permission::RefundPayments)?;
        let (merchant, actor) = (principal.merchant_id, Actor::Staff(principal.staff_user_id));
        let id = payment_id(&id.0)?;
        let amount = match body.0.amount {
            None => None,
            Some(text) => {
                // The payment's currency decides the decimal places.
                let payment = self.services.payments.track.get(merchant, id).await.map_err(track_error)?.payment;
                let money = Money::parse(&text, payment.amount.currency())
                    .map_err(|e| ApiError::unprocessable("invalid_amount", format!("amount: {e}")))?;
                Some(money)
            }
        };
        let payment = self.services.payments.refund.execute(merchant, actor, id, amount).await.map_err(refund_error)?;
        Ok(Json(PaymentDto::from(&payment)))
    }
}
