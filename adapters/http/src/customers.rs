//! The customer directory: CSV imports, the JSON upsert, the list and one customer.

use std::sync::Arc;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use portico_app::use_cases::csv_table::ImportReport;
use portico_app::use_cases::get_customer::GetCustomerError;
use portico_app::use_cases::import_customers::ImportCustomersError;
use portico_app::use_cases::import_invoices::ImportInvoicesError;
use portico_app::use_cases::list_customers::{ListCustomersError, ListCustomersQuery};
use portico_app::use_cases::upsert_customer::{ContactInput, CustomerInput, UpsertCustomerError};
use portico_app::{CustomerSort, UpsertOutcome};
use portico_domain::{CustomerId, Permission};

use crate::auth::StaffAuth;
use crate::dto::{
    BadgeDto, CustomerBody, CustomerDetailDto, CustomerPageDto, ImportReportDto, SortDto, UpsertResultDto,
};
use crate::error::ApiError;
use crate::payload::CsvBody;
use crate::services::ApiServices;

/// Customers, contacts and invoices.
#[derive(Debug)]
pub struct CustomersApi {
    /// The use cases.
    pub services: Arc<ApiServices>,
}

/// The answer to an upsert.
#[derive(Debug, ApiResponse)]
pub enum UpsertResponse {
    /// A new customer.
    #[oai(status = 201)]
    Created(Json<UpsertResultDto>),
    /// An existing customer, updated or unchanged.
    #[oai(status = 200)]
    Saved(Json<UpsertResultDto>),
}

#[OpenApi(prefix_path = "/")]
impl CustomersApi {
    /// Imports customers and contacts from the ERP's CSV export (one row per contact).
    #[oai(path = "/imports/customers", method = "post", operation_id = "import_customers")]
    async fn import_customers(&self, auth: StaffAuth, body: CsvBody) -> Result<Json<ImportReportDto>, ApiError> {
        let merchant = auth.require(Permission::ManageSettings)?.merchant_id;
        let report =
            self.services.import_customers.execute(merchant, body.0.as_slice()).await.map_err(|e| match e {
                ImportCustomersError::Header(h) => ApiError::unprocessable("malformed_csv", h.to_string()),
                ImportCustomersError::Unexpected(e) => ApiError::unexpected("importing customers", &*e),
            })?;
        Ok(Json(report_dto(report)))
    }

    /// Imports invoices from the ERP's CSV export; rows of unknown customers are refused.
    #[oai(path = "/imports/invoices", method = "post", operation_id = "import_invoices")]
    async fn import_invoices(&self, auth: StaffAuth, body: CsvBody) -> Result<Json<ImportReportDto>, ApiError> {
        let merchant = auth.require(Permission::ManageSettings)?.merchant_id;
        let report = self.services.import_invoices.execute(merchant, body.0.as_slice()).await.map_err(|e| match e {
            ImportInvoicesError::Header(h) => ApiError::unprocessable("malformed_csv", h.to_string()),
            ImportInvoicesError::Unexpected(e) => ApiError::unexpected("importing invoices", &*e),
        })?;
        Ok(Json(report_dto(report)))
    }

    /// Creates or updates one customer by its ERP id; contacts are upserted by email.
    #[oai(path = "/customers/by-erp-id/:erp_id", method = "put", operation_id = "upsert_customer")]
    async fn upsert_customer(
        &self,
        auth: StaffAuth,
        erp_id: Path<String>,
        body: Json<CustomerBody>,
    ) -> Result<UpsertResponse, ApiError> {
        let merchant = auth.require(Permission::ManageSettings)?.merchant_id;
        let body = body.0;
        let input = CustomerInput {
            erp_id: erp_id.0,
            customer_number: body.customer_number,
            name: body.name,
            currency: body.currency,
            collection_priority: body.collection_priority,
            contacts: body
                .contacts
                .into_iter()
                .map(|c| ContactInput {
                    first_name: c.first_name,
                    last_name: c.last_name,
                    email: c.email,
                    phone: c.phone,
                    primary: c.primary,
                })
                .collect(),
        };
        let outcome = self.services.upsert_customer.execute(merchant, &input).await.map_err(|e| match e {
            UpsertCustomerError::Invalid(field) => ApiError::unprocessable("validation_failed", field.to_string()),
            UpsertCustomerError::Unexpected(e) => ApiError::unexpected("upserting a customer", &*e),
        })?;
        let result = UpsertResultDto { outcome: outcome_name(outcome).to_owned() };
        Ok(match outcome {
            UpsertOutcome::Created => UpsertResponse::Created(Json(result)),
            UpsertOutcome::Updated | UpsertOutcome::Unchanged => UpsertResponse::Saved(Json(result)),
        })
    }

    /// A page of customers with their balance, login and invitation badge.
    #[oai(path = "/customers", method = "get", operation_id = "list_customers")]
    #[expect(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list_customers(
        &self,
        auth: StaffAuth,
        /// `name` (A–Z, default), `balance` (largest first) or `priority` (high first).
        sort: Query<Option<SortDto>>,
        /// Only customers with (`true`) or without (`false`) a portal login.
        has_login: Query<Option<bool>>,
        /// Only this invitation badge (`none` for customers never invited).
        invitation_status: Query<Option<BadgeDto>>,
        /// Only invitations pending for more than this many days.
        pending_for_more_than_days: Query<Option<u32>>,
        /// Items to skip (default 0).
        offset: Query<Option<u64>>,
        /// Items to return, 1–500 (default 50).
        limit: Query<Option<u64>>,
    ) -> Result<Json<CustomerPageDto>, ApiError> {
        let merchant = auth.require(Permission::ViewCustomers)?.merchant_id;
        let query = ListCustomersQuery {
            sort: sort.0.map_or(CustomerSort::Name, SortDto::into_sort),
            has_login: has_login.0,
            invitation_status: invitation_status.0.map(BadgeDto::into_status),
            pending_for_more_than_days: pending_for_more_than_days.0,
            offset: offset.0.unwrap_or(0),
            limit: limit.0.unwrap_or(50),
        };
        let page = self.services.list_customers.execute(merchant, &query).await.map_err(|e| match e {
            e @ (ListCustomersError::InvalidLimit { .. } | ListCustomersError::InvalidDays) => {
                ApiError::bad_request("invalid_parameter", e.to_string())
            }
            ListCustomersError::Unexpected(e) => ApiError::unexpected("listing customers", &*e),
        })?;
        Ok(Json(CustomerPageDto::from_page(page, query.offset, query.limit)))
    }

    /// One customer with its contacts.
    #[oai(path = "/customers/:id", method = "get", operation_id = "get_customer")]
    async fn get_customer(&self, auth: StaffAuth, id: Path<String>) -> Result<Json<CustomerDetailDto>, ApiError> {
        let merchant = auth.require(Permission::ViewCustomers)?.merchant_id;
        let not_found = || ApiError::not_found("customer_not_found", "no customer has this id");
        let id: CustomerId = id.0.parse().map_err(|_| not_found())?;
        let detail = self.services.get_customer.execute(merchant, id).await.map_err(|e| match e {
            GetCustomerError::NotFound => not_found(),
            GetCustomerError::Unexpected(e) => ApiError::unexpected("loading a customer", &*e),
        })?;
        Ok(Json(CustomerDetailDto::from(detail)))
    }
}

fn report_dto(report: ImportReport) -> ImportReportDto {
    ImportReportDto {
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        rejected: report
            .rejected
            .into_iter()
            .map(|r| crate::dto::RejectedRowDto { line: r.line, reason: r.reason })
            .collect(),
        warnings: report
            .warnings
            .into_iter()
            .map(|w| crate::dto::RowWarningDto { line: w.line, message: w.message })
            .collect(),
    }
}

const fn outcome_name(outcome: UpsertOutcome) -> &'static str {
    match outcome {
        UpsertOutcome::Created => "created",
        UpsertOutcome::Updated => "updated",
        UpsertOutcome::Unchanged => "unchanged",
    }
}
