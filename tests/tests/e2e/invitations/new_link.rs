//! Asking for a new link from a broken-link page: only the newest link may
//! ask, and each client gets a small budget of asks.

use chrono::TimeDelta;
use portico_testkit::smtp::SmtpServer;
use portico_tests::form::Form;
use portico_tests::portal::link;
use serde_json::Value;

use crate::support::scenario::{invite_one, nth_email, with_sample};

/// A `new-link` form for any token, with the CSRF value of a page opened.
async fn new_link_form(app: &portico_tests::TestApp, token: &str) -> (Form, Option<String>) {
    let page = app.open_link(token).await;
    let cookie = page.csrf_cookie.clone().expect("a CSRF cookie");
    let form = Form {
        action: format!("{}/new-link", link(token)),
        hidden: vec![("csrf".to_owned(), cookie.clone())],
        fields: Vec::new(),
    };
    (form, Some(cookie))
}

fn send_count(invitation: &Value) -> u64 {
    invitation["send_count"].as_u64().expect("a send count")
}

#[tokio::test]
async fn a_replaced_link_offers_no_new_link_and_asking_with_it_sends_nothing() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 11).await;
    let id = invited.invitation["id"].as_str().expect("an id").to_owned();
    app.clock.advance(TimeDelta::minutes(6));
    assert_eq!(app.resend(&id).await.status, 200);
    nth_email(&smtp, 2).await;
    // Past the resend limit again, so only the retired link could stop a send.
    app.clock.advance(TimeDelta::minutes(6));

    let replaced = app.open_link(&invited.token).await;
    let (form, cookie) = new_link_form(&app, &invited.token).await;
    let asked = app.post_form(&form, cookie.as_deref(), &[]).await;

    assert_eq!(replaced.status, 410, "{}", replaced.html);
    assert!(replaced.form("/new-link").is_none(), "a replaced link offers a new one: {}", replaced.html);
    assert_eq!(asked.status, 200, "{}", asked.html);
    assert!(asked.html.contains("Check your inbox"), "{}", asked.html);
    let after = app.invitations(None).await.into_iter().find(|i| i["id"] == id.as_str()).expect("the invitation");
    assert_eq!(send_count(&after), 2, "a retired link caused a send: {after}");
    app.stop().await;
}

#[tokio::test]
async fn each_client_may_ask_for_new_links_only_a_few_times() {
    let smtp = SmtpServer::start().await;
    let (app, _) = with_sample(&smtp).await;
    let unknown = "0".repeat(64);
    let (form, cookie) = new_link_form(&app, &unknown).await;

    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(app.post_form(&form, cookie.as_deref(), &[]).await.status);
    }

    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");
    app.stop().await;
}
