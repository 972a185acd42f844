//! Expiry by the clock, and a resend: the old link says it was replaced, the
//! new one works.

use chrono::TimeDelta;
use portico_testkit::smtp::SmtpServer;

use crate::support::scenario::{invite_one, nth_email, with_sample};
use portico_tests::mail::{recipient_of, token_of};

#[tokio::test]
async fn an_expired_link_says_so_and_after_a_resend_the_old_link_is_replaced_and_the_new_one_works() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 4).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();
    let lifetime = app.get_settings().await.json()["invitation_lifetime_days"].as_i64().expect("a lifetime in days");

    app.clock.advance(TimeDelta::days(lifetime) + TimeDelta::minutes(1));

    let expired = app.open_link(&invited.token).await;
    assert_eq!(expired.status, 410, "{}", expired.html);
    assert!(expired.html.contains("expired"), "{}", expired.html);
    assert!(expired.form("/new-link").is_some(), "the page offers a new link: {}", expired.html);
    assert_eq!(app.status_of(&id).await, "expired");
    let refused = app.accept_with_password_on(&expired, &invited.token).await;
    assert_eq!(refused, 410, "an expired link cannot be accepted");
    assert_eq!(app.status_of(&id).await, "expired");

    let sent = smtp.count();
    let resent = app.resend(&id).await;

    assert_eq!(resent.status, 200, "{}", resent.text());
    let email = nth_email(&smtp, sent + 1).await;
    assert_eq!(recipient_of(&email), invited.recipient);
    let fresh = token_of(&email);
    assert_ne!(fresh, invited.token);
    assert_eq!(app.status_of(&id).await, "pending");
    let replaced = app.open_link(&invited.token).await;
    assert_eq!(replaced.status, 410, "{}", replaced.html);
    assert!(replaced.html.contains("replaced"), "{}", replaced.html);

    let accepted = app.accept_with_password(&fresh, "correct horse battery").await;

    assert_eq!(accepted.status, 200, "{}", accepted.html);
    assert_eq!(app.status_of(&id).await, "accepted");
    assert!(app.has_login(&invited.customer_id).await);
    assert_eq!(smtp.count(), sent + 1, "one email per send");
    app.stop().await;
}
