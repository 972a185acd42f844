//! Entities of invitations, their tokens and audit events.

pub(crate) mod invitations {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub merchant_id: Uuid,
        pub customer_id: Uuid,
        pub contact_id: Uuid,
        pub recipient: String,
        pub mode: String,
        pub username: Option<String>,
        pub password_hash: Option<String>,
        pub state: String,
        pub token_hash: Option<String>,
        pub issued_at: Option<DateTimeUtc>,
        pub expires_at: Option<DateTimeUtc>,
        pub closed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub last_sent_at: DateTimeUtc,
        pub send_count: i32,
        pub batch_id: Option<Uuid>,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod invitation_tokens {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitation_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token_hash: String,
        pub invitation_id: Uuid,
        pub position: i32,
    }
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod invitation_events {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitation_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub merchant_id: Uuid,
        pub invitation_id: Uuid,
        pub kind: String,
        pub from_status: Option<String>,
        pub to_status: String,
        pub actor_type: String,
        pub actor_id: Option<Uuid>,
        pub at: DateTimeUtc,
    }
    impl ActiveModelBehavior for ActiveModel {}
}
