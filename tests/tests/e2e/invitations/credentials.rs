//! Credentials mode: the username from the customer number and the password
//! from the phone; contacts lacking either are skipped, an invited one signs
//! in with what the email says and chooses a new password.

use std::collections::BTreeMap;

use portico_domain::{ContactEmail, PhoneNumber};
use portico_testkit::smtp::SmtpServer;
use portico_tests::SAMPLE_CUSTOMERS;
use serde_json::json;

use crate::support::expected::{PrimaryRow, primary_rows, skipped_of};
use crate::support::scenario::{customer_id, deliverable, nth_email, nth_reachable, with_sample};
use portico_tests::eventually;
use portico_tests::mail::{field_of, recipient_of, token_of};

/// Why a reachable contact would be skipped with these patterns, if it would.
fn reason(row: &PrimaryRow) -> Option<&'static str> {
    if row.customer_number.is_empty() {
        Some("missing_customer_number")
    } else if PhoneNumber::parse(&row.phone).is_err() {
        Some("missing_phone")
    } else {
        None
    }
}

#[tokio::test]
async fn credentials_from_customer_number_and_phone_skip_contacts_without_them_and_sign_in_works() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let reachable: Vec<PrimaryRow> = primary_rows(SAMPLE_CUSTOMERS, &report).into_iter().filter(deliverable).collect();
    // A few of each kind, so every reason is exercised without hashing hundreds of passwords.
    let mut chosen: Vec<&PrimaryRow> = Vec::new();
    for kind in [Some("missing_customer_number"), Some("missing_phone"), None] {
        let of_kind: Vec<&PrimaryRow> = reachable.iter().filter(|row| reason(row) == kind).take(3).collect();
        assert!(!of_kind.is_empty(), "the sample data has no contact of kind {kind:?}");
        chosen.extend(of_kind);
    }
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for row in chosen.iter().filter_map(|row| reason(row)) {
        *want.entry(row.to_owned()).or_default() += 1;
    }
    let eligible = chosen.iter().filter(|row| reason(row).is_none()).count();
    let mut ids = Vec::new();
    for row in &chosen {
        ids.push(customer_id(&app, &row.erp_id).await);
    }

    let batch = app
        .invite_and_wait(&json!({
            "customer_ids": ids, "mode": "credentials",
            "username_from": "customer_number", "password_from": "phone",
        }))
        .await;

    assert_eq!(batch["invited"].as_u64(), Some(eligible as u64), "{batch}");
    assert_eq!(skipped_of(&batch), want, "{batch}");
    let received = eventually("the credentials emails arrive", || async {
        let received = smtp.received();
        if received.len() >= eligible { Ok(received) } else { Err(format!("{} received", received.len())) }
    })
    .await;
    assert_eq!(received.len(), eligible);
    let email = &received[0];
    let row = chosen
        .iter()
        .find(|row| {
            ContactEmail::from_raw(&row.email).valid().map(|e| e.as_str().to_owned()) == Some(recipient_of(email))
        })
        .expect("the email went to a chosen contact");
    let username = field_of(email, "Username:").expect("the email gives a username");
    let password = field_of(email, "Password:").expect("the email gives a password");
    assert!(
        username.eq_ignore_ascii_case(&row.customer_number),
        "{username} is the customer number {}",
        row.customer_number
    );
    let phone = PhoneNumber::parse(&row.phone).expect("an invited contact has a phone");
    assert_eq!(password, phone.digits(), "the password is the phone's digits");
    let invitation = app.invitation_to(&recipient_of(email)).await;
    assert_eq!(invitation["mode"], "credentials");
    assert_eq!(invitation["username"].as_str(), Some(username.as_str()));
    let token = token_of(email);
    let page = app.open_link(&token).await;
    let form = page.form("/accept").expect("an accept form");
    assert!(form.fields.iter().any(|f| f == "new_password"), "{}", page.html);

    let wrong = app
        .submit(
            &token,
            "/accept",
            &[("username", &username), ("password", "not-the-password"), ("new_password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.html);
    let accepted = app
        .submit(
            &token,
            "/accept",
            &[("username", &username), ("password", &password), ("new_password", "a brand new passphrase")],
        )
        .await;

    assert_eq!(accepted.status, 200, "{}", accepted.html);
    let id = invitation["id"].as_str().expect("an id");
    assert_eq!(app.status_of(id).await, "accepted");
    assert!(app.has_login(invitation["customer_id"].as_str().expect("an id")).await);
    app.stop().await;
}

#[tokio::test]
async fn sign_in_attempts_on_a_credentials_link_are_rate_limited() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let customer = customer_id(&app, &nth_reachable(&report, 0)).await;
    let batch = app.invite_customer(&customer, &json!({ "mode": "credentials" })).await;
    assert_eq!(batch["invited"], 1, "{batch}");
    let email = nth_email(&smtp, 1).await;
    let (token, username) = (token_of(&email), field_of(&email, "Username:").expect("a username"));
    let password = field_of(&email, "Password:").expect("a password");
    let new_password = "a brand new passphrase";

    let mut statuses = Vec::new();
    for _ in 0..5 {
        let wrong = [("username", username.as_str()), ("password", "wrong guess"), ("new_password", new_password)];
        statuses.push(app.submit(&token, "/accept", &wrong).await.status);
    }
    let right = [("username", username.as_str()), ("password", password.as_str()), ("new_password", new_password)];
    let blocked = app.submit(&token, "/accept", &right).await;

    assert_eq!(statuses, [401; 5]);
    assert_eq!(blocked.status, 429, "{}", blocked.html);
    let id = app.invitation_to(&recipient_of(&email)).await["id"].as_str().expect("an id").to_owned();
    assert_eq!(app.status_of(&id).await, "pending");
    assert!(!app.has_login(&customer).await);
    app.stop().await;
}
