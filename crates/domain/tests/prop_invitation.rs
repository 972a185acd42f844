//! The invitation state machine under random command sequences at random
//! times: DESIGN §3's invariants hold after every step.

mod common;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use portico_domain::{
    Actor, ContactId, ContactStanding, CustomerId, EmailAddress, Invitation, InvitationId, InvitationLifetime,
    InvitationMode, InvitationState, InvitationStatus, IssueError, MerchantId, NewInvitation, ResendPolicy,
    SecretToken, TransitionError,
};
use proptest::prelude::*;
use uuid::Uuid;

#[derive(Clone, Debug)]
enum Cmd {
    Issue { override_declined: bool },
    Resend { which: usize },
    Accept { token: usize },
    Decline { token: usize },
    AcceptUnknownToken { which: usize },
    Revoke { which: usize },
    SignIn { which: usize },
    Advance { secs: i64 },
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        2 => any::<bool>().prop_map(|override_declined| Cmd::Issue { override_declined }),
        3 => any::<usize>().prop_map(|which| Cmd::Resend { which }),
        3 => any::<usize>().prop_map(|token| Cmd::Accept { token }),
        2 => any::<usize>().prop_map(|token| Cmd::Decline { token }),
        1 => any::<usize>().prop_map(|which| Cmd::AcceptUnknownToken { which }),
        1 => any::<usize>().prop_map(|which| Cmd::Revoke { which }),
        1 => any::<usize>().prop_map(|which| Cmd::SignIn { which }),
        4 => (0_i64..20 * 86_400).prop_map(|secs| Cmd::Advance { secs }),
    ]
}

/// One contact's world: its invitations and every token ever issued.
struct World {
    now: DateTime<Utc>,
    lifetime: InvitationLifetime,
    policy: ResendPolicy,
    min_interval: i64,
    has_login: bool,
    invitations: Vec<Invitation>,
    /// (invitation index, token) in issue order.
    tokens: Vec<(usize, SecretToken)>,
    /// Per invitation, the index into `tokens` of its newest token.
    newest: Vec<usize>,
    next: u64,
}

impl World {
    fn fresh_token(&mut self) -> SecretToken {
        self.next += 1;
        let mut bytes = [0_u8; 32];
        bytes[..8].copy_from_slice(&self.next.to_le_bytes());
        SecretToken::from_bytes(bytes)
    }

    fn standing(&self) -> ContactStanding {
        ContactStanding {
            has_login: self.has_login,
            open_invitation: self.invitations.iter().any(|i| matches!(i.state(), InvitationState::Open { .. })),
            declined: self.invitations.last().is_some_and(|i| matches!(i.state(), InvitationState::Declined { .. })),
        }
    }

    fn pick(&self, which: usize) -> Option<usize> {
        (!self.invitations.is_empty()).then(|| which % self.invitations.len())
    }

    fn is_open_and_valid(&self, i: usize) -> bool {
        self.invitations[i].status(self.now) == InvitationStatus::Pending
    }
}

fn new_invitation(n: usize, lifetime: InvitationLifetime, override_declined: bool) -> NewInvitation {
    NewInvitation {
        id: InvitationId::from_uuid(Uuid::from_u128(n as u128 + 1)),
        merchant_id: MerchantId::from_uuid(Uuid::nil()),
        customer_id: CustomerId::from_uuid(Uuid::nil()),
        contact_id: ContactId::from_uuid(Uuid::from_u128(7)),
        recipient: EmailAddress::parse("ann@example.com").unwrap(),
        mode: InvitationMode::Link,
        lifetime,
        override_declined,
    }
}

/// Runs a command against the aggregate and checks it against the model.
fn step(w: &mut World, cmd: &Cmd) -> Result<(), TestCaseError> {
    let now = w.now;
    match *cmd {
        Cmd::Advance { secs } => w.now += TimeDelta::seconds(secs),
        Cmd::Issue { override_declined } => {
            let standing = w.standing();
            let token = w.fresh_token();
            let n = w.invitations.len();
            let result = Invitation::issue(
                new_invitation(n, w.lifetime, override_declined),
                standing,
                token.clone(),
                Actor::System,
                now,
            );
            let expected = if standing.has_login {
                Err(IssueError::HasLogin)
            } else if standing.open_invitation {
                Err(IssueError::AlreadyInvited)
            } else if standing.declined && !override_declined {
                Err(IssueError::Declined)
            } else {
                Ok(())
            };
            prop_assert_eq!(result.as_ref().map(|_| ()).map_err(|e| *e), expected);
            if let Ok(issued) = result {
                prop_assert_eq!(issued.token.clone(), token.clone());
                prop_assert!(issued.invitation.token_hash().is_some_and(|h| h.matches(&token)));
                w.invitations.push(issued.invitation);
                w.tokens.push((n, token));
                w.newest.push(w.tokens.len() - 1);
            }
        }
        Cmd::Resend { which } => {
            let Some(i) = w.pick(which) else { return Ok(()) };
            let token = w.fresh_token();
            let before = w.invitations[i].clone();
            let open = matches!(before.state(), InvitationState::Open { .. });
            let too_soon = now < before.last_sent_at() + TimeDelta::seconds(w.min_interval);
            let result = w.invitations[i].resend(token.clone(), w.lifetime, w.policy, None, Actor::System, now);
            prop_assert_eq!(result.is_ok(), open && !too_soon);
            if result.is_ok() {
                w.tokens.push((i, token));
                w.newest[i] = w.tokens.len() - 1;
            } else {
                prop_assert_eq!(&w.invitations[i], &before, "a refused resend changed the invitation");
            }
        }
        Cmd::Accept { token } | Cmd::Decline { token } => {
            if w.tokens.is_empty() {
                return Ok(());
            }
            let t = token % w.tokens.len();
            let (i, secret) = w.tokens[t].clone();
            let before = w.invitations[i].clone();
            let should_work = w.newest[i] == t && w.is_open_and_valid(i);
            let result = match cmd {
                Cmd::Accept { .. } => w.invitations[i].accept(&secret, Actor::System, now),
                _ => w.invitations[i].decline(&secret, Actor::System, now),
            };
            prop_assert_eq!(result.is_ok(), should_work, "token {} of invitation {}: {:?}", t, i, result);
            match result {
                Ok(event) if matches!(cmd, Cmd::Accept { .. }) => {
                    prop_assert_eq!(event.to, InvitationStatus::Accepted);
                    w.has_login = true;
                }
                Ok(event) => prop_assert_eq!(event.to, InvitationStatus::Declined),
                Err(e) => {
                    prop_assert_eq!(&w.invitations[i], &before, "a refused transition changed the invitation");
                    if w.newest[i] != t && matches!(before.state(), InvitationState::Open { .. }) {
                        prop_assert_eq!(e, TransitionError::Replaced);
                    }
                }
            }
        }
        Cmd::AcceptUnknownToken { which } => {
            let Some(i) = w.pick(which) else { return Ok(()) };
            let before = w.invitations[i].clone();
            let stranger = w.fresh_token();
            let result = w.invitations[i].accept(&stranger, Actor::System, now);
            prop_assert_eq!(result, Err(TransitionError::WrongToken));
            prop_assert_eq!(&w.invitations[i], &before);
        }
        Cmd::Revoke { which } => {
            let Some(i) = w.pick(which) else { return Ok(()) };
            let before = w.invitations[i].clone();
            let open = matches!(before.state(), InvitationState::Open { .. });
            let result = w.invitations[i].revoke(Actor::System, now);
            prop_assert_eq!(result.is_ok(), open);
            if result.is_err() {
                prop_assert_eq!(&w.invitations[i], &before);
            }
        }
        Cmd::SignIn { which } => {
            let Some(i) = w.pick(which) else { return Ok(()) };
            let before = w.invitations[i].clone();
            // Every invitation here is in link mode: signing in never accepts one.
            let result = w.invitations[i].accept_by_sign_in(Actor::System, now);
            prop_assert_eq!(result, Err(TransitionError::WrongMode("credentials")));
            prop_assert_eq!(&w.invitations[i], &before);
        }
    }
    Ok(())
}

fn check_invariants(w: &World, accepted_before: &[bool]) -> Result<(), TestCaseError> {
    let open = w.invitations.iter().filter(|i| matches!(i.state(), InvitationState::Open { .. })).count();
    prop_assert!(open <= 1, "{} open invitations for one contact", open);
    let live = w.invitations.iter().filter(|i| i.status(w.now) == InvitationStatus::Pending).count();
    prop_assert!(live <= 1, "{} live invitations for one contact", live);
    for (inv, was_accepted) in w.invitations.iter().zip(accepted_before) {
        if *was_accepted {
            prop_assert_eq!(inv.status(w.now), InvitationStatus::Accepted, "accepted is terminal");
        }
    }
    let accepted = w.invitations.iter().filter(|i| i.status(w.now) == InvitationStatus::Accepted).count();
    prop_assert!(accepted <= 1, "nothing is issued to a contact with a login");
    if let Some(first_accepted) = w.invitations.iter().position(|i| i.status(w.now) == InvitationStatus::Accepted) {
        prop_assert_eq!(first_accepted, w.invitations.len() - 1, "an invitation was issued after acceptance");
    }
    Ok(())
}

fn world(lifetime_hours: i64, min_interval: i64) -> World {
    World {
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap(),
        lifetime: InvitationLifetime::seconds(lifetime_hours * 3_600).unwrap(),
        policy: ResendPolicy::min_interval_secs(u32::try_from(min_interval).unwrap()),
        min_interval,
        has_login: false,
        invitations: Vec::new(),
        tokens: Vec::new(),
        newest: Vec::new(),
        next: 0,
    }
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn random_command_sequences_keep_every_invariant(
        lifetime_hours in 1_i64..24 * 30,
        min_interval in prop_oneof![Just(0_i64), 1_i64..3_600],
        cmds in prop::collection::vec(cmd(), 1..60),
    ) {
        let mut w = world(lifetime_hours, min_interval);
        for cmd in &cmds {
            let accepted: Vec<bool> = w.invitations.iter().map(|i| i.status(w.now) == InvitationStatus::Accepted).collect();
            step(&mut w, cmd)?;
            check_invariants(&w, &accepted)?;
        }
    }

    #[test]
    fn status_is_a_function_of_time(lifetime_hours in 1_i64..24 * 365, offset in -1_000_000_i64..40_000_000) {
        let w = world(lifetime_hours, 0);
        let issued = Invitation::issue(new_invitation(0, w.lifetime, false), ContactStanding::default(), SecretToken::from_bytes([1; 32]), Actor::System, w.now).unwrap();
        let at = w.now + TimeDelta::seconds(offset);
        let expected = if offset < lifetime_hours * 3_600 { InvitationStatus::Pending } else { InvitationStatus::Expired };
        prop_assert_eq!(issued.invitation.status(at), expected);
        prop_assert_eq!(issued.invitation.status(at), issued.invitation.status(at), "status reads nothing but time");
    }

    #[test]
    fn the_audit_event_of_each_transition_matches_the_status_change(cmds in prop::collection::vec(cmd(), 1..40)) {
        let mut w = world(72, 0);
        for cmd in &cmds {
            let before: Vec<InvitationStatus> = w.invitations.iter().map(|i| i.status(w.now)).collect();
            let now = w.now;
            step(&mut w, cmd)?;
            for (i, inv) in w.invitations.iter().enumerate() {
                let after = inv.status(now);
                if let Some(b) = before.get(i) {
                    // Only the command's own target may change status at a fixed instant.
                    let targeted = matches!(cmd, Cmd::Resend { .. } | Cmd::Accept { .. } | Cmd::Decline { .. } | Cmd::Revoke { .. });
                    prop_assert!(*b == after || targeted, "{:?} changed {:?} to {:?}", cmd, b, after);
                }
            }
        }
    }
}
