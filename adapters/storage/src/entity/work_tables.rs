//! Entities of background work and mail: batches, the outbox, templates.

pub(crate) mod invitation_batches {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitation_batches")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub merchant_id: Uuid,
        pub spec: String,
        pub spec_hash: String,
        pub state: String,
        pub total: i64,
        pub invited: i64,
        pub failed: i64,
        pub skipped_missing_email: i64,
        pub skipped_missing_phone: i64,
        pub skipped_missing_customer_number: i64,
        pub skipped_has_login: i64,
        pub skipped_already_invited: i64,
        pub skipped_declined: i64,
        pub skipped_username_taken: i64,
        pub skipped_invalid_email: i64,
        pub cursor: Option<Uuid>,
        pub error: Option<String>,
        pub lease_id: Option<Uuid>,
        pub lease_until: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod outbox {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub merchant_id: Uuid,
        pub invitation_id: Option<Uuid>,
        pub kind: String,
        pub to_address: String,
        pub to_name: String,
        pub subject: String,
        pub html: String,
        pub text: String,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: Option<DateTimeUtc>,
        pub lease_id: Option<Uuid>,
        pub locked_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub sent_at: Option<DateTimeUtc>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod templates {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "templates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub merchant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        pub subject: String,
        pub html: String,
        pub text: String,
    }
    impl ActiveModelBehavior for ActiveModel {}
}
