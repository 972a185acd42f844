//! Reading and updating portal settings.

use std::sync::Arc;

use portico_app::use_cases::manage_settings::{ManageSettings, ManageSettingsError};
use portico_app::{MockMerchantRepository, PortalSettings};
use portico_domain::MerchantId;
use uuid::Uuid;

fn merchant() -> MerchantId {
    MerchantId::from_uuid(Uuid::from_u128(1))
}

#[tokio::test]
async fn valid_settings_are_saved_normalised() {
    let mut repo = MockMerchantRepository::new();
    repo.expect_update_settings()
        .withf(|_, s| s.brand_color == "#aabbcc" && s.brand_name == "Acme")
        .times(1)
        .returning(|_, _| Ok(true));
    let manage = ManageSettings { merchants: Arc::new(repo) };
    let settings =
        PortalSettings { brand_color: "#AABBCC".into(), brand_name: " Acme ".into(), ..PortalSettings::default() };

    let saved = manage.update(merchant(), settings).await.unwrap();

    assert_eq!(saved.brand_color, "#aabbcc");
}

#[tokio::test]
async fn out_of_range_values_name_their_field() {
    let manage = ManageSettings { merchants: Arc::new(MockMerchantRepository::new()) };
    let cases = [
        (PortalSettings { invitation_lifetime_days: 0, ..PortalSettings::default() }, "invitation_lifetime_days"),
        (PortalSettings { invitation_lifetime_days: 366, ..PortalSettings::default() }, "invitation_lifetime_days"),
        (PortalSettings { brand_color: "blue".into(), ..PortalSettings::default() }, "brand_color"),
        (PortalSettings { brand_name: "A\u{7}B".into(), ..PortalSettings::default() }, "brand_name"),
    ];
    for (settings, field) in cases {
        match manage.update(merchant(), settings).await {
            Err(ManageSettingsError::Invalid(e)) => assert_eq!(e.field, field),
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_missing_merchant_is_reported() {
    let mut repo = MockMerchantRepository::new();
    repo.expect_get().returning(|_| Ok(None));
    let manage = ManageSettings { merchants: Arc::new(repo) };

    assert!(matches!(manage.get(merchant()).await, Err(ManageSettingsError::MerchantNotFound)));
}
