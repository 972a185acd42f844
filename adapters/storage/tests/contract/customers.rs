//! Customer upserts by ERP id, invoices, and the customer list.

use chrono::NaiveDate;
use portico_app::{
    CustomerFilter, CustomerRepository, CustomerSort, InvitationReader, InvitationWriter, InvoiceUpsert,
    InvoiceUpsertOutcome, LoginRepository, PageRequest, RepositoryError, Selection, UpsertOutcome,
};
use portico_domain::{
    CollectionPriority, ContactEmail, Currency, ErpId, InvitationStatus, Login, LoginId, Money, PasswordHash,
    PhoneNumber, Username,
};
use portico_storage::Database;
use uuid::Uuid;

use crate::support::{at, customer, fixture_customers, issue, merchant, t0};

contract!(
    reimporting_the_same_customers_by_erp_id_changes_nothing,
    a_new_primary_contact_replaces_the_old_one,
    the_customer_list_computes_balance_login_and_badge_and_filters_sorts_and_pages,
);

async fn reimporting_the_same_customers_by_erp_id_changes_nothing(db: Database) {
    let repo = db.customers();
    let m = merchant(&db, "A").await;
    let mut customers = fixture_customers();
    assert!(customers.len() > 20 && customers.iter().any(|c| c.contacts.len() > 1));

    let first = repo.upsert_customers(m, &customers, t0()).await.unwrap();
    assert!(first.iter().all(|o| *o == UpsertOutcome::Created), "{first:?}");
    let again = repo.upsert_customers(m, &customers, at(60)).await.unwrap();
    assert!(again.iter().all(|o| *o == UpsertOutcome::Unchanged), "{again:?}");

    customers[0].name.push_str(" (renamed)");
    customers[1].contacts[0].phone = Some(PhoneNumber::parse("555-010-9999").unwrap());
    customers[2].contacts.push(portico_app::ContactUpsert {
        first_name: "New".into(),
        last_name: "Person".into(),
        email: ContactEmail::from_raw("new.person@example.com"),
        phone: None,
        primary: false,
    });
    let changed = repo.upsert_customers(m, &customers, at(120)).await.unwrap();
    assert_eq!(
        &changed[..4],
        &[UpsertOutcome::Updated, UpsertOutcome::Updated, UpsertOutcome::Updated, UpsertOutcome::Unchanged]
    );
    assert!(changed[3..].iter().all(|o| *o == UpsertOutcome::Unchanged));

    // Read back: the stored customer equals what was imported, invalid emails kept.
    let page = repo
        .list(m, &CustomerFilter::default(), CustomerSort::Name, PageRequest { offset: 0, limit: 500 }, t0())
        .await
        .unwrap();
    assert_eq!(page.total, customers.len() as u64);
    let stored = page.items.iter().find(|s| s.customer.erp_id == customers[2].erp_id).unwrap();
    let detail = repo.find(m, stored.customer.id).await.unwrap().unwrap();
    assert_eq!(detail.customer.name, customers[2].name);
    assert_eq!(detail.contacts.len(), customers[2].contacts.len());
    assert!(detail.contacts[0].primary, "primary contact first");
    let invalid = customers.iter().find(|c| c.erp_id == ErpId::parse("ERP-100007").unwrap()).unwrap();
    let invalid_row = page.items.iter().find(|s| s.customer.erp_id == invalid.erp_id).unwrap();
    let invalid_detail = repo.find(m, invalid_row.customer.id).await.unwrap().unwrap();
    assert!(matches!(&invalid_detail.contacts[0].email, ContactEmail::Invalid { raw, .. } if raw == "not-an-email"));
}

async fn the_customer_list_computes_balance_login_and_badge_and_filters_sorts_and_pages(db: Database) {
    let repo = db.customers();
    let m = merchant(&db, "A").await;
    let mut x = customer("X", "x@example.com");
    x.collection_priority = Some(CollectionPriority::Low);
    let mut y = customer("Y", "y@example.com");
    y.collection_priority = Some(CollectionPriority::High);
    let z = customer("Z", "z@example.com");
    repo.upsert_customers(m, &[x, y, z], t0()).await.unwrap();
    let candidates = db.invitations().candidates(m, &portico_app::Selection::All, None, 10).await.unwrap();
    let by_erp = |erp: &str| candidates.iter().find(|c| c.customer.erp_id.as_str() == erp).unwrap().clone();
    let (cx, cy, cz) = (by_erp("X"), by_erp("Y"), by_erp("Z"));

    let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let usd = |minor| Money::from_minor(minor, Currency::USD);
    let invoice = |erp: &str, number: &str, balance| InvoiceUpsert {
        erp_id: ErpId::parse(erp).unwrap(),
        invoice_number: number.into(),
        issue_date: day,
        due_date: day,
        amount: usd(1_000),
        balance: usd(balance),
    };
    let invoices =
        [invoice("X", "I-1", 100), invoice("X", "I-2", 50), invoice("Y", "I-3", 500), invoice("Z", "I-4", 0)];
    let saved = repo.upsert_invoices(m, &invoices, t0()).await.unwrap();
    assert!(saved.iter().all(|o| *o == InvoiceUpsertOutcome::Saved(UpsertOutcome::Created)));
    let again = repo.upsert_invoices(m, &[invoice("X", "I-1", 100), invoice("NOPE", "I-9", 1)], t0()).await.unwrap();
    assert_eq!(
        again,
        vec![InvoiceUpsertOutcome::Saved(UpsertOutcome::Unchanged), InvoiceUpsertOutcome::UnknownCustomer]
    );

    let login = Login {
        id: LoginId::from_uuid(Uuid::now_v7()),
        merchant_id: m,
        username: Username::parse("y@example.com").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$v=19$stub".into()),
        must_change_password: false,
        customers: vec![cy.customer.id],
    };
    db.logins().save(&login).await.unwrap();
    let invitations = db.invitations();
    invitations.insert(m, &[issue(m, cx.customer.id, cx.contact.id, 1, t0())]).await.unwrap();
    // Issued 20 days before t0 with a 14-day lifetime: expired at t0.
    invitations.insert(m, &[issue(m, cz.customer.id, cz.contact.id, 2, at(-20 * 86_400))]).await.unwrap();

    let list = |filter: CustomerFilter, sort| {
        let repo = repo.clone();
        async move { repo.list(m, &filter, sort, PageRequest::default(), t0()).await.unwrap() }
    };
    let names = |page: &portico_app::Page<portico_app::CustomerSummary>| {
        page.items.iter().map(|s| s.customer.erp_id.as_str().to_owned()).collect::<Vec<_>>()
    };
    let by_balance = list(CustomerFilter::default(), CustomerSort::BalanceDesc).await;
    assert_eq!(names(&by_balance), ["Y", "X", "Z"]);
    assert_eq!(by_balance.items.iter().map(|s| s.outstanding.minor_units()).collect::<Vec<_>>(), [500, 150, 0]);
    assert_eq!(by_balance.items.iter().map(|s| s.has_login).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(
        by_balance.items.iter().map(|s| s.invitation_status).collect::<Vec<_>>(),
        [None, Some(InvitationStatus::Pending), Some(InvitationStatus::Expired)]
    );
    assert_eq!(names(&list(CustomerFilter::default(), CustomerSort::Priority).await), ["Y", "X", "Z"]);
    assert_eq!(names(&list(CustomerFilter::default(), CustomerSort::Name).await), ["X", "Y", "Z"]);

    let only = |f: CustomerFilter| list(f, CustomerSort::Name);
    assert_eq!(names(&only(CustomerFilter { has_login: Some(true), ..Default::default() }).await), ["Y"]);
    assert_eq!(names(&only(CustomerFilter { has_login: Some(false), ..Default::default() }).await), ["X", "Z"]);
    assert_eq!(names(&only(CustomerFilter { invitation_status: Some(None), ..Default::default() }).await), ["Y"]);
    let pending = CustomerFilter { invitation_status: Some(Some(InvitationStatus::Pending)), ..Default::default() };
    assert_eq!(names(&only(pending).await), ["X"]);
    let expired = CustomerFilter { invitation_status: Some(Some(InvitationStatus::Expired)), ..Default::default() };
    assert_eq!(names(&only(expired).await), ["Z"]);
    assert_eq!(names(&only(CustomerFilter { pending_since_before: Some(at(1)), ..Default::default() }).await), ["X"]);
    assert!(only(CustomerFilter { pending_since_before: Some(at(-1)), ..Default::default() }).await.items.is_empty());

    let any = CustomerFilter::default();
    let first = repo.list(m, &any, CustomerSort::Name, PageRequest { offset: 0, limit: 2 }, t0()).await.unwrap();
    assert_eq!((names(&first), first.total), (vec!["X".to_owned(), "Y".to_owned()], 3));
    let rest = repo.list(m, &any, CustomerSort::Name, PageRequest { offset: 2, limit: 2 }, t0()).await.unwrap();
    assert_eq!(names(&rest), ["Z"]);
}

/// The ERP names another primary contact: the customer still has one, so an
/// invitation to the customer reaches one person.
async fn a_new_primary_contact_replaces_the_old_one(db: Database) {
    let repo = db.customers();
    let m = merchant(&db, "A").await;
    repo.upsert_customers(m, &[customer("E-1", "old@example.com")], t0()).await.unwrap();
    let outcome = repo.upsert_customers(m, &[customer("E-1", "new@example.com")], at(60)).await.unwrap();

    assert_eq!(outcome, [UpsertOutcome::Updated]);
    let id = db.invitations().candidates(m, &Selection::All, None, 10).await.unwrap()[0].customer.id;
    let detail = repo.find(m, id).await.unwrap().unwrap();
    let primaries: Vec<_> = detail.contacts.iter().filter(|c| c.primary).map(|c| c.email.stored()).collect();
    assert_eq!(primaries, [Some("new@example.com")], "{detail:?}");
    assert_eq!(detail.contacts.len(), 2, "the old contact is kept, as a non-primary one");
    let invited = db.invitations().candidates(m, &Selection::Customers(vec![id]), None, 10).await.unwrap();
    assert_eq!(invited.len(), 1, "one customer, one primary contact");
    // The database refuses two primaries outright.
    let mut two = customer("E-2", "a@example.com");
    two.contacts
        .push(portico_app::ContactUpsert { email: ContactEmail::from_raw("b@example.com"), ..two.contacts[0].clone() });
    let refused = repo.upsert_customers(m, &[two], at(90)).await;
    assert!(
        matches!(&refused, Err(RepositoryError::Conflict { constraint }) if constraint == "contacts_one_primary_per_customer"),
        "{refused:?}"
    );
}
