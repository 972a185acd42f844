//! Migrations and merchants.

use portico_app::MailKind;
use portico_app::{
    ApiKeyRepository, Merchant, MerchantRepository, NewApiKey, PortalSettings, RepositoryError, StaffPrincipal,
    TemplateSource, TemplateStore,
};
use portico_domain::{MerchantId, Role, SecretToken, StaffUserId};
use portico_storage::{ApiKey, DEFAULT_MERCHANT_ID, Database, StaffUser, migrate};
use uuid::Uuid;

use crate::support::{merchant, t0};

contract!(
    migrations_from_empty_database_leave_the_default_merchant_with_the_portal_enabled,
    merchants_are_created_listed_and_their_settings_replaced,
    templates_are_put_replaced_and_deleted_per_kind,
    staff_users_and_api_keys_are_found_by_key_hash,
    an_api_key_and_its_staff_user_are_written_together_or_not_at_all,
    foreign_keys_are_enforced,
);

async fn migrations_from_empty_database_leave_the_default_merchant_with_the_portal_enabled(db: Database) {
    // Running again is a no-op: every migration is recorded once.
    migrate(&db).await.unwrap();
    let merchants = db.merchants().list().await.unwrap();
    assert_eq!(merchants.len(), 1);
    assert_eq!(merchants[0].id, MerchantId::from_uuid(DEFAULT_MERCHANT_ID));
    assert!(merchants[0].settings.portal_enabled);
}

async fn merchants_are_created_listed_and_their_settings_replaced(db: Database) {
    let repo = db.merchants();
    let id = merchant(&db, "Acme").await;
    let all = repo.list().await.unwrap();
    assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), vec![MerchantId::from_uuid(DEFAULT_MERCHANT_ID), id]);

    let settings = PortalSettings {
        portal_enabled: false,
        invitation_lifetime_days: 30,
        brand_name: "Acme Portal".into(),
        brand_color: "#112233".into(),
    };
    assert!(repo.update_settings(id, &settings).await.unwrap());
    assert_eq!(repo.get(id).await.unwrap().unwrap().settings, settings);
    assert!(!repo.update_settings(MerchantId::from_uuid(Uuid::now_v7()), &settings).await.unwrap());
    assert_eq!(repo.get(MerchantId::from_uuid(Uuid::now_v7())).await.unwrap(), None);

    let again = Merchant { id, name: "Dup".into(), settings: PortalSettings::default() };
    match repo.create(&again).await {
        Err(RepositoryError::Conflict { constraint }) => assert_eq!(constraint, "merchants_pkey"),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn templates_are_put_replaced_and_deleted_per_kind(db: Database) {
    let store = db.templates();
    let a = merchant(&db, "A").await;
    let b = merchant(&db, "B").await;
    let source = |s: &str| TemplateSource { subject: s.into(), html: format!("<p>{s}</p>"), text: s.into() };
    store.put(a, MailKind::InvitationLink, &source("one")).await.unwrap();
    store.put(a, MailKind::InvitationLink, &source("two")).await.unwrap();
    assert_eq!(store.get(a, MailKind::InvitationLink).await.unwrap(), Some(source("two")));
    assert_eq!(store.get(a, MailKind::PasswordReset).await.unwrap(), None);
    assert_eq!(store.get(b, MailKind::InvitationLink).await.unwrap(), None, "scoped to the merchant");
    assert!(!store.delete(b, MailKind::InvitationLink).await.unwrap());
    assert!(store.delete(a, MailKind::InvitationLink).await.unwrap());
    assert_eq!(store.get(a, MailKind::InvitationLink).await.unwrap(), None);
}

async fn staff_users_and_api_keys_are_found_by_key_hash(db: Database) {
    let staff = db.staff();
    let m = merchant(&db, "A").await;
    let user = StaffUser {
        id: StaffUserId::from_uuid(Uuid::now_v7()),
        merchant_id: m,
        email: "Boss@Example.com".into(),
        name: "Boss".into(),
        role: Role::Admin,
        created_at: t0(),
    };
    staff.create_staff(&user).await.unwrap();
    let dup = StaffUser { id: StaffUserId::from_uuid(Uuid::now_v7()), ..user.clone() };
    assert!(matches!(
        staff.create_staff(&dup).await,
        Err(RepositoryError::Conflict { constraint }) if constraint == "staff_users_merchant_email"
    ));
    let key =
        ApiKey { id: Uuid::now_v7(), merchant_id: m, staff_user_id: user.id, role: Role::Collector, created_at: t0() };
    staff.create_api_key(&key, "ab12").await.unwrap();
    assert_eq!(staff.find_api_key_by_hash("ab12").await.unwrap(), Some(key.clone()));
    assert_eq!(staff.find_api_key_by_hash("ffff").await.unwrap(), None);
    assert!(staff.revoke_api_key(m, key.id, t0()).await.unwrap());
    assert_eq!(staff.find_api_key_by_hash("ab12").await.unwrap(), None, "revoked keys do not authenticate");
}

async fn an_api_key_and_its_staff_user_are_written_together_or_not_at_all(db: Database) {
    let keys = db.staff();
    let m = merchant(&db, "A").await;
    let hash = SecretToken::from_bytes([5; 32]).hash();
    let key = |staff: u128| {
        let id = Uuid::now_v7();
        NewApiKey {
            id,
            principal: StaffPrincipal {
                merchant_id: m,
                staff_user_id: StaffUserId::from_uuid(Uuid::from_u128(staff)),
                role: Role::Clerk,
                api_key_id: id,
            },
            name: "script".into(),
            hash,
            created_at: t0(),
        }
    };
    keys.create(&key(1)).await.unwrap();
    assert_eq!(keys.find_by_hash(&hash).await.unwrap().map(|p| p.staff_user_id.as_uuid()), Some(Uuid::from_u128(1)));

    let refused = keys.create(&key(2)).await;

    assert!(matches!(refused, Err(RepositoryError::Conflict { constraint }) if constraint == "api_keys_key_hash"));
    // The refused key's staff user was not left behind: its id is still free.
    let user = StaffUser {
        id: StaffUserId::from_uuid(Uuid::from_u128(2)),
        merchant_id: m,
        email: "later@example.com".into(),
        name: "Later".into(),
        role: Role::Viewer,
        created_at: t0(),
    };
    keys.create_staff(&user).await.unwrap();
}

async fn foreign_keys_are_enforced(db: Database) {
    let unknown = MerchantId::from_uuid(Uuid::now_v7());
    let result = portico_app::CustomerRepository::upsert_customers(
        &*db.customers(),
        unknown,
        &[crate::support::customer("E-1", "a@example.com")],
        t0(),
    )
    .await;
    match result {
        // PostgreSQL names the key; SQLite only says a foreign key failed.
        Err(RepositoryError::Conflict { constraint }) => {
            assert!(["customers_merchant_fk", "foreign_key"].contains(&constraint.as_str()), "{constraint}");
        }
        other => panic!("expected a foreign-key conflict, got {other:?}"),
    }
}
