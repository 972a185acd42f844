//! Bank debits: pending until the clock moves past the settlement days,
//! then settled with a receipt, or returned (R01) with the balances given
//! back and the contact told.

use chrono::TimeDelta;
use portico_domain::PaymentStatus;
use portico_testkit::smtp::SmtpServer;
use portico_tests::mail::{recipient_of, text_of};
use portico_tests::payments::bank;
use portico_tests::{eventually, spawn_app};

#[tokio::test]
async fn a_debit_is_pending_until_the_clock_moves_then_settles_and_the_receipt_goes_out() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app().smtp(&smtp).await;
    let payer = app.sample_payers(1).await.remove(0);

    let sent = app.pay(&payer, &[(0, None)], bank("000123456789", true), "e2e-ach-00001").await.unwrap().payment;

    assert_eq!(sent.status, PaymentStatus::Pending);
    assert_eq!(app.balances(&payer).await[0], 0, "the balance is taken while the debit travels");
    let id = sent.id.to_string();
    assert_eq!(app.payment(&id).await.expect_status(200)["payment"]["status"], "pending");
    assert_eq!(smtp.count(), 0, "no receipt before the money arrives");

    app.clock.advance(TimeDelta::days(7));

    let settled = app.payment_in(&id, PaymentStatus::Succeeded).await;
    let kinds: Vec<_> = settled["events"].as_array().unwrap().iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, ["initiated", "submitted", "settled"]);
    assert_eq!(settled["events"][2]["actor_type"], "system");
    let receipt = eventually("the receipt arrives", || async {
        smtp.received().into_iter().next().ok_or_else(|| "no email yet".to_owned())
    })
    .await;
    assert_eq!(recipient_of(&receipt), payer.email);
    assert!(text_of(&receipt.data).contains("Sandbox Test Bank"));
    assert_eq!(app.balances(&payer).await[0], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_debit_returned_r01_fails_gives_the_balance_back_and_tells_the_contact() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app().smtp(&smtp).await;
    let payer = app.sample_payers(1).await.remove(0);
    let before = app.balances(&payer).await;

    let sent = app.pay(&payer, &[(0, None), (1, Some(500))], bank("000222222227", true), "e2e-ach-r01-1").await;

    let id = sent.unwrap().payment.id.to_string();
    assert_eq!(app.balances(&payer).await[1], before[1] - 500);
    app.clock.advance(TimeDelta::days(7));
    let failed = app.payment_in(&id, PaymentStatus::Failed).await;
    assert_eq!(failed["payment"]["failure_code"], "R01");
    assert_eq!(failed["events"][2]["kind"], "returned");
    assert_eq!(failed["events"][2]["detail"], "R01");
    assert_eq!(app.balances(&payer).await, before, "the invoices owe what they owed");
    let notice = eventually("the failure notice arrives", || async {
        smtp.received().into_iter().next().ok_or_else(|| "no email yet".to_owned())
    })
    .await;
    assert_eq!(recipient_of(&notice), payer.email);
    let text = text_of(&notice.data);
    assert!(text.contains("insufficient funds (R01)") && text.contains(&payer.invoices[0].number), "{text}");
    // Staff see it among the failed payments.
    let listed = app.payments("status=failed&method=ach").await.expect_status(200);
    assert_eq!(listed["total"], 1);
    app.stop().await;
}
