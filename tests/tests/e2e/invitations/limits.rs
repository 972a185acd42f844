//! Password attempts on an invitation link share one budget however the
//! link is spelled: a token is hex, and its upper-case spelling is the same
//! link, so it must not buy five more guesses.

use portico_testkit::smtp::SmtpServer;
use serde_json::json;

use crate::support::scenario::{customer_id, nth_email, nth_reachable, with_sample};
use portico_tests::mail::{field_of, token_of};

/// The token with every other hex letter upper-cased, starting at `shift`.
fn spelled(token: &str, shift: usize) -> String {
    token
        .chars()
        .enumerate()
        .map(|(i, c)| if (i + shift).is_multiple_of(2) { c.to_ascii_uppercase() } else { c })
        .collect()
}

#[tokio::test]
async fn the_per_link_budget_holds_across_case_variants_of_the_token() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let customer = customer_id(&app, &nth_reachable(&report, 0)).await;
    let batch = app.invite_customer(&customer, &json!({ "mode": "credentials" })).await;
    assert_eq!(batch["invited"], 1, "{batch}");
    let email = nth_email(&smtp, 1).await;
    let (token, username) = (token_of(&email), field_of(&email, "Username:").expect("a username"));
    let password = field_of(&email, "Password:").expect("a password");
    let new_password = "a brand new passphrase";
    let variants = [token.clone(), token.to_ascii_uppercase(), spelled(&token, 0), spelled(&token, 1)];

    let mut statuses = Vec::new();
    for n in 0..5 {
        let wrong = [("username", username.as_str()), ("password", "wrong guess"), ("new_password", new_password)];
        statuses.push(app.submit(&variants[n % variants.len()], "/accept", &wrong).await.status);
    }
    let right = [("username", username.as_str()), ("password", password.as_str()), ("new_password", new_password)];
    let blocked = app.submit(&token.to_ascii_uppercase(), "/accept", &right).await;

    assert_eq!(statuses, [401; 5], "each spelling opens the same invitation");
    assert_eq!(blocked.status, 429, "a sixth attempt, in another spelling: {}", blocked.html);
    assert!(!app.has_login(&customer).await);
    app.stop().await;
}
