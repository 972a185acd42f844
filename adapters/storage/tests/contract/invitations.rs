//! Invitations: atomic writes, token lookup, standing, the one-open rule.

use portico_app::{InvitationReader, InvitationWrite, InvitationWriter, PageRequest, RepositoryError, Selection};
use portico_domain::{Actor, EventKind, InvitationLifetime, InvitationStatus, ResendPolicy, StaffUserId};
use portico_storage::Database;
use uuid::Uuid;

use crate::support::{at, email, issue, merchant, seed, t0, token};

contract!(
    an_invitation_is_written_with_its_event_and_email_and_found_by_current_and_retired_tokens,
    candidates_carry_their_standing_and_page_by_contact_id,
    a_second_open_invitation_for_a_contact_is_refused_by_the_database,
    a_chunk_whose_last_row_conflicts_leaves_no_partial_invitation,
    an_offset_past_the_signed_range_answers_an_empty_page,
);

async fn an_invitation_is_written_with_its_event_and_email_and_found_by_current_and_retired_tokens(db: Database) {
    let repo = db.invitations();
    let m = merchant(&db, "A").await;
    let (customer, contact) = seed(&db, m, "c", 1).await[0];
    let write = issue(m, customer, contact, 1, t0());
    let email_id = write.email.as_ref().unwrap().id;
    repo.insert(m, std::slice::from_ref(&write)).await.unwrap();

    let mut invitation = repo.find(m, write.invitation.id()).await.unwrap().unwrap();
    assert_eq!(invitation, write.invitation);
    assert_eq!(repo.events(m, invitation.id()).await.unwrap(), vec![write.event.clone()]);
    assert!(matches!(
        db.outbox().status(email_id).await.unwrap(),
        Some(portico_app::DeliveryStatus::Queued { attempts: 0, .. })
    ));
    let listed = repo.list(m, None, PageRequest::default(), t0()).await.unwrap();
    assert_eq!((listed.total, listed.items[0].status), (1, InvitationStatus::Pending));
    assert!(listed.items[0].delivery.is_some());

    // Resend: the first token is retired, the new one current; both find it.
    let staff = Actor::Staff(StaffUserId::from_uuid(Uuid::now_v7()));
    let resent = invitation
        .resend(token(2), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, staff, at(3_600))
        .unwrap();
    let update = InvitationWrite {
        invitation: invitation.clone(),
        event: resent.event,
        email: Some(email(m, Some(invitation.id()))),
    };
    repo.update(m, &update).await.unwrap();
    assert_eq!(repo.find_by_token(&token(1).hash()).await.unwrap(), Some(invitation.clone()));
    assert_eq!(repo.find_by_token(&token(2).hash()).await.unwrap(), Some(invitation.clone()));
    assert_eq!(repo.find_by_token(&token(99).hash()).await.unwrap(), None);

    // Accept with the current token: it is retired too and still finds the invitation.
    let event = invitation.accept(&token(2), Actor::Contact(contact), at(7_200)).unwrap();
    repo.update(m, &InvitationWrite { invitation: invitation.clone(), event, email: None }).await.unwrap();
    let found = repo.find_by_token(&token(2).hash()).await.unwrap().unwrap();
    assert_eq!(found, invitation);
    assert_eq!(found.status(at(7_200)), InvitationStatus::Accepted);
    let kinds: Vec<EventKind> = repo.events(m, invitation.id()).await.unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Issued, EventKind::Resent, EventKind::Accepted]);
    let accepted = repo.list(m, Some(InvitationStatus::Accepted), PageRequest::default(), at(7_200)).await.unwrap();
    assert_eq!(accepted.total, 1);
    assert_eq!(
        repo.list(m, Some(InvitationStatus::Pending), PageRequest::default(), at(7_200)).await.unwrap().total,
        0
    );
}

async fn candidates_carry_their_standing_and_page_by_contact_id(db: Database) {
    let repo = db.invitations();
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 5).await;
    let mut ids: Vec<_> = Vec::new();
    let mut after = None;
    loop {
        let page = repo.candidates(m, &Selection::All, after, 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.contact.id);
        ids.extend(page.iter().map(|c| c.contact.id));
    }
    assert_eq!(ids, people.iter().map(|p| p.1).collect::<Vec<_>>(), "every contact once, in id order");

    let (c0, c1, c2) = (people[0], people[1], people[2]);
    repo.insert(m, &[issue(m, c0.0, c0.1, 10, t0())]).await.unwrap();
    let declined = issue(m, c1.0, c1.1, 11, t0());
    let accepted = issue(m, c2.0, c2.1, 12, t0());
    repo.insert(m, &[declined.clone(), accepted.clone()]).await.unwrap();
    let mut inv = declined.invitation;
    let event = inv.decline(&token(11), Actor::Contact(c1.1), at(10)).unwrap();
    repo.update(m, &InvitationWrite { invitation: inv, event, email: None }).await.unwrap();
    let mut inv = accepted.invitation;
    let event = inv.accept(&token(12), Actor::Contact(c2.1), at(10)).unwrap();
    repo.update(m, &InvitationWrite { invitation: inv, event, email: None }).await.unwrap();

    let all = repo.candidates(m, &Selection::All, None, 10).await.unwrap();
    let standing: Vec<_> =
        all.iter().map(|c| (c.standing.open_invitation, c.standing.declined, c.standing.has_login)).collect();
    assert_eq!(
        standing,
        [
            (true, false, false),
            (false, true, false),
            (false, false, true),
            (false, false, false),
            (false, false, false)
        ]
    );

    let one = repo.candidates(m, &Selection::Contacts(vec![people[3].1]), None, 10).await.unwrap();
    assert_eq!(one.iter().map(|c| c.contact.id).collect::<Vec<_>>(), [people[3].1]);
    let by_customer = repo.candidates(m, &Selection::Customers(vec![people[4].0]), None, 10).await.unwrap();
    assert_eq!(by_customer.iter().map(|c| c.contact.id).collect::<Vec<_>>(), [people[4].1]);
}

async fn a_second_open_invitation_for_a_contact_is_refused_by_the_database(db: Database) {
    let repo = db.invitations();
    let m = merchant(&db, "A").await;
    let (customer, contact) = seed(&db, m, "c", 1).await[0];
    repo.insert(m, &[issue(m, customer, contact, 1, t0())]).await.unwrap();
    match repo.insert(m, &[issue(m, customer, contact, 2, at(5))]).await {
        Err(RepositoryError::Conflict { constraint }) => assert_eq!(constraint, "invitations_one_open_per_contact"),
        other => panic!("expected the one-open constraint, got {other:?}"),
    }
}

async fn a_chunk_whose_last_row_conflicts_leaves_no_partial_invitation(db: Database) {
    let repo = db.invitations();
    let m = merchant(&db, "A").await;
    let people = seed(&db, m, "c", 3).await;
    repo.insert(m, &[issue(m, people[2].0, people[2].1, 1, t0())]).await.unwrap();

    let chunk: Vec<_> = people.iter().enumerate().map(|(i, p)| issue(m, p.0, p.1, 10 + i as u32, at(60))).collect();
    let result = repo.insert(m, &chunk).await;
    assert!(matches!(result, Err(RepositoryError::Conflict { .. })), "{result:?}");
    for (i, write) in chunk.iter().take(2).enumerate() {
        assert_eq!(repo.find(m, write.invitation.id()).await.unwrap(), None);
        assert!(repo.events(m, write.invitation.id()).await.unwrap().is_empty());
        assert_eq!(db.outbox().status(write.email.as_ref().unwrap().id).await.unwrap(), None);
        assert_eq!(repo.find_by_token(&token(10 + i as u32).hash()).await.unwrap(), None);
    }
    assert_eq!(repo.list(m, None, PageRequest::default(), at(60)).await.unwrap().total, 1);
}

async fn an_offset_past_the_signed_range_answers_an_empty_page(db: Database) {
    let repo = db.invitations();
    let m = merchant(&db, "A").await;
    let (customer, contact) = seed(&db, m, "c", 1).await[0];
    repo.insert(m, &[issue(m, customer, contact, 1, t0())]).await.unwrap();
    for offset in [1_u64 << 63, u64::MAX] {
        let page = repo.list(m, None, PageRequest { offset, limit: 50 }, t0()).await.unwrap();
        assert!(page.items.is_empty(), "offset {offset}");
        assert_eq!(page.total, 1);
    }
}
