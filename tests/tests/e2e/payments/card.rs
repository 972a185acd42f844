//! Cards: a new card pays two invoices and is saved, the saved card pays
//! again, a declined card says why and changes nothing.

use portico_app::PaymentFailure;
use portico_app::use_cases::pay_invoices::{MethodChoice, PayInvoicesError};
use portico_domain::payment::DeclineCode;
use portico_domain::{PaymentMethodKind, PaymentStatus};
use portico_testkit::smtp::SmtpServer;
use portico_tests::mail::{recipient_of, text_of};
use portico_tests::payments::card;
use portico_tests::{eventually, spawn_app};

#[tokio::test]
async fn a_new_card_pays_two_invoices_is_saved_sends_a_receipt_and_pays_again_saved() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app().smtp(&smtp).await;
    let payer = app.sample_payers(1).await.remove(0);
    let before = app.balances(&payer).await;

    let paid = app.pay(&payer, &[(0, None), (1, Some(100))], card("4242 4242 4242 4242", true), "e2e-card-0001").await;

    let paid = paid.expect("the card pays").payment;
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(paid.amount.minor_units(), before[0] + 100);
    let after = app.balances(&payer).await;
    assert_eq!((after[0], after[1]), (0, before[1] - 100), "one paid in full, one in part");
    let detail = app.payment(&paid.id.to_string()).await.expect_status(200);
    let kinds: Vec<_> = detail["events"].as_array().unwrap().iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, ["initiated", "charged"]);
    assert_eq!(detail["events"][0]["actor_type"], "contact");
    assert_eq!(detail["payment"]["method"]["last4"], "4242");
    let receipt = eventually("the receipt arrives", || async {
        smtp.received().into_iter().next().ok_or_else(|| "no email yet".to_owned())
    })
    .await;
    assert_eq!(recipient_of(&receipt), payer.email);
    let text = text_of(&receipt.data);
    assert!(text.contains("Visa") && text.contains(&payer.invoices[0].number), "{text}");

    let methods = app.app.wiring().manage_payment_methods().list(payer.merchant, payer.customer).await.unwrap();
    assert_eq!(methods.len(), 1);
    assert_eq!(
        (methods[0].kind, methods[0].last4.as_str(), methods[0].is_default),
        (PaymentMethodKind::Card, "4242", true)
    );
    let again = app.pay(&payer, &[(1, None)], MethodChoice::Saved(methods[0].id), "e2e-card-0002").await.unwrap();
    assert_eq!(again.payment.status, PaymentStatus::Succeeded);
    assert_eq!(again.payment.method.saved, Some(methods[0].id));
    assert_eq!(app.balances(&payer).await[1], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_declined_card_says_why_and_changes_nothing() {
    let app = spawn_app().await;
    let payer = app.sample_payers(1).await.remove(0);
    let before = app.balances(&payer).await;

    let declined = app.pay(&payer, &[(0, None), (1, None)], card("4000000000009995", true), "e2e-decline-01").await;

    match declined {
        Err(PayInvoicesError::Failed { failure, payment }) => {
            assert_eq!(failure, PaymentFailure::Declined(DeclineCode::InsufficientFunds));
            assert_eq!(payment.status, PaymentStatus::Failed);
        }
        other => panic!("expected a decline, got {other:?}"),
    }
    assert_eq!(app.balances(&payer).await, before, "the balances are as before");
    assert!(app.app.wiring().manage_payment_methods().list(payer.merchant, payer.customer).await.unwrap().is_empty());
    let failed = app.payments("status=failed").await.expect_status(200);
    assert_eq!(failed["items"][0]["failure_code"], "insufficient_funds");
    assert_eq!(failed["items"][0]["failure_message"], "The card was declined for insufficient funds.");
    // A processing error charges nothing either, and the same invoices can be paid afterwards.
    let transient = app.pay(&payer, &[(0, None)], card("4000000000000119", false), "e2e-decline-02").await;
    assert!(matches!(transient, Err(PayInvoicesError::Failed { failure: PaymentFailure::Transient(_), .. })));
    assert!(app.pay(&payer, &[(0, None)], card("4242424242424242", false), "e2e-decline-03").await.is_ok());
    app.stop().await;
}
