//! The batch worker against mocked ports: chunking, resuming after the
//! cursor, failing hopeless batches, and losing the lease.

mod support;

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use portico_app::use_cases::run_invitation_batches::{RunInvitationBatchError, RunInvitationBatches};
use portico_app::use_cases::start_invitation_batch::{
    StartInvitationBatch, StartInvitationBatchCommand, StartInvitationBatchError,
};
use portico_app::*;
use portico_domain::*;
use support::{MERCHANT, Mocks, batch_of, candidate, merchant};
use uuid::Uuid;

fn batch(cursor: Option<ContactId>) -> Batch {
    batch_of(InvitePlan::default(), cursor)
}

/// 1,200 eligible contacts, served in keyset pages like storage does.
fn serve_candidates(mocks: &mut Mocks, afters: Arc<Mutex<Vec<Option<ContactId>>>>) {
    mocks.invitations.expect_candidates().returning(move |_, _, after, limit| {
        afters.lock().unwrap().push(after);
        let start = after.map_or(1, |id| id.as_uuid().as_u128() + 1);
        let end = (start + u128::from(limit)).min(1_201);
        Ok((start..end).map(|n| candidate(n, &format!("c{n}@example.com"), None, ContactStanding::default())).collect())
    });
}

fn worker(mut mocks: Mocks, batches: MockBatchRepository) -> RunInvitationBatches {
    mocks.batches = batches;
    mocks.build()
}

fn worker_waking(mut mocks: Mocks, batches: MockBatchRepository, waker: MockOutboxWaker) -> RunInvitationBatches {
    mocks.waker = waker;
    worker(mocks, batches)
}

#[tokio::test]
async fn no_waiting_batch_means_nothing_to_do() {
    let mut batches = MockBatchRepository::new();
    batches.expect_claim().returning(|_, _| Ok(None));
    assert_eq!(worker(Mocks::new(merchant(true)), batches).run_once().await.unwrap(), None);
}

#[tokio::test]
async fn a_batch_is_written_chunk_by_chunk_until_done() {
    let mut mocks = Mocks::new(merchant(true));
    let afters = Arc::new(Mutex::new(Vec::new()));
    serve_candidates(&mut mocks, Arc::clone(&afters));
    let mut batches = MockBatchRepository::new();
    batches.expect_claim().returning(|_, _| Ok(Some(batch(None))));
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&chunks);
    batches.expect_record_chunk().returning(move |_, chunk, _| {
        sink.lock().unwrap().push((chunk.writes.len(), chunk.cursor, chunk.done));
        Ok(())
    });

    let done = worker(mocks, batches).run_once().await.unwrap();

    assert_eq!(done, Some(BatchId::from_uuid(Uuid::from_u128(77))));
    let id = |n: u128| Some(ContactId::from_uuid(Uuid::from_u128(n)));
    assert_eq!(*chunks.lock().unwrap(), [(500, id(500), false), (500, id(1_000), false), (200, id(1_200), true)]);
    assert_eq!(*afters.lock().unwrap(), [None, id(500), id(1_000)]);
}

#[tokio::test]
async fn each_written_chunk_wakes_the_outbox_dispatcher() {
    let mut mocks = Mocks::new(merchant(true));
    serve_candidates(&mut mocks, Arc::new(Mutex::new(Vec::new())));
    let mut batches = MockBatchRepository::new();
    batches.expect_claim().returning(|_, _| Ok(Some(batch(None))));
    batches.expect_record_chunk().returning(|_, _, _| Ok(()));
    let mut waker = MockOutboxWaker::new();
    waker.expect_wake().times(3).returning(|| ());

    worker_waking(mocks, batches, waker).run_once().await.unwrap();
}

#[tokio::test]
async fn a_claimed_batch_resumes_after_its_cursor() {
    let mut mocks = Mocks::new(merchant(true));
    let afters = Arc::new(Mutex::new(Vec::new()));
    serve_candidates(&mut mocks, Arc::clone(&afters));
    let resume_at = ContactId::from_uuid(Uuid::from_u128(1_000));
    let mut batches = MockBatchRepository::new();
    batches.expect_claim().returning(move |_, _| Ok(Some(batch(Some(resume_at)))));
    let written = Arc::new(Mutex::new(0));
    let sink = Arc::clone(&written);
    batches.expect_record_chunk().returning(move |_, chunk, _| {
        *sink.lock().unwrap() += chunk.writes.len();
        Ok(())
    });

    worker(mocks, batches).run_once().await.unwrap();

    assert_eq!(afters.lock().unwrap()[0], Some(resume_at));
    assert_eq!(*written.lock().unwrap(), 200, "only the contacts after the cursor are invited");
}

#[tokio::test]
async fn a_batch_of_a_disabled_portal_fails_with_the_reason() {
    let mocks = Mocks::new(merchant(false));
    let mut batches = MockBatchRepository::new();
    batches.expect_claim().returning(|_, _| Ok(Some(batch(None))));
    batches.expect_record_chunk().times(0);
    batches.expect_fail().withf(|_, _, reason| reason.contains("disabled")).times(1).returning(|_, _, _| Ok(()));
    assert!(worker(mocks, batches).run_once().await.unwrap().is_some());
}

#[tokio::test]
async fn a_lost_lease_stops_the_worker_without_writing_more() {
    let mut mocks = Mocks::new(merchant(true));
    serve_candidates(&mut mocks, Arc::new(Mutex::new(Vec::new())));
    let mut batches = MockBatchRepository::new();
    batches.expect_claim().returning(|_, _| Ok(Some(batch(None))));
    batches.expect_record_chunk().times(1).returning(|_, _, _| Err(RepositoryError::LeaseLost));
    let result = worker(mocks, batches).run_once().await;
    assert!(matches!(result, Err(RunInvitationBatchError::LeaseLost(_))));
}

fn starter(enabled: bool, batches: MockBatchRepository) -> StartInvitationBatch {
    let mut merchants = MockMerchantRepository::new();
    merchants.expect_get().returning(move |_| Ok(Some(merchant(enabled))));
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    let mut tokens = MockTokenSource::new();
    tokens.expect_uuid().returning(|| Uuid::from_u128(42));
    StartInvitationBatch {
        merchants: Arc::new(merchants),
        batches: Arc::new(batches),
        clock: Arc::new(clock),
        tokens: Arc::new(tokens),
    }
}

fn start_command(selection: Selection) -> StartInvitationBatchCommand {
    StartInvitationBatchCommand { merchant: MERCHANT, actor: Actor::System, selection, plan: InvitePlan::default() }
}

#[tokio::test]
async fn starting_queues_a_batch_or_returns_the_running_one() {
    let mut batches = MockBatchRepository::new();
    batches.expect_create_or_get_running().times(1).returning(|b| Ok((b.clone(), true)));
    let (created, is_new) = starter(true, batches).execute(start_command(Selection::All)).await.unwrap();
    assert!(is_new);
    assert_eq!(created.state, BatchState::Queued);
    assert_eq!(created.spec.selection, Selection::All);
}

#[tokio::test]
async fn starting_refuses_a_disabled_portal_and_an_empty_selection() {
    let mut batches = MockBatchRepository::new();
    batches.expect_create_or_get_running().times(0);
    let disabled = starter(false, MockBatchRepository::new()).execute(start_command(Selection::All)).await;
    assert!(matches!(disabled, Err(StartInvitationBatchError::PortalDisabled)));
    let empty = starter(true, batches).execute(start_command(Selection::Contacts(vec![]))).await;
    assert!(matches!(empty, Err(StartInvitationBatchError::EmptySelection)));
}
