//! A mail outage during a send: emails wait with the error shown to staff
//! and go out exactly once when the server is back and the backoff passed.

use chrono::TimeDelta;
use portico_testkit::smtp::SmtpServer;
use serde_json::json;

use crate::support::scenario::{customer_id, nth_reachable, with_sample};
use portico_tests::eventually;
use portico_tests::mail::recipient_of;

#[tokio::test]
async fn emails_queued_during_a_mail_outage_are_delivered_once_after_it() {
    let mut smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let mut customers = Vec::new();
    for nth in 12..15 {
        customers.push(customer_id(&app, &nth_reachable(&report, nth)).await);
    }
    smtp.go_down();

    let batch = app.invite_and_wait(&json!({ "customer_ids": customers })).await;

    assert_eq!(batch["invited"], 3, "{batch}");
    let waiting = eventually("the failed attempts are shown", || async {
        let listed = app.invitations(None).await;
        let shown = listed.iter().filter(|i| i["delivery"] == "queued" && !i["delivery_error"].is_null()).count();
        if shown == 3 { Ok(listed) } else { Err(format!("{listed:?}")) }
    })
    .await;
    assert_eq!(app.batch(batch["id"].as_str().expect("an id")).await["emails_sent"], 0);
    smtp.come_up().await;
    app.clock.advance(TimeDelta::hours(2));

    eventually("the emails go out", || async {
        let sent = app.invitations(None).await.iter().filter(|i| i["delivery"] == "sent").count();
        if sent == 3 && smtp.count() >= 3 { Ok(()) } else { Err(format!("{sent} sent, {} received", smtp.count())) }
    })
    .await;

    let mut got: Vec<String> = smtp.received().iter().map(recipient_of).collect();
    let mut want: Vec<String> = waiting.iter().filter_map(|i| i["recipient"].as_str().map(str::to_owned)).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "each email exactly once");
    app.stop().await;
}
