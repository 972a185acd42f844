//! Entities of payments: saved methods, payments, allocations, events, refunds.

pub(crate) mod payment_methods {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_methods")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub merchant_id: Uuid,
        pub customer_id: Uuid,
        pub kind: String,
        pub label: String,
        pub last4: String,
        pub exp_month: Option<i32>,
        pub exp_year: Option<i32>,
        pub gateway_token: String,
        pub is_default: bool,
        pub created_at: DateTimeUtc,
        pub removed_at: Option<DateTimeUtc>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod payments {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub merchant_id: Uuid,
        pub customer_id: Uuid,
        pub payer_contact_id: Option<Uuid>,
        pub status: String,
        pub currency: String,
        pub amount_minor: i64,
        pub refunded_minor: i64,
        pub method_kind: String,
        pub method_label: String,
        pub method_last4: String,
        pub method_exp_month: Option<i32>,
        pub method_exp_year: Option<i32>,
        pub payment_method_id: Option<Uuid>,
        pub gateway_token: String,
        pub gateway_reference: Option<String>,
        pub failure_code: Option<String>,
        pub idempotency_key: String,
        pub fingerprint: String,
        pub recheck_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod payment_allocations {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_allocations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub payment_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub document_id: Uuid,
        pub position: i32,
        pub amount_minor: i64,
        pub refunded_minor: i64,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod payment_events {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub merchant_id: Uuid,
        pub payment_id: Uuid,
        pub kind: String,
        pub actor_type: String,
        pub actor_id: Option<Uuid>,
        pub amount_minor: i64,
        pub detail: Option<String>,
        pub at: DateTimeUtc,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod payment_refunds {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_refunds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub merchant_id: Uuid,
        pub payment_id: Uuid,
        pub amount_minor: i64,
        pub status: String,
        pub gateway_key: String,
        pub gateway_reference: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    impl ActiveModelBehavior for ActiveModel {}
}
