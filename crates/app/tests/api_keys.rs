//! Creating API keys and authenticating with them.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use portico_app::use_cases::authenticate_staff::{AuthenticateStaff, AuthenticateStaffError};
use portico_app::use_cases::create_api_key::CreateApiKey;
use portico_app::{
    Merchant, MockApiKeyRepository, MockClock, MockMerchantRepository, MockTokenSource, NewApiKey, PortalSettings,
};
use portico_domain::{MerchantId, Role, SecretToken};
use uuid::Uuid;

#[tokio::test]
async fn a_created_key_is_stored_hashed_and_authenticates_its_holder() {
    let stored: Arc<Mutex<Option<NewApiKey>>> = Arc::new(Mutex::new(None));
    let mut keys = MockApiKeyRepository::new();
    let sink = stored.clone();
    keys.expect_create().returning(move |k| {
        *sink.lock().unwrap() = Some(k.clone());
        Ok(())
    });
    let lookup = stored.clone();
    keys.expect_find_by_hash().returning(move |hash| {
        Ok(lookup.lock().unwrap().as_ref().filter(|k| k.hash == *hash).map(|k| k.principal.clone()))
    });
    let keys = Arc::new(keys);
    let mut merchants = MockMerchantRepository::new();
    merchants.expect_list().returning(|| {
        Ok(vec![Merchant {
            id: MerchantId::from_uuid(Uuid::from_u128(7)),
            name: "Default".into(),
            settings: PortalSettings::default(),
        }])
    });
    let mut tokens = MockTokenSource::new();
    tokens.expect_token().returning(|| SecretToken::from_bytes([9; 32]));
    tokens.expect_uuid().returning(Uuid::now_v7);
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    let create = CreateApiKey {
        keys: keys.clone(),
        merchants: Arc::new(merchants),
        tokens: Arc::new(tokens),
        clock: Arc::new(clock),
    };

    let created = create.execute(None, Role::Clerk, "front desk").await.unwrap();
    let principal = AuthenticateStaff { keys }.execute(&created.key).await.unwrap();

    assert!(created.key.starts_with("ptk_"));
    assert!(!format!("{created:?}").contains(&created.key));
    assert_eq!(principal.role, Role::Clerk);
    assert_eq!(principal.merchant_id, MerchantId::from_uuid(Uuid::from_u128(7)));
    assert_ne!(stored.lock().unwrap().as_ref().unwrap().hash.to_hex(), created.key[4..]);
}

#[tokio::test]
async fn malformed_and_unknown_keys_are_told_apart() {
    let mut keys = MockApiKeyRepository::new();
    keys.expect_find_by_hash().returning(|_| Ok(None));
    let auth = AuthenticateStaff { keys: Arc::new(keys) };

    assert!(matches!(auth.execute("hello").await, Err(AuthenticateStaffError::Malformed)));
    let unknown = format!("ptk_{}", "ab".repeat(32));
    assert!(matches!(auth.execute(&unknown).await, Err(AuthenticateStaffError::UnknownKey)));
}
