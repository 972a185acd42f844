//! Portal logins.

use portico_app::{CustomerRepository, InvitationReader, LoginRepository, RepositoryError, Selection};
use portico_domain::{EmailAddress, Login, LoginId, MerchantId, PasswordHash, Username};
use portico_storage::Database;
use uuid::Uuid;

use crate::support::{customer, merchant, seed, t0};

contract!(
    logins_are_saved_found_by_username_and_unique_per_merchant,
    a_login_named_by_a_non_ascii_email_is_the_contacts_login
);

pub fn login(merchant: MerchantId, username: &str, customers: Vec<portico_domain::CustomerId>) -> Login {
    Login {
        id: LoginId::from_uuid(Uuid::now_v7()),
        merchant_id: merchant,
        username: Username::parse(username).unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        must_change_password: true,
        customers,
    }
}

async fn logins_are_saved_found_by_username_and_unique_per_merchant(db: Database) {
    let repo = db.logins();
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 2).await;
    let mut ann = login(m, "ap@group.example", vec![people[0].0]);
    repo.save(&ann).await.unwrap();
    let name = Username::parse("AP@group.example").unwrap();
    assert_eq!(repo.find_by_username(m, &name).await.unwrap(), Some(ann.clone()));

    ann.link_customer(people[1].0);
    ann.must_change_password = false;
    repo.save(&ann).await.unwrap();
    assert_eq!(repo.find_by_username(m, &name).await.unwrap(), Some(ann.clone()));

    let other = Username::parse("free@example.com").unwrap();
    let taken = repo.taken(m, &[name.clone(), other]).await.unwrap();
    assert_eq!(taken.into_iter().collect::<Vec<_>>(), [name]);

    let clash = login(m, "ap@group.example", vec![]);
    match repo.save(&clash).await {
        Err(RepositoryError::Conflict { constraint }) => assert_eq!(constraint, "logins_merchant_username"),
        other => panic!("expected the username constraint, got {other:?}"),
    }
    let elsewhere = merchant(&db, "B").await;
    repo.save(&login(elsewhere, "ap@group.example", vec![])).await.unwrap();
}

async fn a_login_named_by_a_non_ascii_email_is_the_contacts_login(db: Database) {
    let m = merchant(&db, "A").await;
    db.customers().upsert_customers(m, &[customer("erp-1", "ÉMILE.Rossi@Example.net")], t0()).await.unwrap();
    let before = db.invitations().candidates(m, &Selection::All, None, 10).await.unwrap();
    assert!(!before[0].standing.has_login);

    let email = EmailAddress::parse("ÉMILE.Rossi@Example.net").unwrap();
    let mut person = login(m, "placeholder", vec![before[0].customer.id]);
    person.username = Username::from_email(&email);
    db.logins().save(&person).await.unwrap();

    let after = db.invitations().candidates(m, &Selection::All, None, 10).await.unwrap();
    assert!(after[0].standing.has_login, "émile.rossi@example.net reaches the customer");
}
