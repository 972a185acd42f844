//! `make screenshots`: every invitation page in headless Chromium, at desktop
//! and phone width, as PNGs under `target/screenshots/`. Each page is one
//! `capture` line (its name and a phrase it must show); each must fit a
//! phone's width.

use chrono::TimeDelta;
use portico_testkit::smtp::SmtpServer;
use portico_tests::browser::Browser;
use portico_tests::link;

use crate::support::scenario::{Invited, invite_one, with_sample};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_every_invitation_page() {
    let Some(browser) = Browser::start().await else { return };
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let to_accept = invite_one(&app, &smtp, &report, 0).await;
    let to_decline = invite_one(&app, &smtp, &report, 1).await;
    let to_revoke = invite_one(&app, &smtp, &report, 2).await;
    let to_replace = invite_one(&app, &smtp, &report, 3).await;
    let to_expire = invite_one(&app, &smtp, &report, 4).await;
    let id = |invited: &Invited| invited.invitation["id"].as_str().expect("an id").to_owned();

    browser.goto(&to_accept.link).await;
    browser.capture("invitation-open", "Choose a password").await;
    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#password_confirm", PASSWORD).await;
    browser.submit("form[action$='/accept']").await;
    browser.capture("invitation-accepted", "Welcome").await;
    browser.goto(&to_accept.link).await;
    browser.capture("invitation-used", "already accepted").await;

    browser.goto(&to_decline.link).await;
    browser.submit("form[action$='/decline']").await;
    browser.capture("invitation-declined", "You declined the invitation").await;

    assert_eq!(app.revoke(&id(&to_revoke)).await.status, 200);
    browser.goto(&to_revoke.link).await;
    browser.capture("invitation-revoked", "withdrew").await;

    browser.goto(&app.url(&link(&"0".repeat(64)))).await;
    browser.capture("invitation-unknown", "This link does not work").await;

    app.clock.advance(TimeDelta::minutes(6));
    assert_eq!(app.resend(&id(&to_replace)).await.status, 200);
    browser.goto(&to_replace.link).await;
    browser.capture("invitation-replaced", "replaced this one").await;

    app.clock.advance(TimeDelta::days(366));
    browser.goto(&to_expire.link).await;
    browser.capture("invitation-expired", "has expired").await;
    browser.submit("form[action$='/new-link']").await;
    browser.capture("invitation-new-link-sent", "Check your inbox").await;

    browser.close().await;
    app.stop().await;
}
