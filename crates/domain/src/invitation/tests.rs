use chrono::{TimeDelta, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::{ContactId, CustomerId, InvitationId, MerchantId, StaffUserId};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().unwrap()
}

fn token(n: u8) -> SecretToken {
    SecretToken::from_bytes([n; 32])
}

fn new(mode: InvitationMode) -> NewInvitation {
    NewInvitation {
        id: InvitationId::from_uuid(Uuid::from_u128(1)),
        merchant_id: MerchantId::from_uuid(Uuid::from_u128(2)),
        customer_id: CustomerId::from_uuid(Uuid::from_u128(3)),
        contact_id: ContactId::from_uuid(Uuid::from_u128(4)),
        recipient: EmailAddress::parse("ann@example.com").unwrap(),
        mode,
        lifetime: InvitationLifetime::days(14).unwrap(),
        override_declined: false,
    }
}

fn issued() -> Invitation {
    Invitation::issue(new(InvitationMode::Link), ContactStanding::default(), token(1), Actor::System, t0())
        .unwrap()
        .invitation
}

const STAFF: Actor = Actor::Staff(StaffUserId::from_uuid(Uuid::nil()));

#[test]
fn an_issued_invitation_is_pending_until_it_expires() {
    let inv = issued();
    assert_eq!(inv.status(t0()), InvitationStatus::Pending);
    assert_eq!(inv.status(t0() + TimeDelta::days(14) - TimeDelta::seconds(1)), InvitationStatus::Pending);
    assert_eq!(inv.status(t0() + TimeDelta::days(14)), InvitationStatus::Expired);
}

#[test]
fn issuing_to_a_contact_with_a_login_or_an_open_invitation_fails() {
    let with_login = ContactStanding { has_login: true, ..ContactStanding::default() };
    let open = ContactStanding { open_invitation: true, ..ContactStanding::default() };
    let issue = |s| Invitation::issue(new(InvitationMode::Link), s, token(1), Actor::System, t0()).map(|_| ());
    assert_eq!(issue(with_login), Err(IssueError::HasLogin));
    assert_eq!(issue(open), Err(IssueError::AlreadyInvited));
}

#[test]
fn a_contact_who_declined_needs_an_explicit_override() {
    let declined = ContactStanding { declined: true, ..ContactStanding::default() };
    let refused = Invitation::issue(new(InvitationMode::Link), declined, token(1), Actor::System, t0());
    assert_eq!(refused.map(|_| ()), Err(IssueError::Declined));
    let forced = NewInvitation { override_declined: true, ..new(InvitationMode::Link) };
    assert!(Invitation::issue(forced, declined, token(1), Actor::System, t0()).is_ok());
}

#[test]
fn expired_invitation_cannot_be_accepted() {
    let mut inv = issued();
    let later = t0() + TimeDelta::days(15);
    assert_eq!(inv.accept(&token(1), Actor::System, later), Err(TransitionError::Expired));
    assert_eq!(inv.status(later), InvitationStatus::Expired);
}

#[test]
fn resending_retires_every_earlier_token() {
    let mut inv = issued();
    let at = t0() + TimeDelta::days(1);
    inv.resend(token(2), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, STAFF, at).unwrap();
    inv.resend(token(3), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, STAFF, at).unwrap();
    assert_eq!(inv.check_token(&token(1), at), Err(TransitionError::Replaced));
    assert_eq!(inv.check_token(&token(2), at), Err(TransitionError::Replaced));
    assert_eq!(inv.check_token(&token(9), at), Err(TransitionError::WrongToken));
    assert!(inv.accept(&token(3), Actor::System, at).is_ok());
    assert_eq!(inv.send_count(), 3);
}

#[test]
fn resending_an_expired_invitation_makes_it_pending_with_a_new_expiry() {
    let mut inv = issued();
    let later = t0() + TimeDelta::days(20);
    let resent =
        inv.resend(token(2), InvitationLifetime::default(), ResendPolicy::default(), None, STAFF, later).unwrap();
    assert_eq!((resent.event.from, resent.event.to), (Some(InvitationStatus::Expired), InvitationStatus::Pending));
    assert_eq!(inv.expires_at(), Some(later + TimeDelta::days(14)));
}

#[test]
fn resending_within_the_rate_limit_is_refused_and_changes_nothing() {
    let mut inv = issued();
    let before = inv.clone();
    let soon = t0() + TimeDelta::seconds(10);
    let err =
        inv.resend(token(2), InvitationLifetime::default(), ResendPolicy::min_interval_secs(60), None, STAFF, soon);
    assert_eq!(err.map(|_| ()), Err(TransitionError::TooSoon { min_interval_secs: 60 }));
    assert_eq!(inv, before);
}

#[test]
fn accepted_is_terminal() {
    let mut inv = issued();
    inv.accept(&token(1), Actor::System, t0()).unwrap();
    let before = inv.clone();
    let accepted = InvitationStatus::Accepted;
    assert_eq!(
        inv.decline(&token(1), Actor::System, t0()),
        Err(TransitionError::NotAllowed { action: EventKind::Declined, status: accepted })
    );
    assert_eq!(
        inv.revoke(STAFF, t0()),
        Err(TransitionError::NotAllowed { action: EventKind::Revoked, status: accepted })
    );
    let resend = inv.resend(token(2), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, STAFF, t0());
    assert_eq!(resend.map(|_| ()), Err(TransitionError::NotAllowed { action: EventKind::Resent, status: accepted }));
    assert_eq!(inv, before);
}

#[test]
fn a_used_link_says_so_and_a_foreign_one_says_wrong_token() {
    let mut inv = issued();
    inv.decline(&token(1), Actor::System, t0()).unwrap();
    assert_eq!(
        inv.check_token(&token(1), t0()),
        Err(TransitionError::NotAllowed { action: EventKind::Accepted, status: InvitationStatus::Declined })
    );
    assert_eq!(inv.check_token(&token(7), t0()), Err(TransitionError::WrongToken));
}

#[test]
fn revoking_works_on_pending_and_expired_and_kills_the_link() {
    let mut pending = issued();
    assert!(pending.revoke(STAFF, t0()).is_ok());
    assert_eq!(pending.status(t0()), InvitationStatus::Revoked);
    let mut expired = issued();
    let later = t0() + TimeDelta::days(30);
    let event = expired.revoke(STAFF, later).unwrap();
    assert_eq!(event.from, Some(InvitationStatus::Expired));
    assert_eq!(event.actor, STAFF);
    assert!(expired.accept(&token(1), Actor::System, later).is_err());
}

#[test]
fn signing_in_accepts_only_credentials_invitations() {
    let mut link = issued();
    assert_eq!(link.accept_by_sign_in(Actor::System, t0()), Err(TransitionError::WrongMode("credentials")));
    let mode = InvitationMode::Credentials {
        username: Username::parse("c20772").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$old".into()),
    };
    let mut creds =
        Invitation::issue(new(mode), ContactStanding::default(), token(1), Actor::System, t0()).unwrap().invitation;
    assert!(creds.accept_by_sign_in(Actor::System, t0()).is_ok());
}

#[test]
fn a_credentials_resend_replaces_the_password_hash() {
    let mode = InvitationMode::Credentials {
        username: Username::parse("c20772").unwrap(),
        password_hash: PasswordHash::from_phc("$argon2id$old".into()),
    };
    let mut inv =
        Invitation::issue(new(mode), ContactStanding::default(), token(1), Actor::System, t0()).unwrap().invitation;
    let fresh = PasswordHash::from_phc("$argon2id$new".into());
    inv.resend(token(2), InvitationLifetime::default(), ResendPolicy::UNLIMITED, Some(fresh.clone()), STAFF, t0())
        .unwrap();
    assert!(matches!(inv.mode(), InvitationMode::Credentials { password_hash, .. } if *password_hash == fresh));
}

#[test]
fn a_record_round_trips() {
    let inv = issued();
    assert_eq!(Invitation::from_record(inv.to_record()), inv);
}

#[test]
fn a_reissue_can_send_the_new_link_to_the_email_on_file() {
    let mut inv = issued();
    let on_file = EmailAddress::parse("ann.lee@customer.example").unwrap();
    let later = t0() + TimeDelta::days(20);
    let reissue = Reissue {
        token: token(2),
        lifetime: InvitationLifetime::default(),
        policy: ResendPolicy::default(),
        new_password: None,
        recipient: Some(on_file.clone()),
    };
    inv.reissue(reissue, Actor::System, later).unwrap();
    assert_eq!(inv.recipient(), &on_file);
    assert_eq!(inv.status(later), InvitationStatus::Pending);
}

#[test]
fn statuses_have_stable_lower_case_names() {
    let names: Vec<String> = [
        InvitationStatus::Pending,
        InvitationStatus::Accepted,
        InvitationStatus::Declined,
        InvitationStatus::Expired,
        InvitationStatus::Revoked,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();

    assert_eq!(names, ["pending", "accepted", "declined", "expired", "revoked"]);
    assert_eq!(InvitationStatus::Expired.as_str(), "expired");
}

#[test]
fn a_resend_keeps_the_hashes_of_every_earlier_token_and_only_them() {
    let mut inv = issued();
    assert!(inv.retired_tokens().is_empty());

    inv.resend(token(2), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, STAFF, t0()).unwrap();
    inv.resend(token(3), InvitationLifetime::default(), ResendPolicy::UNLIMITED, None, STAFF, t0()).unwrap();

    assert_eq!(inv.retired_tokens(), [token(1).hash(), token(2).hash()]);
    assert_eq!(inv.token_hash(), Some(token(3).hash()));
}

#[test]
fn events_have_a_stored_name_and_a_verb_for_messages() {
    let kinds = [EventKind::Issued, EventKind::Resent, EventKind::Accepted, EventKind::Declined, EventKind::Revoked];

    let names: Vec<&str> = kinds.iter().map(EventKind::as_str).collect();
    let verbs: Vec<String> = kinds.iter().map(ToString::to_string).collect();

    assert_eq!(names, ["issued", "resent", "accepted", "declined", "revoked"]);
    assert_eq!(verbs, ["issue", "resend", "accept", "decline", "revoke"]);
    assert_eq!(EventKind::Accepted.verb(), "accept");
}

#[test]
fn a_lifetime_in_days_is_bounded_like_one_in_seconds() {
    assert_eq!(InvitationLifetime::days(0), Err(LifetimeError(0)));
    assert_eq!(InvitationLifetime::days(366), Err(LifetimeError(366 * 86_400)));
    assert_eq!(InvitationLifetime::days(30).map(|l| l.as_delta()), Ok(TimeDelta::days(30)));
}

#[test]
fn asking_whether_a_resend_is_allowed_changes_nothing_and_agrees_with_the_resend() {
    let mut inv = issued();
    let policy = ResendPolicy::default();
    let soon = t0() + TimeDelta::seconds(30);
    let before = inv.clone();
    assert!(matches!(inv.can_reissue(policy, soon), Err(TransitionError::TooSoon { .. })));
    assert_eq!(inv, before, "asking changed the invitation");
    let later = t0() + TimeDelta::minutes(10);
    assert_eq!(inv.can_reissue(policy, later), Ok(InvitationStatus::Pending));
    assert!(inv.is_current_token(&token(1)));
    inv.resend(token(2), InvitationLifetime::default(), policy, None, STAFF, later).unwrap();
    assert!(!inv.is_current_token(&token(1)), "a replaced token is retired");
    assert!(inv.is_current_token(&token(2)));
    inv.accept(&token(2), STAFF, later).unwrap();
    assert!(!inv.is_current_token(&token(2)), "a used token is retired");
    assert!(matches!(inv.can_reissue(policy, later), Err(TransitionError::NotAllowed { .. })));
}
