//! Opening, accepting and declining an invitation from its page, and what a
//! later invite then skips.

use portico_testkit::smtp::SmtpServer;
use serde_json::json;

use crate::support::expected::skipped_of;
use crate::support::scenario::{invite_one, with_sample};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn opening_a_link_changes_nothing_and_accepting_it_creates_the_login() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 0).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();

    let page = app.open_link(&invited.token).await;
    let again = app.open_link(&invited.token).await;

    assert_eq!((page.status, again.status), (200, 200), "{}", page.html);
    assert!(page.html.contains(&invited.recipient), "the page names the sign-in: {}", page.html);
    assert_eq!(app.status_of(&id).await, "pending");
    assert!(!app.has_login(&invited.customer_id).await);

    let accepted = app.accept_with_password(&invited.token, PASSWORD).await;

    assert_eq!(accepted.status, 200, "{}", accepted.html);
    assert!(accepted.html.contains("Welcome"), "{}", accepted.html);
    assert_eq!(app.status_of(&id).await, "accepted");
    assert!(app.has_login(&invited.customer_id).await);
    let used = app.open_link(&invited.token).await;
    assert_eq!(used.status, 410, "a used link is gone: {}", used.html);
    assert!(used.html.contains("already accepted"), "{}", used.html);
    let events = app.invitation_events(&id).await.json();
    let trail: Vec<(&str, &str)> = events
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["kind"].as_str()?, e["actor"].as_str()?)))
        .collect();
    assert_eq!(trail, [("issued", "staff"), ("accepted", "contact")], "{events}");

    let sent = smtp.count();
    let again = app.invite_customer(&invited.customer_id, &json!({})).await;

    assert_eq!(again["invited"], 0, "{again}");
    assert_eq!(skipped_of(&again).get("has_login"), Some(&1), "{again}");
    assert_eq!(smtp.count(), sent);
    app.stop().await;
}

#[tokio::test]
async fn declining_from_the_page_is_respected_by_later_invites_unless_overridden() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 1).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();

    let declined = app.submit(&invited.token, "/decline", &[]).await;

    assert_eq!(declined.status, 200, "{}", declined.html);
    assert!(declined.html.contains("declined"), "{}", declined.html);
    assert_eq!(app.status_of(&id).await, "declined");
    assert!(!app.has_login(&invited.customer_id).await);
    let gone = app.open_link(&invited.token).await;
    assert_eq!(gone.status, 410, "{}", gone.html);

    let again = app.invite_customer(&invited.customer_id, &json!({})).await;

    assert_eq!(again["invited"], 0, "{again}");
    assert_eq!(skipped_of(&again).get("declined"), Some(&1), "{again}");

    let overridden = app.invite_customer(&invited.customer_id, &json!({ "override_declined": true })).await;

    assert_eq!(overridden["invited"], 1, "an explicit override invites again: {overridden}");
    app.stop().await;
}

#[tokio::test]
async fn a_double_submitted_accept_creates_one_login_and_the_weak_or_mismatched_password_none() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 11).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();
    let page = app.open_link(&invited.token).await;
    let form = page.form("/accept").expect("an accept form");
    let cookie = page.csrf_cookie.clone().expect("a CSRF cookie");

    let weak = app.post_form(&form, Some(&cookie), &[("password", "short"), ("password_confirm", "short")]).await;
    let differ = app
        .post_form(&form, Some(&cookie), &[("password", PASSWORD), ("password_confirm", "another one entirely")])
        .await;

    assert_eq!((weak.status, differ.status), (422, 422), "{} / {}", weak.html, differ.html);
    assert_eq!(app.status_of(&id).await, "pending");
    let fields = [("password", PASSWORD), ("password_confirm", PASSWORD)];

    let (one, two) =
        tokio::join!(app.post_form(&form, Some(&cookie), &fields), app.post_form(&form, Some(&cookie), &fields));

    let mut statuses = [one.status, two.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 410], "one accept wins, the other finds the link used: {} / {}", one.html, two.html);
    assert_eq!(app.status_of(&id).await, "accepted");
    assert!(app.has_login(&invited.customer_id).await);
    let events = app.invitation_events(&id).await.json();
    assert_eq!(events.as_array().map(Vec::len), Some(2), "issued and accepted once: {events}");
    app.stop().await;
}
