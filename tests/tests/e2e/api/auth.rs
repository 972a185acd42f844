//! Authentication and permissions.

use portico_domain::Role;
use portico_tests::spawn_app;

#[tokio::test]
async fn calls_without_a_valid_key_are_401() {
    let app = spawn_app().await;

    let none = app.send("GET", "/api/v1/customers", &[], None).await;
    let basic = app.send("GET", "/api/v1/customers", &[("authorization", "Basic YTpi")], None).await;
    let malformed = app.send("GET", "/api/v1/customers", &[("authorization", "Bearer hello")], None).await;
    let unknown_key = format!("Bearer ptk_{}", "0".repeat(64));
    let unknown = app.send("GET", "/api/v1/customers", &[("authorization", &unknown_key)], None).await;

    assert_eq!((none.status, none.code().as_str()), (401, "unauthenticated"));
    assert_eq!((basic.status, basic.code().as_str()), (401, "unauthenticated"));
    assert_eq!((malformed.status, malformed.code().as_str()), (401, "invalid_api_key"));
    assert_eq!((unknown.status, unknown.code().as_str()), (401, "invalid_api_key"));
    app.stop().await;
}

#[tokio::test]
async fn a_role_without_the_permission_is_403_and_may_still_read_customers() {
    let app = spawn_app().await;
    let viewer = app.key(Role::Viewer).await;
    let clerk = app.key(Role::Clerk).await;
    let as_viewer = format!("Bearer {viewer}");
    let as_clerk = format!("Bearer {clerk}");

    let settings = app.send("GET", "/api/v1/settings", &[("authorization", &as_viewer)], None).await;
    let templates = app.send("GET", "/api/v1/templates", &[("authorization", &as_clerk)], None).await;
    let import = app.import_customers(&viewer, b"erp_id\n").await;
    let customers = app.send("GET", "/api/v1/customers", &[("authorization", &as_viewer)], None).await;

    assert_eq!((settings.status, settings.code().as_str()), (403, "forbidden"));
    assert!(settings.json()["message"].as_str().unwrap_or_default().contains("manage_settings"));
    assert_eq!((templates.status, templates.code().as_str()), (403, "forbidden"));
    assert!(templates.json()["message"].as_str().unwrap_or_default().contains("manage_templates"));
    assert_eq!(import.status, 403);
    assert_eq!(customers.status, 200);
    app.stop().await;
}

#[tokio::test]
async fn health_openapi_and_docs_answer_without_a_key() {
    let app = spawn_app().await;

    let health = app.health().await;
    let spec = app.send("GET", "/api/openapi.json", &[], None).await;
    let docs = app.send("GET", "/api/docs", &[], None).await;
    let missing = app.send("GET", "/api/v1/nothing-here", &[], None).await;

    assert_eq!((health.status, health.json()["status"].clone()), (200, serde_json::json!("ok")));
    let paths = spec.json()["paths"].as_object().map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    for path in ["/imports/customers", "/customers", "/customers/{id}", "/templates/{kind}/preview", "/settings"] {
        assert!(paths.iter().any(|p| p == path), "{path} missing from {paths:?}");
    }
    assert_eq!(docs.status, 200);
    assert!(docs.header("content-type").unwrap_or_default().starts_with("text/html"));
    assert_eq!((missing.status, missing.code().as_str()), (404, "not_found"));
    app.stop().await;
}
