//! Idempotency keys end to end: an unauthenticated caller stores nothing,
//! and an answer is replayed to the API key that got it only.

use portico_domain::Role;
use portico_tests::{TestApp, spawn_app};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

async fn stored_keys(app: &TestApp) -> i64 {
    let conn = app.app.wiring().db.connection();
    let count = Statement::from_string(conn.get_database_backend(), "SELECT COUNT(*) AS n FROM idempotency_keys");
    conn.query_one_raw(count).await.unwrap().unwrap().try_get("", "n").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_unauthenticated_posts_with_distinct_keys_leave_no_row() {
    let app = spawn_app().start().await;
    let unknown = format!("Bearer ptk_{}", "0".repeat(64));
    for n in 0..1_000 {
        let auth = if n % 2 == 0 { unknown.as_str() } else { "Bearer nonsense" };
        let key = format!("attempt-{n}");
        let headers =
            [("authorization", auth), ("idempotency-key", key.as_str()), ("content-type", "application/json")];
        let answer = app.send("POST", "/api/v1/invitations", &headers, Some(br#"{"all": true}"#)).await;
        assert_eq!(answer.status, 401, "{}", answer.text());
    }
    assert_eq!(stored_keys(&app).await, 0);

    let preview = json!({ "all": true });
    let first =
        app.admin_with("POST", "/api/v1/invitations/preview", Some(&preview), &[("idempotency-key", "k")]).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(stored_keys(&app).await, 1, "an authenticated caller's key is kept");
    let again =
        app.admin_with("POST", "/api/v1/invitations/preview", Some(&preview), &[("idempotency-key", "k")]).await;
    assert_eq!(again.header("idempotency-replayed"), Some("true"));

    let other = format!("Bearer {}", app.key(Role::Admin).await);
    let headers = [("authorization", other.as_str()), ("idempotency-key", "k"), ("content-type", "application/json")];
    let theirs = app.send("POST", "/api/v1/invitations/preview", &headers, Some(br#"{"all": true}"#)).await;
    assert_eq!(theirs.status, 200);
    assert_eq!(theirs.header("idempotency-replayed"), None, "another API key has keys of its own");
    app.stop().await;
}
