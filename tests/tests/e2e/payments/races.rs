//! Races, on SQLite and PostgreSQL: two concurrent payments of one invoice
//! never overpay it, and one idempotency key posted twice charges once.

use portico_app::PaymentFilter;
use portico_app::use_cases::pay_invoices::PayInvoicesError;
use portico_domain::payment::AllocationError;
use portico_tests::payments::card;
use portico_tests::{TestApp, spawn_app};

async fn concurrent_payments_of_one_invoice(app: TestApp) {
    let payer = app.sample_payers(1).await.remove(0);
    let (a, b) = tokio::join!(
        app.pay(&payer, &[(0, None)], card("4242424242424242", false), "e2e-race-000a"),
        app.pay(&payer, &[(0, None)], card("5555555555554444", false), "e2e-race-000b"),
    );
    let outcomes = [a, b];
    let paid = outcomes.iter().filter(|o| o.is_ok()).count();
    // The loser finds the balance taken while recording, or already paid when it looked.
    let refused = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Err(PayInvoicesError::BalanceChanged | PayInvoicesError::Allocation(AllocationError::NotOpen(_)))
            )
        })
        .count();
    assert_eq!((paid, refused), (1, 1), "{outcomes:?}");
    assert_eq!(app.balances(&payer).await[0], 0, "paid once, never below zero");
    app.stop().await;
}

async fn one_key_posted_twice(app: TestApp) {
    let payer = app.sample_payers(1).await.remove(0);
    let before = app.balances(&payer).await;
    let (a, b) = tokio::join!(
        app.pay(&payer, &[(0, Some(500))], card("4242424242424242", false), "e2e-twice-0001"),
        app.pay(&payer, &[(0, Some(500))], card("4242424242424242", false), "e2e-twice-0001"),
    );
    let (a, b) = (a.expect("the first answers"), b.expect("the second answers"));
    assert_eq!(a.payment.id, b.payment.id, "one payment");
    assert!(a.replayed != b.replayed, "one of them is the replay");
    assert_eq!(app.balances(&payer).await[0], before[0] - 500, "charged once");
    let track = app.app.wiring().track_payments();
    assert_eq!(track.list(payer.merchant, &PaymentFilter::default(), Default::default()).await.unwrap().total, 1);
    // A refresh later answers the same payment.
    let later = app.pay(&payer, &[(0, Some(500))], card("4242424242424242", false), "e2e-twice-0001").await.unwrap();
    assert_eq!((later.payment.id, later.replayed), (a.payment.id, true));
    app.stop().await;
}

#[tokio::test]
async fn two_concurrent_payments_of_one_invoice_never_overpay_it_on_sqlite() {
    concurrent_payments_of_one_invoice(spawn_app().await).await;
}

#[tokio::test]
async fn two_concurrent_payments_of_one_invoice_never_overpay_it_on_postgres() {
    if let Some(spawn) = spawn_app().postgres() {
        concurrent_payments_of_one_invoice(spawn.await).await;
    }
}

#[tokio::test]
async fn the_same_key_posted_twice_charges_once_on_sqlite() {
    one_key_posted_twice(spawn_app().await).await;
}

#[tokio::test]
async fn the_same_key_posted_twice_charges_once_on_postgres() {
    if let Some(spawn) = spawn_app().postgres() {
        one_key_posted_twice(spawn.await).await;
    }
}
