//! The invitation page in a real browser, headless Chromium driven through
//! WebDriver: it renders its form under its strict content policy, opening
//! the emailed link (as a mail scanner's browser does) changes nothing, and
//! a contact who types a password and submits has accepted.

use portico_testkit::smtp::SmtpServer;
use portico_tests::browser::Browser;
use portico_tests::link;

use crate::support::scenario::{invite_one, with_sample};

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_chromium_opening_the_emailed_link_changes_nothing_and_typing_a_password_accepts() {
    let Some(browser) = Browser::start().await else { return };
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 3).await;
    let id = invited.invitation["id"].as_str().expect("an id");

    browser.goto(&invited.link).await;

    let dom = browser.source().await;
    assert!(dom.contains(&format!("action=\"{}/accept\"", link(&invited.token))), "{dom}");
    assert!(dom.contains("name=\"password\"") && dom.contains("name=\"password_confirm\""), "{dom}");
    assert!(dom.contains(&invited.recipient), "the page names the sign-in: {dom}");
    assert!(dom.contains("Decline"), "{dom}");
    let [desktop, _] = browser.screenshots("e2e-invitation").await;
    let png = std::fs::read(&desktop).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a real picture, {} bytes", png.len());
    assert_eq!(app.status_of(id).await, "pending", "a browser opening the link accepted nothing");
    assert!(!app.has_login(&invited.customer_id).await);

    browser.type_into("#password", PASSWORD).await;
    browser.type_into("#password_confirm", PASSWORD).await;
    browser.submit(&format!("form[action$='{}/accept']", link(&invited.token))).await;

    assert!(browser.current_url().await.ends_with("/accept"), "{}", browser.current_url().await);
    let text = browser.text().await;
    assert!(text.contains("Welcome"), "{text}");
    assert_eq!(app.status_of(id).await, "accepted");
    assert!(app.has_login(&invited.customer_id).await);

    browser.goto(&app.url(&link(&"0".repeat(64)))).await;

    let dom = browser.source().await;
    assert!(dom.contains("This link does not work"), "{dom}");
    browser.close().await;
    app.stop().await;
}
