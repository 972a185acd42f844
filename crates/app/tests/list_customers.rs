//! The customer list's query checks and filter translation.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use portico_app::use_cases::get_customer::{GetCustomer, GetCustomerError};
use portico_app::use_cases::list_customers::{ListCustomers, ListCustomersError, ListCustomersQuery};
use portico_app::{CustomerSort, MockClock, MockCustomerRepository, Page};
use portico_domain::{CustomerId, InvitationStatus, MerchantId};
use uuid::Uuid;

fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    Arc::new(clock)
}

#[tokio::test]
async fn filters_and_sort_reach_the_repository_with_pending_days_as_an_instant() {
    let mut repo = MockCustomerRepository::new();
    let expected_before = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() - TimeDelta::days(7);
    repo.expect_list()
        .withf(move |_, filter, sort, page, _| {
            filter.has_login == Some(false)
                && filter.invitation_status == Some(Some(InvitationStatus::Pending))
                && filter.pending_since_before == Some(expected_before)
                && *sort == CustomerSort::BalanceDesc
                && page.offset == 20
                && page.limit == 10
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(Page { items: vec![], total: 0 }));
    let list = ListCustomers { customers: Arc::new(repo), clock: clock() };
    let query = ListCustomersQuery {
        sort: CustomerSort::BalanceDesc,
        has_login: Some(false),
        invitation_status: Some(Some(InvitationStatus::Pending)),
        pending_for_more_than_days: Some(7),
        offset: 20,
        limit: 10,
    };

    let page = list.execute(MerchantId::from_uuid(Uuid::from_u128(1)), &query).await.unwrap();

    assert_eq!(page.total, 0);
}

#[tokio::test]
async fn a_page_size_out_of_range_is_refused_before_storage() {
    let list = ListCustomers { customers: Arc::new(MockCustomerRepository::new()), clock: clock() };
    let merchant = MerchantId::from_uuid(Uuid::from_u128(1));

    for limit in [0, 501] {
        let query = ListCustomersQuery { limit, ..ListCustomersQuery::default() };
        let result = list.execute(merchant, &query).await;
        assert!(matches!(result, Err(ListCustomersError::InvalidLimit { .. })), "{limit}");
    }
}

#[tokio::test]
async fn another_merchants_customer_is_not_found() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_find().returning(|_, _| Ok(None));
    let get = GetCustomer { customers: Arc::new(repo) };

    let result =
        get.execute(MerchantId::from_uuid(Uuid::from_u128(1)), CustomerId::from_uuid(Uuid::from_u128(2))).await;

    assert!(matches!(result, Err(GetCustomerError::NotFound)));
}
