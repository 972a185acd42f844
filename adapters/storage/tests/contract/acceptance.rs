//! Acceptance: the invitation and the login change together, or not at all.

use portico_app::{
    AcceptanceRepository, InvitationReader, InvitationWrite, InvitationWriter, LoginRepository, RepositoryError,
};
use portico_domain::{Actor, InvitationStatus, Username};
use portico_storage::Database;

use crate::logins::login;
use crate::support::{at, issue, merchant, seed, t0, token};

contract!(accepting_writes_the_invitation_and_the_login_together, a_revoked_invitation_cannot_be_accepted);

async fn accepting_writes_the_invitation_and_the_login_together(db: Database) {
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 1).await;
    let (customer, contact) = people[0];
    let issued = issue(m, customer, contact, 1, t0());
    db.invitations().insert(m, std::slice::from_ref(&issued)).await.unwrap();

    let mut invitation = issued.invitation;
    let event = invitation.accept(&token(1), Actor::Contact(contact), at(60)).unwrap();
    let person = login(m, "invitee@example.com", vec![customer]);
    db.acceptance()
        .accept(m, &InvitationWrite { invitation: invitation.clone(), event, email: None }, &person)
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
    let person = login(m, "invitee@example.com", vec![customer]);
    let result =
        db.acceptance().accept(m, &InvitationWrite { invitation: stale.clone(), event, email: None }, &person).await;

    assert!(matches!(result, Err(RepositoryError::Conflict { .. })), "got {result:?}");
    let name = Username::parse("invitee@example.com").unwrap();
    assert_eq!(db.logins().find_by_username(m, &name).await.unwrap(), None, "no login without the acceptance");
    let stored = db.invitations().find(m, stale.id()).await.unwrap().unwrap();
    assert_eq!(stored.status(at(60)), InvitationStatus::Revoked);
}
