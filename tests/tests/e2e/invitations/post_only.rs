//! Every state-changing link acts only on a POST from its page: mail
//! scanners that GET (or HEAD) every link change nothing, and a POST
//! without the page's CSRF pair is refused.

use portico_testkit::smtp::SmtpServer;

use crate::support::scenario::{Invited, invite_one, with_sample};
use portico_tests::TestApp;
use portico_tests::link;

const ACTIONS: [&str; 3] = ["accept", "decline", "new-link"];

/// Nothing happened to the invitation: still pending, sent once, no login,
/// only its `issued` event, no further email, and its page still opens.
async fn unchanged(app: &TestApp, smtp: &SmtpServer, invited: &Invited, emails: usize, after: &str) {
    let id = invited.invitation["id"].as_str().expect("an id");
    let listed = app.invitations(None).await;
    let now = listed.iter().find(|i| i["id"] == id).expect("listed");
    assert_eq!(now["status"], "pending", "{after}: {now}");
    assert_eq!(now["send_count"], 1, "{after}: {now}");
    assert!(!app.has_login(&invited.customer_id).await, "{after}: a login appeared");
    let events = app.invitation_events(id).await.json();
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{after}: {events}");
    assert_eq!(smtp.count(), emails, "{after}: an email was sent");
    assert_eq!(app.open_link(&invited.token).await.status, 200, "{after}: the link stopped working");
}

#[tokio::test]
async fn get_and_head_on_every_action_link_change_nothing() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 2).await;
    let emails = smtp.count();

    for action in ACTIONS {
        for method in ["GET", "HEAD"] {
            let path = format!("{}/{action}", link(&invited.token));
            let answer = app.send(method, &path, &[], None).await;

            assert!(
                answer.status == 405 || (answer.status == 200 && method == "GET" && answer.text().contains("<form")),
                "{method} {action} answered {} {}",
                answer.status,
                answer.text()
            );
            unchanged(&app, &smtp, &invited, emails, &format!("{method} {action}")).await;
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_post_without_the_page_csrf_pair_is_refused_and_changes_nothing() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 3).await;
    let emails = smtp.count();
    let page = app.open_link(&invited.token).await;
    let cookie = page.csrf_cookie.clone().expect("the page sets a CSRF cookie");
    let password = [("password", "correct horse battery"), ("password_confirm", "correct horse battery")];

    for action in ACTIONS {
        let mut form = page.form(&format!("/{action}")).unwrap_or_else(|| {
            // The new-link form is on the expired-link page only; post the decline form's fields there.
            let mut form = page.form("/decline").expect("a decline form");
            form.action = format!("{}/{action}", link(&invited.token));
            form
        });
        assert_eq!(form.hidden("csrf"), Some(cookie.as_str()), "the form repeats the cookie's value");

        let no_cookie = app.post_form(&form, None, &password).await;
        let other_cookie = app.post_form(&form, Some(&"ab".repeat(32)), &password).await;
        form.hidden.retain(|(name, _)| name != "csrf");
        let no_field = app.post_form(&form, Some(&cookie), &password).await;

        for (what, answer) in [("no cookie", no_cookie), ("another cookie", other_cookie), ("no field", no_field)] {
            assert_eq!(answer.status, 403, "{action} with {what}: {}", answer.html);
            unchanged(&app, &smtp, &invited, emails, &format!("{action} with {what}")).await;
        }
    }

    let accepted = app.accept_with_password(&invited.token, "correct horse battery").await;

    assert_eq!(accepted.status, 200, "the same form with its CSRF pair works: {}", accepted.html);
    assert!(app.has_login(&invited.customer_id).await);
    app.stop().await;
}
