//! Walks one invitation through its life: issue, expire, resend, accept.
//! `make run` shows this until the composed server exists.

use chrono::{TimeDelta, TimeZone, Utc};
use portico_domain::{
    Actor, ContactId, ContactStanding, CustomerId, EmailAddress, Invitation, InvitationEvent, InvitationId,
    InvitationLifetime, InvitationMode, MerchantId, NewInvitation, ResendPolicy, SecretToken,
};
use uuid::Uuid;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().ok_or("bad date")?;
    let lifetime = InvitationLifetime::days(14)?;
    let new = NewInvitation {
        id: InvitationId::from_uuid(Uuid::from_u128(1)),
        merchant_id: MerchantId::from_uuid(Uuid::from_u128(2)),
        customer_id: CustomerId::from_uuid(Uuid::from_u128(3)),
        contact_id: ContactId::from_uuid(Uuid::from_u128(4)),
        recipient: EmailAddress::parse("olga.müller@example.com")?,
        mode: InvitationMode::Link,
        lifetime,
        override_declined: false,
    };
    let from = |e: &InvitationEvent| e.from.map_or("-", |s| s.as_str());
    let first = SecretToken::from_bytes([1; 32]);
    let issued = Invitation::issue(new, ContactStanding::default(), first.clone(), Actor::System, now)?;
    let mut invitation = issued.invitation;
    println!("{now}  issued    → {}", invitation.status(now));

    now += TimeDelta::days(15);
    println!("{now}  (no action) → {}", invitation.status(now));
    if let Err(e) = invitation.accept(&first, Actor::System, now) {
        println!("{now}  accept with the first link: {e}");
    }

    let second = SecretToken::from_bytes([2; 32]);
    let resent = invitation.resend(second.clone(), lifetime, ResendPolicy::default(), None, Actor::System, now)?;
    println!("{now}  resent    {} → {}", from(&resent.event), resent.event.to);
    if let Err(e) = invitation.check_token(&first, now) {
        println!("{now}  the first link now says: {e}");
    }

    now += TimeDelta::hours(2);
    let accepted = invitation.accept(&second, Actor::System, now)?;
    println!("{now}  accepted  {} → {}", from(&accepted), accepted.to);
    if let Err(e) = invitation.accept(&second, Actor::System, now) {
        println!("{now}  accept again: {e}");
    }
    Ok(())
}
