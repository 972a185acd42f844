//! Refunds and saved methods: refunds never exceed the payment (also when
//! concurrent), give balances back the last paid invoice first; saved
//! methods keep one default per customer and stay within their customer.

use std::sync::Arc;

use portico_app::{
    NewRefund, PaymentEvent, PaymentReader, PaymentRepository, RefundRepository, RefundResolution, RepositoryError,
    SavedMethodRepository,
};
use portico_domain::{Actor, MerchantId, Money, PaymentEventKind, PaymentId, PaymentStatus, RefundId};
use portico_storage::Database;
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::payment_support::{balances, customer_with_invoices, payment, resolution, to_save, usd};
use crate::support::{at, merchant, t0};

contract!(
    refunds_give_balances_back_the_last_paid_invoice_first,
    a_refused_refund_releases_its_reservation,
    concurrent_refunds_never_exceed_the_payment,
    only_money_that_arrived_can_be_refunded,
    saved_methods_keep_one_default_and_stay_with_their_customer,
);

fn refund(m: MerchantId, p: PaymentId, amount: i64, before: i64) -> NewRefund {
    NewRefund {
        id: RefundId::from_uuid(Uuid::now_v7()),
        merchant: m,
        payment: p,
        amount: usd(amount),
        refunded_before: usd(before),
        gateway_key: format!("refund-{p}-{before}-{amount}"),
        at: at(100),
    }
}

fn finished(r: &NewRefund, reference: Option<&str>) -> RefundResolution {
    let kind = if reference.is_some() { PaymentEventKind::Refunded } else { PaymentEventKind::RefundFailed };
    RefundResolution {
        refund: r.clone(),
        reference: reference.map(str::to_owned),
        event: PaymentEvent {
            payment_id: r.payment,
            kind,
            actor: Actor::System,
            amount: r.amount,
            detail: None,
            at: r.at,
        },
    }
}

/// A succeeded payment of 10,000 on the first invoice and 2,000 on the second.
async fn paid(db: &Database) -> (MerchantId, portico_domain::CustomerId, Vec<portico_domain::DocumentId>, PaymentId) {
    let m = merchant(db, "A").await;
    let (c, inv) = customer_with_invoices(db, m, "ERP-1", &[10_000, 2_500]).await;
    let p = payment(m, c, &[(inv[0], 10_000), (inv[1], 2_000)], "key-00000001", t0());
    db.payments().begin(&p).await.unwrap();
    db.payments().resolve(&resolution(&p, PaymentStatus::Succeeded, PaymentEventKind::Charged, at(1))).await.unwrap();
    (m, c, inv, p.record.id)
}

async fn refunds_give_balances_back_the_last_paid_invoice_first(db: Database) {
    let (m, c, inv, p) = paid(&db).await;
    let first = refund(m, p, 3_000, 0);
    db.refunds().reserve(&first).await.unwrap();
    db.refunds().finish(&finished(&first, Some("re_1"))).await.unwrap();
    assert_eq!(balances(&db, m, c, &inv).await, [1_000, 2_500], "2,000 back on the second, 1,000 on the first");
    let stored = db.payments().find(m, p).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.refunded), (PaymentStatus::PartiallyRefunded, usd(3_000)));
    assert_eq!(stored.allocations.iter().map(|a| a.refunded.minor_units()).collect::<Vec<_>>(), [1_000, 2_000]);
    // Finishing the same refund again records nothing more.
    db.refunds().finish(&finished(&first, Some("re_1"))).await.unwrap();
    assert_eq!(balances(&db, m, c, &inv).await, [1_000, 2_500]);

    let rest = refund(m, p, 9_000, 3_000);
    db.refunds().reserve(&rest).await.unwrap();
    db.refunds().finish(&finished(&rest, Some("re_2"))).await.unwrap();
    assert_eq!(balances(&db, m, c, &inv).await, [10_000, 2_500]);
    assert_eq!(db.payments().find(m, p).await.unwrap().unwrap().status, PaymentStatus::Refunded);
    let kinds: Vec<_> = db.payments().events(m, p).await.unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            PaymentEventKind::Initiated,
            PaymentEventKind::Charged,
            PaymentEventKind::Refunded,
            PaymentEventKind::Refunded
        ]
    );
    assert!(matches!(db.refunds().reserve(&refund(m, p, 1, 12_000)).await, Err(RepositoryError::Conflict { .. })));
}

async fn a_refused_refund_releases_its_reservation(db: Database) {
    let (m, c, inv, p) = paid(&db).await;
    let r = refund(m, p, 12_000, 0);
    db.refunds().reserve(&r).await.unwrap();
    assert_eq!(db.payments().find(m, p).await.unwrap().unwrap().refunded, usd(12_000));
    db.refunds().finish(&finished(&r, None)).await.unwrap();
    let stored = db.payments().find(m, p).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.refunded), (PaymentStatus::Succeeded, usd(0)));
    assert_eq!(balances(&db, m, c, &inv).await, [0, 500]);
    // The same refund can be asked again (same key: the gateway answers once).
    assert!(db.refunds().reserve(&refund(m, p, 12_000, 0)).await.is_ok());
}

async fn concurrent_refunds_never_exceed_the_payment(db: Database) {
    let (m, _, _, p) = paid(&db).await;
    let start = Arc::new(Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (repo, start, r) = (db.refunds(), start.clone(), refund(m, p, 5_000, 0));
            tokio::spawn(async move {
                start.wait().await;
                repo.reserve(&r).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(RepositoryError::Conflict { constraint }) => assert_eq!(constraint, "payments_refundable"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(ok, 1, "each was computed from nothing refunded: one wins");
    assert_eq!(db.payments().find(m, p).await.unwrap().unwrap().refunded, usd(5_000));
}

async fn only_money_that_arrived_can_be_refunded(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000]).await;
    let pending = payment(m, c, &[(inv[0], 1_000)], "key-00000001", t0());
    db.payments().begin(&pending).await.unwrap();
    db.payments()
        .resolve(&resolution(&pending, PaymentStatus::Pending, PaymentEventKind::Submitted, at(1)))
        .await
        .unwrap();
    assert!(matches!(
        db.refunds().reserve(&refund(m, pending.record.id, 100, 0)).await,
        Err(RepositoryError::Conflict { .. })
    ));
    let other = merchant(&db, "B").await;
    let (_, _, _, p) = paid(&db).await;
    assert!(matches!(db.refunds().reserve(&refund(other, p, 100, 0)).await, Err(RepositoryError::Conflict { .. })));
    let mut eur = refund(m, pending.record.id, 100, 0);
    eur.amount = Money::from_minor(100, portico_domain::Currency::parse("EUR").unwrap());
    assert!(db.refunds().reserve(&eur).await.is_err());
}

async fn saved_methods_keep_one_default_and_stay_with_their_customer(db: Database) {
    let m = merchant(&db, "A").await;
    let (c, inv) = customer_with_invoices(&db, m, "ERP-1", &[10_000, 10_000, 10_000]).await;
    let (other, _) = customer_with_invoices(&db, m, "ERP-2", &[100]).await;
    let mut saved = Vec::new();
    for (i, label) in ["Visa", "Mastercard", "Sandbox Test Bank"].into_iter().enumerate() {
        let p = payment(m, c, &[(inv[i], 100)], &format!("key-{i:08}"), at(i as i64));
        db.payments().begin(&p).await.unwrap();
        let mut r = resolution(&p, PaymentStatus::Succeeded, PaymentEventKind::Charged, at(i as i64 + 1));
        let save = to_save(label);
        r.save_method = Some(save.clone());
        db.payments().resolve(&r).await.unwrap();
        saved.push(save.id);
    }
    let methods = db.payment_methods();
    let list = methods.list(m, c).await.unwrap();
    assert_eq!(
        list.iter().map(|s| (s.id, s.is_default)).collect::<Vec<_>>(),
        [(saved[0], true), (saved[2], false), (saved[1], false)]
    );
    assert!(methods.set_default(m, c, saved[1]).await.unwrap());
    assert_eq!(methods.list(m, c).await.unwrap()[0].id, saved[1]);
    assert_eq!(methods.list(m, c).await.unwrap().iter().filter(|s| s.is_default).count(), 1);
    // Another customer's method is not found, changed or removed.
    assert!(!methods.set_default(m, other, saved[0]).await.unwrap());
    assert!(methods.find(m, other, saved[0]).await.unwrap().is_none());
    assert!(methods.remove(m, other, saved[0], at(10)).await.unwrap().is_none());
    assert!(methods.find(merchant(&db, "B").await, c, saved[0]).await.unwrap().is_none());
    // Removing the default makes the newest left the default.
    assert_eq!(methods.remove(m, c, saved[1], at(10)).await.unwrap().map(|s| s.id), Some(saved[1]));
    let left = methods.list(m, c).await.unwrap();
    assert_eq!(left.iter().map(|s| (s.id, s.is_default)).collect::<Vec<_>>(), [(saved[2], true), (saved[0], false)]);
    assert!(methods.remove(m, c, saved[1], at(11)).await.unwrap().is_none(), "removed once");
    // The payment made with it still says what it used.
    let history = db.payments().list(m, &Default::default(), Default::default()).await.unwrap();
    assert!(history.items.iter().any(|p| p.method.saved == Some(saved[1]) && p.method.last4 == "4242"));
}
