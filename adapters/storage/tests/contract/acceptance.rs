//! Acceptance: the invitation and the login change together, or not at all.

use std::collections::HashSet;
use std::sync::Arc;

use portico_app::{
    AcceptanceRepository, AcceptedLogin, InvitationReader, InvitationWrite, InvitationWriter, LoginRepository,
    RepositoryError,
};
use portico_domain::{Actor, InvitationStatus, Username};
use portico_storage::Database;
use tokio::sync::Barrier;

use crate::logins::login;
use crate::support::{at, issue, merchant, seed, t0, token};

contract!(
    accepting_writes_the_invitation_and_the_login_together,
    a_revoked_invitation_cannot_be_accepted,
    one_person_accepting_two_invitations_at_once_reaches_both_customers,
);

async fn accepting_writes_the_invitation_and_the_login_together(db: Database) {
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 1).await;
    let (customer, contact) = people[0];
    let issued = issue(m, customer, contact, 1, t0());
    db.invitations().insert(m, std::slice::from_ref(&issued)).await.unwrap();

    let mut invitation = issued.invitation;
    let event = invitation.accept(&token(1), Actor::Contact(contact), at(60)).unwrap();
    let person = login(m, "invitee@example.com", vec![customer]);
    let new = AcceptedLogin::New(person.clone());
    db.acceptance()
        .accept(m, &InvitationWrite { invitation: invitation.clone(), event, email: None }, &new)
        .await
        .unwrap();

    let stored = db.invitations().find(m, invitation.id()).await.unwrap().unwrap();
    assert_eq!(stored.status(at(60)), InvitationStatus::Accepted);
    let name = Username::parse("invitee@example.com").unwrap();
    assert_eq!(db.logins().find_by_username(m, &name).await.unwrap(), Some(person));
    let trail = db.invitations().events(m, invitation.id()).await.unwrap();
    assert_eq!(trail.last().map(|e| e.to), Some(InvitationStatus::Accepted));
}

async fn a_revoked_invitation_cannot_be_accepted(db: Database) {
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 1).await;
    let (customer, contact) = people[0];
    let issued = issue(m, customer, contact, 1, t0());
    db.invitations().insert(m, std::slice::from_ref(&issued)).await.unwrap();

    // Staff revoke while the contact has the page open.
    let mut revoked = issued.invitation.clone();
    let event = revoked.revoke(Actor::System, at(30)).unwrap();
    db.invitations().update(m, &InvitationWrite { invitation: revoked, event, email: None }).await.unwrap();

    let mut stale = issued.invitation;
    let event = stale.accept(&token(1), Actor::Contact(contact), at(60)).unwrap();
    let person = AcceptedLogin::New(login(m, "invitee@example.com", vec![customer]));
    let result =
        db.acceptance().accept(m, &InvitationWrite { invitation: stale.clone(), event, email: None }, &person).await;

    assert!(matches!(result, Err(RepositoryError::Conflict { .. })), "got {result:?}");
    let name = Username::parse("invitee@example.com").unwrap();
    assert_eq!(db.logins().find_by_username(m, &name).await.unwrap(), None, "no login without the acceptance");
    let stored = db.invitations().find(m, stale.id()).await.unwrap().unwrap();
    assert_eq!(stored.status(at(60)), InvitationStatus::Revoked);
}

/// An accounts-payable mailbox with a login for customer A accepts the
/// invitations of customers B and C at the same moment (two browser tabs):
/// the login ends up reaching all three.
async fn one_person_accepting_two_invitations_at_once_reaches_both_customers(db: Database) {
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 3).await;
    let person = login(m, "ap@group.example", vec![people[0].0]);
    db.logins().save(&person).await.unwrap();
    let mut writes = Vec::new();
    for (n, &(customer, contact)) in people[1..].iter().enumerate() {
        let n = u32::try_from(n).unwrap() + 1;
        let issued = issue(m, customer, contact, n, t0());
        db.invitations().insert(m, std::slice::from_ref(&issued)).await.unwrap();
        let mut invitation = issued.invitation;
        let event = invitation.accept(&token(n), Actor::Contact(contact), at(60)).unwrap();
        writes.push(InvitationWrite { invitation, event, email: None });
    }
    let start = Arc::new(Barrier::new(writes.len()));
    let tasks: Vec<_> = writes
        .into_iter()
        .map(|write| {
            let (acceptance, start, id) = (db.acceptance(), start.clone(), person.id);
            tokio::spawn(async move {
                start.wait().await;
                acceptance.accept(m, &write, &AcceptedLogin::Existing(id)).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let name = Username::parse("ap@group.example").unwrap();
    let stored = db.logins().find_by_username(m, &name).await.unwrap().unwrap();
    let reached: HashSet<_> = stored.customers.iter().copied().collect();
    let all: HashSet<_> = people.iter().map(|p| p.0).collect();
    assert_eq!(reached, all, "a concurrent accept lost a customer link");
    assert_eq!(stored.password_hash, person.password_hash);
}
