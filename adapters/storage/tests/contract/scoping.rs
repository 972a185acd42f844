//! Merchant scoping: no call made for merchant A returns merchant B's rows.

use portico_app::{
    BatchRepository, CustomerFilter, CustomerRepository, CustomerSort, InvitationReader, InvitationWriter,
    InvoiceUpsert, InvoiceUpsertOutcome, LoginRepository, PageRequest, RepositoryError, Selection,
};
use portico_domain::{Currency, ErpId, Money, Username};
use portico_storage::Database;

use crate::batches::batch;
use crate::logins::login;
use crate::support::{issue, merchant, seed, t0};

contract!(calls_for_one_merchant_never_return_another_merchants_rows);

async fn calls_for_one_merchant_never_return_another_merchants_rows(db: Database) {
    let a = merchant(&db, "A").await;
    let b = merchant(&db, "B").await;
    // The same ERP ids at both merchants.
    let people_a = seed(&db, a, "same", 3).await;
    let people_b = seed(&db, b, "same", 3).await;
    let (cust_b, contact_b) = people_b[0];

    let customers = db.customers();
    assert_eq!(customers.find(a, cust_b).await.unwrap(), None);
    let any = CustomerFilter::default();
    let list = customers.list(a, &any, CustomerSort::Name, PageRequest::default(), t0()).await.unwrap();
    assert_eq!(list.total, 3);
    assert!(list.items.iter().all(|s| s.customer.merchant_id == a));
    let b_only = InvoiceUpsert {
        erp_id: ErpId::parse("only-at-b").unwrap(),
        invoice_number: "I-1".into(),
        issue_date: t0().date_naive(),
        due_date: t0().date_naive(),
        amount: Money::from_minor(100, Currency::USD),
        balance: Money::from_minor(100, Currency::USD),
    };
    customers.upsert_customers(b, &[crate::support::customer("only-at-b", "x@example.com")], t0()).await.unwrap();
    assert_eq!(customers.upsert_invoices(a, &[b_only], t0()).await.unwrap(), [InvoiceUpsertOutcome::UnknownCustomer]);

    let invitations = db.invitations();
    let write_b = issue(b, cust_b, contact_b, 1, t0());
    invitations.insert(b, std::slice::from_ref(&write_b)).await.unwrap();
    let inv_b = write_b.invitation.id();
    assert!(invitations.candidates(a, &Selection::Contacts(vec![contact_b]), None, 10).await.unwrap().is_empty());
    assert!(invitations.candidates(a, &Selection::Customers(vec![cust_b]), None, 10).await.unwrap().is_empty());
    let all_a = invitations.candidates(a, &Selection::All, None, 10).await.unwrap();
    assert_eq!(
        all_a.iter().map(|c| c.contact.id).collect::<Vec<_>>(),
        people_a.iter().map(|p| p.1).collect::<Vec<_>>()
    );
    assert_eq!(invitations.find(a, inv_b).await.unwrap(), None);
    assert!(invitations.events(a, inv_b).await.unwrap().is_empty());
    assert_eq!(invitations.list(a, None, PageRequest::default(), t0()).await.unwrap().total, 0);
    // Writing B's invitation on A's behalf is refused, and so is an update of it under A.
    assert!(matches!(
        invitations.insert(a, &[issue(b, cust_b, people_b[1].1, 2, t0())]).await,
        Err(RepositoryError::Unexpected(_))
    ));
    let mut relabelled = write_b.clone();
    relabelled.invitation = issue(a, people_a[0].0, people_a[0].1, 3, t0()).invitation;
    relabelled.email = None;
    assert!(matches!(invitations.update(a, &relabelled).await, Err(RepositoryError::Conflict { .. })));

    let logins = db.logins();
    logins.save(&login(b, "shared@example.com", vec![cust_b])).await.unwrap();
    let name = Username::parse("shared@example.com").unwrap();
    assert_eq!(logins.find_by_username(a, &name).await.unwrap(), None);
    assert!(logins.taken(a, &[name]).await.unwrap().is_empty());

    let batches = db.batches();
    let batch_b = batch(b, "link");
    batches.create_or_get_running(&batch_b).await.unwrap();
    assert_eq!(batches.get(a, batch_b.id).await.unwrap(), None);
    let (batch_a, new) = batches.create_or_get_running(&batch(a, "link")).await.unwrap();
    assert!(new, "the same spec at another merchant is another batch");
    assert_eq!(batch_a.merchant_id, a);
}
