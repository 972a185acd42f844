//! Shared arrangements: the sample data imported, one customer invited and
//! its email caught.

use portico_domain::ContactEmail;
use portico_testkit::smtp::{Captured, SmtpServer};
use portico_tests::SAMPLE_CUSTOMERS;
use serde_json::Value;

use super::expected::{PrimaryRow, primary_rows};
use portico_tests::mail::{link_of, recipient_of, token_of};
use portico_tests::{TestApp, eventually, spawn_app};

/// One invited contact and the link it was emailed.
#[derive(Debug)]
pub struct Invited {
    /// The invitation as the API lists it.
    pub invitation: Value,
    /// The customer's id.
    pub customer_id: String,
    /// Where the email went.
    pub recipient: String,
    /// The link's token.
    pub token: String,
    /// The link as the email gives it.
    pub link: String,
}

/// A server on the SMTP server with the sample customers imported.
pub async fn with_sample(smtp: &SmtpServer) -> (TestApp, Value) {
    let app = spawn_app().smtp(smtp).await;
    let report = app.import_customers(&app.admin_key, SAMPLE_CUSTOMERS).await.expect_status(200);
    (app, report)
}

/// The id of the customer with this ERP id.
pub async fn customer_id(app: &TestApp, erp_id: &str) -> String {
    let answer = app.list_customers("limit=500").await;
    let rows = answer.json()["items"].as_array().cloned().unwrap_or_default();
    let row = rows.iter().find(|r| r["erp_id"] == erp_id).unwrap_or_else(|| panic!("no customer {erp_id}"));
    row["id"].as_str().expect("an id").to_owned()
}

/// Whether a row's email is valid and deliverable through the test server
/// (ASCII: it does not offer SMTPUTF8).
pub fn deliverable(row: &PrimaryRow) -> bool {
    ContactEmail::from_raw(&row.email).valid().is_some_and(|email| email.as_str().is_ascii())
}

/// The ERP id of the `nth` customer whose primary contact has a deliverable email.
pub fn nth_reachable(report: &Value, nth: usize) -> String {
    primary_rows(SAMPLE_CUSTOMERS, report)
        .into_iter()
        .filter(deliverable)
        .nth(nth)
        .expect("enough customers with an email")
        .erp_id
}

/// Waits until `smtp` holds `count` messages and returns the last.
pub async fn nth_email(smtp: &SmtpServer, count: usize) -> Captured {
    eventually("the email arrives", || async {
        let received = smtp.received();
        if received.len() >= count { Ok(received[count - 1].clone()) } else { Err(format!("{received:?}")) }
    })
    .await
}

/// Invites the `nth` reachable customer in link mode and catches its email.
pub async fn invite_one(app: &TestApp, smtp: &SmtpServer, report: &Value, nth: usize) -> Invited {
    let customer_id = customer_id(app, &nth_reachable(report, nth)).await;
    let before = smtp.count();
    let batch = app.invite_customer(&customer_id, &serde_json::json!({})).await;
    assert_eq!(batch["invited"], 1, "{batch}");
    let email = nth_email(smtp, before + 1).await;
    let recipient = recipient_of(&email);
    let invitation = app.invitation_to(&recipient).await;
    assert_eq!(invitation["customer_id"], customer_id.as_str());
    Invited { invitation, customer_id, recipient, token: token_of(&email), link: link_of(&email) }
}
