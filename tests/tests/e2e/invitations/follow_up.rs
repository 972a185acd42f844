//! Following up on invitations: a new link from the expired-link page (to
//! the email on file only), resends (rate-limited, idempotent), revoke,
//! "resend all expired", and nothing at all while the portal is disabled.

use chrono::TimeDelta;
use portico_testkit::smtp::SmtpServer;
use serde_json::json;

use crate::support::scenario::{customer_id, invite_one, nth_email, nth_reachable, with_sample};
use portico_tests::Form;
use portico_tests::link;
use portico_tests::mail::{recipient_of, token_of};

/// Past any invitation lifetime the settings allow by default.
const PAST_EXPIRY: TimeDelta = TimeDelta::days(366);

#[tokio::test]
async fn a_new_link_asked_for_on_the_expired_page_goes_to_the_email_on_file_never_the_typed_one() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let customer = customer_id(&app, &nth_reachable(&report, 5)).await;
    let tester = "tester@portico.example";
    let batch = app.invite_customer(&customer, &json!({ "recipient": tester })).await;
    assert_eq!(batch["invited"], 1, "{batch}");
    let first = nth_email(&smtp, 1).await;
    assert_eq!(recipient_of(&first), tester);
    let old = token_of(&first);
    let id = app.invitation_to(tester).await["id"].as_str().expect("an id").to_owned();
    app.clock.advance(PAST_EXPIRY);

    let asked = app.submit(&old, "/new-link", &[]).await;

    assert_eq!(asked.status, 200, "{}", asked.html);
    assert!(asked.html.contains("Check your inbox"), "{}", asked.html);
    // An unknown link gets the same answer: the page reveals nothing.
    let unknown = app.open_link(&"0".repeat(64)).await;
    assert_eq!(unknown.status, 404, "{}", unknown.html);
    let form = Form {
        action: format!("{}/new-link", link(&"0".repeat(64))),
        hidden: vec![("csrf".to_owned(), unknown.csrf_cookie.clone().expect("a CSRF cookie"))],
        fields: Vec::new(),
    };
    let same = app.post_form(&form, unknown.csrf_cookie.as_deref(), &[]).await;
    assert_eq!((same.status, same.html.as_str()), (asked.status, asked.html.as_str()));
    let second = nth_email(&smtp, 2).await;
    let on_file = recipient_of(&second);
    assert_ne!(on_file, tester, "the new link went to the typed address");
    let detail = app.get_customer(&customer).await.json();
    let emails: Vec<&str> =
        detail["contacts"].as_array().into_iter().flatten().filter_map(|c| c["email"].as_str()).collect();
    assert!(emails.contains(&on_file.as_str()), "{on_file} is not on file: {detail}");
    assert_eq!(app.status_of(&id).await, "pending");
    assert_eq!(app.open_link(&old).await.status, 410, "the old link is replaced");
    let accepted = app.accept_with_password(&token_of(&second), "correct horse battery").await;
    assert_eq!(accepted.status, 200, "{}", accepted.html);
    assert_eq!(app.status_of(&id).await, "accepted");
    assert_eq!(smtp.count(), 2);
    app.stop().await;
}

#[tokio::test]
async fn resends_are_rate_limited_per_contact_and_a_retried_resend_with_its_key_sends_once() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 6).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();
    let path = format!("/api/v1/invitations/{id}/resend");

    let too_soon = app.resend(&id).await;

    assert_eq!(too_soon.status, 429, "{}", too_soon.text());
    assert_eq!(too_soon.code(), "resend_too_soon");
    app.clock.advance(TimeDelta::minutes(6));
    let key = [("idempotency-key", "resend-6f1c")];
    let first = app.admin_with("POST", &path, None, &key).await;
    let retry = app.admin_with("POST", &path, None, &key).await;

    assert_eq!((first.status, retry.status), (200, 200), "{} / {}", first.text(), retry.text());
    assert_eq!(first.json(), retry.json(), "the retry replays the first answer");
    let second = nth_email(&smtp, 2).await;
    assert_eq!(recipient_of(&second), invited.recipient);
    let listed = app.invitations(None).await;
    let now = listed.iter().find(|i| i["id"] == id.as_str()).expect("listed");
    assert_eq!(now["send_count"], 2, "one resend for two calls with one key: {now}");
    assert_eq!(app.open_link(&invited.token).await.status, 410);
    assert_eq!(app.open_link(&token_of(&second)).await.status, 200);
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_link_says_it_was_withdrawn_and_cannot_be_accepted_or_resent() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 7).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();
    let page = app.open_link(&invited.token).await;

    let revoked = app.revoke(&id).await;

    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(app.status_of(&id).await, "revoked");
    let gone = app.open_link(&invited.token).await;
    assert_eq!(gone.status, 410, "{}", gone.html);
    assert!(gone.html.contains("withdrew"), "{}", gone.html);
    let form = page.form("/accept").expect("the page opened before the revoke");
    let password = "correct horse battery";
    let late = app
        .post_form(&form, page.csrf_cookie.as_deref(), &[("password", password), ("password_confirm", password)])
        .await;
    assert_eq!(late.status, 410, "{}", late.html);
    assert!(!app.has_login(&invited.customer_id).await);
    app.clock.advance(TimeDelta::minutes(6));
    assert_eq!(app.resend(&id).await.status, 409);
    assert_eq!(smtp.count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn resend_expired_renews_every_expired_invitation_once() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let first = invite_one(&app, &smtp, &report, 8).await;
    let second = invite_one(&app, &smtp, &report, 9).await;
    app.clock.advance(PAST_EXPIRY);
    assert_eq!(app.invitations(Some("expired")).await.len(), 2);

    let resent = app.resend_expired().await;

    assert_eq!(resent.status, 200, "{}", resent.text());
    assert_eq!(resent.json()["resent"], 2, "{}", resent.text());
    nth_email(&smtp, 4).await;
    let renewed: Vec<String> = smtp.received()[2..].iter().map(recipient_of).collect();
    assert!(renewed.contains(&first.recipient) && renewed.contains(&second.recipient), "{renewed:?}");
    assert_eq!(app.invitations(Some("pending")).await.len(), 2);
    assert!(app.invitations(Some("expired")).await.is_empty());
    let again = app.resend_expired().await;
    assert_eq!(again.json()["resent"], 0, "nothing is expired any more: {}", again.text());
    app.stop().await;
}

#[tokio::test]
async fn while_the_portal_is_disabled_nothing_is_sent_and_links_do_not_act() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 10).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();
    app.set_portal_enabled(false).await;

    let refused = app.admin("POST", "/api/v1/invitations", Some(&json!({ "all": true }))).await;
    let page = app.open_link(&invited.token).await;

    assert_eq!(refused.status, 409, "{}", refused.text());
    assert_eq!(refused.code(), "portal_disabled");
    assert_eq!(page.status, 503, "{}", page.html);
    app.clock.advance(TimeDelta::minutes(6));
    assert_eq!(app.resend(&id).await.code(), "portal_disabled");
    assert_eq!(app.status_of(&id).await, "pending");
    assert_eq!(smtp.count(), 1, "nothing was sent");
    app.set_portal_enabled(true).await;
    assert_eq!(app.open_link(&invited.token).await.status, 200);
    app.stop().await;
}
