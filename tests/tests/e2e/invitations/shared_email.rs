//! One person at several customers: an accounts-payable mailbox that is the
//! primary contact of several customers gets one login, linked to each
//! customer by signing in from each invitation; credentials by email give
//! that username once.

use portico_testkit::smtp::SmtpServer;
use portico_tests::SAMPLE_CUSTOMERS;
use serde_json::json;

use crate::support::expected::{primary_rows, skipped_of};
use crate::support::scenario::{customer_id, with_sample};
use portico_tests::mail::{recipient_of, tokens_in};
use portico_tests::{TestApp, eventually};

const PASSWORD: &str = "correct horse battery staple";

/// The ids of the customers whose primary contact's email is `email`.
async fn customers_of(app: &TestApp, report: &serde_json::Value, email: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for row in primary_rows(SAMPLE_CUSTOMERS, report).iter().filter(|row| row.email.trim() == email) {
        ids.push(customer_id(app, &row.erp_id).await);
    }
    ids
}

#[tokio::test]
async fn a_mailbox_serving_several_customers_gets_one_login_linked_to_each_by_signing_in() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let mailbox = "accounts-payable@example.com";
    let customers = customers_of(&app, &report, mailbox).await;
    assert!(customers.len() >= 2, "the sample has a shared mailbox: {customers:?}");

    let batch = app.invite_and_wait(&json!({ "customer_ids": customers })).await;

    assert_eq!(batch["invited"].as_u64(), Some(customers.len() as u64), "{batch}");
    let received = eventually("one email per customer", || async {
        let received = smtp.received();
        if received.len() >= customers.len() { Ok(received) } else { Err(format!("{} received", received.len())) }
    })
    .await;
    assert!(received.iter().all(|m| recipient_of(m) == mailbox));
    let tokens: Vec<String> = received.iter().flat_map(tokens_in).collect();
    assert_eq!(tokens.len(), customers.len());

    let first = app.accept_with_password(&tokens[0], PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.html);
    let page = app.open_link(&tokens[1]).await;
    let form = page.form("/accept").expect("an accept form");
    assert!(form.fields.iter().any(|f| f == "existing_password"), "sign in to link: {}", page.html);
    assert!(!form.fields.iter().any(|f| f == "password_confirm"), "no second login is offered: {}", page.html);
    let wrong = app.submit(&tokens[1], "/accept", &[("existing_password", "not the password")]).await;
    assert_eq!(wrong.status, 401, "{}", wrong.html);
    let linked = app.submit(&tokens[1], "/accept", &[("existing_password", PASSWORD)]).await;

    assert_eq!(linked.status, 200, "{}", linked.html);
    let accepted = app.invitations(Some("accepted")).await;
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    let mut with_login = Vec::new();
    for customer in &customers {
        with_login.push(app.has_login(customer).await);
    }
    assert_eq!(with_login.iter().filter(|l| **l).count(), 2, "{with_login:?}");
    app.stop().await;
}

#[tokio::test]
async fn credentials_by_email_give_a_shared_address_its_username_once() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let customers = customers_of(&app, &report, "wei.vanderberg@example.com").await;
    assert_eq!(customers.len(), 2, "the sample has two customers of one person");

    let batch = app.invite_and_wait(&json!({ "customer_ids": customers, "mode": "credentials" })).await;

    assert_eq!(batch["invited"], 1, "{batch}");
    assert_eq!(skipped_of(&batch).get("username_taken"), Some(&1), "{batch}");
    app.stop().await;
}
