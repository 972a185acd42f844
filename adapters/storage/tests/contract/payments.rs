//! Payments: balances change with the record that changes them, never below
//! zero (also against concurrent payments), one payment per idempotency
//! key, outcomes recorded from the status they were computed from, the
//! settlement queue, and the staff list's filters. Merchant-scoped.

use std::sync::Arc;

use portico_app::{
    BeginOutcome, InvoiceSelection, PageRequest, PaymentFilter, PaymentReader, PaymentRepository, RepositoryError,
    SavedMethodRepository, SettlementQueue,
};
use portico_domain::{IdempotencyKey, PaymentEventKind, PaymentMethodKind, PaymentStatus};
use portico_storage::Database;
use tokio::sync::Barrier;

use crate::payment_support::{balances, customer_with_invoices, payment, resolution, to_save};
use crate::support::{at, email, merchant, t0};

contract!(
    a_payment_reduces_its_invoices_balances_and_is_read_back_whole,
    one_idempotency_key_records_one_payment,
    a_share_above_the_balance_writes_nothing,
    concurrent_payments_never_take_an_invoice_below_zero,
    a_decline_gives_the_balances_back_and_saves_no_method,
    a_success_saves_the_method_and_queues_its_email,
    an_outcome_from_a_stale_status_is_refused,
    the_settlement_queue_holds_due_pending_and_stuck_payments,
    the_staff_list_filters_pages_and_stays_within_its_merchant,
);

async fn a_payment_reduces_its_invoices_balances_and_is_read_back_whole(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000, 2_500]).await;
    let p = payment(m, c, &[(inv[0], 10_000), (inv[1], 1_000)], "key-00000001", t0());
    assert_eq!(db.payments().begin(&p).await.unwrap(), BeginOutcome::Started);
    assert_eq!(balances(&db, m, c, &inv).await, [0, 1_500]);
    // A paid invoice is no longer open.
    let open = db.payments().open_invoices(m, c, &InvoiceSelection::All).await.unwrap();
    assert_eq!(open.iter().map(|o| o.id).collect::<Vec<_>>(), [inv[1]]);

    let stored = db.payments().find(m, p.record.id).await.unwrap().unwrap();
    assert_eq!(stored.status, PaymentStatus::Processing);
    assert_eq!(stored.amount.minor_units(), 11_000);
    assert_eq!(stored.allocations.iter().map(|a| a.invoice).collect::<Vec<_>>(), inv);
    assert_eq!(stored.allocations[0].number, "ERP-1-INV-0", "the invoice's number is read back");
    assert!(stored.allocations[0].due_date.is_some());
    assert_eq!(stored.method, p.record.method);
    let events = db.payments().events(m, p.record.id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind).collect::<Vec<_>>(), [PaymentEventKind::Initiated]);
}

async fn one_idempotency_key_records_one_payment(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000]).await;
    let first = payment(m, c, &[(inv[0], 4_000)], "key-00000001", t0());
    let second = payment(m, c, &[(inv[0], 4_000)], "key-00000001", at(1));
    db.payments().begin(&first).await.unwrap();
    match db.payments().begin(&second).await.unwrap() {
        BeginOutcome::Existing(existing) => assert_eq!(existing.id, first.record.id),
        BeginOutcome::Started => panic!("the same key recorded a second payment"),
    }
    assert_eq!(balances(&db, m, c, &inv).await, [6_000], "charged once");
    let key = IdempotencyKey::parse("key-00000001").unwrap();
    assert_eq!(db.payments().find_by_key(m, &key).await.unwrap().unwrap().id, first.record.id);
    // Keys are per merchant.
    let other = merchant(&db, "B").await;
    assert!(db.payments().find_by_key(other, &key).await.unwrap().is_none());
}

async fn a_share_above_the_balance_writes_nothing(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000, 2_500]).await;
    let p = payment(m, c, &[(inv[0], 5_000), (inv[1], 2_501)], "key-00000001", t0());
    match db.payments().begin(&p).await {
        Err(RepositoryError::Conflict { constraint }) => assert_eq!(constraint, "documents_balance_covers_payment"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(balances(&db, m, c, &inv).await, [10_000, 2_500], "the first share was rolled back too");
    assert!(db.payments().find(m, p.record.id).await.unwrap().is_none());
    // Another customer's invoice cannot be paid either.
    let (other, _) = customer_with_invoices(&db, m, "ERP-2", &[100]).await;
    let theirs = payment(m, other, &[(inv[1], 100)], "key-00000002", t0());
    assert!(matches!(db.payments().begin(&theirs).await, Err(RepositoryError::Conflict { .. })));
}

async fn concurrent_payments_never_take_an_invoice_below_zero(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000, 10_000]).await;
    let start = Arc::new(Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            // Half pay the invoices in one order, half in the other: no deadlock either way.
            let shares =
                if i % 2 == 0 { [(inv[0], 1_500), (inv[1], 1_500)] } else { [(inv[1], 1_500), (inv[0], 1_500)] };
            let p = payment(m, c, &shares, &format!("key-{i:08}"), t0());
            let (repo, start) = (db.payments(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                repo.begin(&p).await
            })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(BeginOutcome::Started) => ok += 1,
            Err(RepositoryError::Conflict { constraint }) if constraint == "documents_balance_covers_payment" => {
                refused += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, refused), (6, 14), "6 × 1,500 fit in 10,000");
    assert_eq!(balances(&db, m, c, &inv).await, [1_000, 1_000]);
}

async fn a_decline_gives_the_balances_back_and_saves_no_method(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000, 2_500]).await;
    let p = payment(m, c, &[(inv[0], 10_000), (inv[1], 500)], "key-00000001", t0());
    db.payments().begin(&p).await.unwrap();
    let declined = resolution(&p, PaymentStatus::Failed, PaymentEventKind::Declined, at(1));
    db.payments().resolve(&declined).await.unwrap();
    assert_eq!(balances(&db, m, c, &inv).await, [10_000, 2_500]);
    let stored = db.payments().find(m, p.record.id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.failure), (PaymentStatus::Failed, declined.failure));
    assert!(db.payment_methods().list(m, c).await.unwrap().is_empty());
    let kinds: Vec<_> = db.payments().events(m, p.record.id).await.unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [PaymentEventKind::Initiated, PaymentEventKind::Declined]);
}

async fn a_success_saves_the_method_and_queues_its_email(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000]).await;
    let p = payment(m, c, &[(inv[0], 10_000)], "key-00000001", t0());
    db.payments().begin(&p).await.unwrap();
    let mut charged = resolution(&p, PaymentStatus::Succeeded, PaymentEventKind::Charged, at(1));
    let save = to_save("Visa");
    charged.save_method = Some(save.clone());
    charged.email = Some(email(m, None));
    db.payments().resolve(&charged).await.unwrap();
    let stored = db.payments().find(m, p.record.id).await.unwrap().unwrap();
    assert_eq!(stored.status, PaymentStatus::Succeeded);
    assert_eq!(stored.gateway_reference, charged.reference);
    assert_eq!(stored.method.saved, Some(save.id));
    let methods = db.payment_methods().list(m, c).await.unwrap();
    assert_eq!((methods.len(), methods[0].id, methods[0].is_default), (1, save.id, true));
    assert_eq!(methods[0].token, save.token);
    let status = db.outbox().status(charged.email.unwrap().id).await.unwrap();
    assert!(matches!(status, Some(portico_app::DeliveryStatus::Queued { .. })), "{status:?}");
    assert_eq!(balances(&db, m, c, &inv).await, [0], "a success keeps the balance down");
}

async fn an_outcome_from_a_stale_status_is_refused(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000]).await;
    let p = payment(m, c, &[(inv[0], 10_000)], "key-00000001", t0());
    db.payments().begin(&p).await.unwrap();
    let mut charged = resolution(&p, PaymentStatus::Succeeded, PaymentEventKind::Charged, at(1));
    charged.email = Some(email(m, None));
    db.payments().resolve(&charged).await.unwrap();
    // The worker computed a decline from the old `processing`: refused, nothing restored.
    let mut late = resolution(&p, PaymentStatus::Failed, PaymentEventKind::Declined, at(2));
    let late_email = email(m, None);
    late.email = Some(late_email.clone());
    match db.payments().resolve(&late).await {
        Err(RepositoryError::Conflict { constraint }) => assert_eq!(constraint, "payments_current_status"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(balances(&db, m, c, &inv).await, [0]);
    assert_eq!(db.outbox().status(late_email.id).await.unwrap(), None);
    // Another merchant cannot resolve it at all.
    let other = merchant(&db, "B").await;
    let foreign = portico_app::PaymentResolution {
        merchant: other,
        ..resolution(&p, PaymentStatus::Failed, PaymentEventKind::Declined, at(3))
    };
    assert!(matches!(db.payments().resolve(&foreign).await, Err(RepositoryError::Conflict { .. })));
}

async fn the_settlement_queue_holds_due_pending_and_stuck_payments(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000, 10_000, 10_000]).await;
    let ach = payment(m, c, &[(inv[0], 100)], "key-00000001", t0());
    let stuck = payment(m, c, &[(inv[1], 100)], "key-00000002", t0());
    let card = payment(m, c, &[(inv[2], 100)], "key-00000003", t0());
    for p in [&ach, &stuck, &card] {
        db.payments().begin(p).await.unwrap();
    }
    db.payments().resolve(&resolution(&ach, PaymentStatus::Pending, PaymentEventKind::Submitted, at(1))).await.unwrap();
    db.payments()
        .resolve(&resolution(&card, PaymentStatus::Succeeded, PaymentEventKind::Charged, at(1)))
        .await
        .unwrap();
    // Before its recheck time nothing is due; the stuck one after 2 minutes, the debit after an hour.
    assert!(db.payments().due(at(60), 10).await.unwrap().is_empty());
    let due: Vec<_> = db.payments().due(at(121), 10).await.unwrap().iter().map(|p| p.id).collect();
    assert_eq!(due, [stuck.record.id]);
    let mut due: Vec<_> = db.payments().due(at(3_601), 10).await.unwrap().iter().map(|p| p.id).collect();
    due.sort();
    let mut expected = vec![ach.record.id, stuck.record.id];
    expected.sort();
    assert_eq!(due, expected, "the captured card charge is never due");
    db.payments().recheck_at(ach.record.id, at(7_200)).await.unwrap();
    let due: Vec<_> = db.payments().due(at(3_601), 10).await.unwrap().iter().map(|p| p.id).collect();
    assert_eq!(due, [stuck.record.id]);
}

async fn the_staff_list_filters_pages_and_stays_within_its_merchant(db: Database) {
    let m = merchant(&db, "A").await;
    let (c1, inv1) = customer_with_invoices(&db, m, "ERP-1", &[100_000]).await;
    let (c2, inv2) = customer_with_invoices(&db, m, "ERP-2", &[100_000]).await;
    let mut ids = Vec::new();
    for i in 0..6_i64 {
        let (c, inv) = if i < 4 { (c1, inv1[0]) } else { (c2, inv2[0]) };
        let mut p = payment(m, c, &[(inv, 100 + i)], &format!("key-{i:08}"), at(i * 3_600));
        if i == 5 {
            p.record.method.kind = PaymentMethodKind::Ach;
        }
        db.payments().begin(&p).await.unwrap();
        if i % 2 == 0 {
            db.payments()
                .resolve(&resolution(&p, PaymentStatus::Succeeded, PaymentEventKind::Charged, at(i * 3_600 + 1)))
                .await
                .unwrap();
        }
        ids.push(p.record.id);
    }
    let page = |offset, limit| PageRequest { offset, limit };
    let all = db.payments().list(m, &PaymentFilter::default(), page(0, 4)).await.unwrap();
    assert_eq!(all.total, 6);
    assert_eq!(all.items.iter().map(|p| p.id).collect::<Vec<_>>(), [ids[5], ids[4], ids[3], ids[2]], "newest first");
    let rest = db.payments().list(m, &PaymentFilter::default(), page(4, 4)).await.unwrap();
    assert_eq!(rest.items.iter().map(|p| p.id).collect::<Vec<_>>(), [ids[1], ids[0]]);
    let of = |filter: PaymentFilter| {
        let db = db.clone();
        async move {
            db.payments().list(m, &filter, page(0, 50)).await.unwrap().items.iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(of(PaymentFilter { customer: Some(c2), ..Default::default() }).await, [ids[5], ids[4]]);
    assert_eq!(
        of(PaymentFilter { status: Some(PaymentStatus::Succeeded), ..Default::default() }).await,
        [ids[4], ids[2], ids[0]]
    );
    assert_eq!(of(PaymentFilter { method: Some(PaymentMethodKind::Ach), ..Default::default() }).await, [ids[5]]);
    assert_eq!(
        of(PaymentFilter { from: Some(at(3_600)), until: Some(at(3 * 3_600)), ..Default::default() }).await,
        [ids[2], ids[1]]
    );
    let other = merchant(&db, "B").await;
    assert_eq!(db.payments().list(other, &PaymentFilter::default(), page(0, 50)).await.unwrap().total, 0);
    assert!(db.payments().find(other, ids[0]).await.unwrap().is_none());
    assert!(db.payments().events(other, ids[0]).await.unwrap().is_empty());
}
