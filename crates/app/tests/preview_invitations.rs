//! Previewing a send: counts over the whole selection, first rows only,
//! nothing written.

mod support;

use std::sync::Arc;

use portico_app::use_cases::preview_invitations::PreviewInvitations;
use portico_app::*;
use portico_domain::*;
use support::*;

#[tokio::test]
async fn a_preview_counts_everyone_lists_the_first_rows_and_writes_nothing() {
    let mut invitations = MockInvitationReader::new();
    invitations.expect_candidates().returning(|_, _, after, limit| {
        let start = after.map_or(1, |id| id.as_uuid().as_u128() + 1);
        let end = (start + u128::from(limit)).min(701);
        Ok((start..end)
            .map(|n| {
                // Every tenth contact has no email; every seventh has a login.
                let email = if n % 10 == 0 { String::new() } else { format!("c{n}@example.com") };
                let standing = ContactStanding { has_login: n % 7 == 0, ..ContactStanding::default() };
                candidate(n, &email, None, standing)
            })
            .collect())
    });
    // No insert expectation: writing would fail the test.
    let preview =
        PreviewInvitations { invitations: Arc::new(invitations), logins: Arc::new(MockLoginRepository::new()) };

    let result = preview.execute(MERCHANT, &Selection::All, &InvitePlan::default(), 25).await.unwrap();

    assert_eq!(result.total, 700);
    let has_login = (1..=700).filter(|n| n % 7 == 0).count() as u64;
    let missing = (1..=700).filter(|n| n % 10 == 0 && n % 7 != 0).count() as u64;
    assert_eq!(result.skipped.get(&SkipReason::HasLogin), Some(&has_login));
    assert_eq!(result.skipped.get(&SkipReason::MissingEmail), Some(&missing));
    assert_eq!(result.invited, 700 - has_login - missing);
    assert_eq!(result.rows.len(), 25);
    assert_eq!(result.rows[6].outcome, Err(SkipReason::HasLogin));
    assert_eq!(result.rows[0].outcome.as_ref().unwrap().recipient, "c1@example.com");
}
