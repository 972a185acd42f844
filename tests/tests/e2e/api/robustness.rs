//! No operation answers 500 to anything a caller sends: malformed JSON, wrong
//! types, huge strings, unknown fields, odd paths, wrong content types.

use portico_tests::{TestApp, spawn_app};
use serde_json::json;

/// Every operation with a JSON body or none: (method, path).
const OPERATIONS: [(&str, &str); 13] = [
    ("POST", "/api/v1/imports/customers"),
    ("POST", "/api/v1/imports/invoices"),
    ("PUT", "/api/v1/customers/by-erp-id/ERP-1"),
    ("GET", "/api/v1/customers"),
    ("GET", "/api/v1/customers/00000000-0000-0000-0000-000000000000"),
    ("GET", "/api/v1/templates"),
    ("GET", "/api/v1/templates/invitation_link"),
    ("PUT", "/api/v1/templates/invitation_link"),
    ("DELETE", "/api/v1/templates/invitation_link"),
    ("POST", "/api/v1/templates/invitation_link/preview"),
    ("GET", "/api/v1/settings"),
    ("PUT", "/api/v1/settings"),
    ("GET", "/healthz"),
];

fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    // Five of them stay under the 1 MiB body limit, so the fields themselves are judged.
    let huge = "x".repeat(150_000);
    vec![
        ("empty", Vec::new()),
        ("malformed", b"{\"name\": ".to_vec()),
        ("not json", b"hello".to_vec()),
        ("null", b"null".to_vec()),
        ("array", b"[1,2,3]".to_vec()),
        ("number", b"42".to_vec()),
        ("wrong types", json!({ "name": 5, "currency": [], "contacts": "no", "subject": {}, "html": 1, "text": null, "portal_enabled": "yes", "invitation_lifetime_days": -1, "brand_name": 3, "brand_color": false }).to_string().into_bytes()),
        ("unknown fields", json!({ "bogus": 1, "name": "A", "currency": "USD", "subject": "s", "html": "h", "text": "t", "portal_enabled": true, "invitation_lifetime_days": 3, "brand_name": "b", "brand_color": "#000000" }).to_string().into_bytes()),
        ("huge strings", json!({ "name": huge, "currency": huge, "subject": huge, "html": huge, "text": huge, "portal_enabled": true, "invitation_lifetime_days": 4_294_967_295_u64, "brand_name": huge, "brand_color": huge }).to_string().into_bytes()),
        ("huge numbers", json!({ "name": "A", "currency": "USD", "invitation_lifetime_days": 1e300, "portal_enabled": true, "brand_name": "b", "brand_color": "#000000" }).to_string().into_bytes()),
        ("deep nesting", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes()),
        ("binary", vec![0xff, 0x00, 0xfe, 0x81, 0x22]),
        ("over the limit", vec![b' '; 1_100_000]),
    ]
}

async fn assert_no_500(app: &TestApp, method: &str, path: &str, content_type: &str, name: &str, body: &[u8]) {
    let auth = format!("Bearer {}", app.admin_key);
    let headers = [("authorization", auth.as_str()), ("content-type", content_type)];
    let answer = app.send(method, path, &headers, Some(body)).await;
    assert!(
        answer.status < 500,
        "{method} {path} ({content_type}, {name}) answered {}: {}",
        answer.status,
        answer.text()
    );
    if answer.status >= 400 {
        assert!(!answer.code().is_empty(), "{method} {path} ({name}): no JSON error code in {}", answer.text());
    }
}

#[tokio::test]
async fn no_operation_answers_500_to_any_body() {
    let app = spawn_app().await;
    for (method, path) in OPERATIONS {
        for (name, body) in bodies() {
            for content_type in ["application/json", "text/csv", "text/plain", "multipart/form-data"] {
                assert_no_500(&app, method, path, content_type, name, &body).await;
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn odd_paths_and_parameters_are_4xx() {
    let app = spawn_app().await;
    let long = "a".repeat(10_000);
    let paths = [
        "/api/v1/customers/%00".to_owned(),
        "/api/v1/customers/..%2F..%2Fetc%2Fpasswd".to_owned(),
        format!("/api/v1/customers/{long}"),
        format!("/api/v1/customers/by-erp-id/{long}"),
        "/api/v1/templates/%FF%FE".to_owned(),
        "/api/v1/customers?limit=99999999999999999999999".to_owned(),
        "/api/v1/customers?pending_for_more_than_days=4294967295".to_owned(),
        "/api/v1/customers?sort=balance&sort=name".to_owned(),
        "/api/v1/customers?offset=18446744073709551615".to_owned(),
    ];
    for path in paths {
        for method in ["GET", "PUT", "POST", "DELETE", "PATCH"] {
            assert_no_500(&app, method, &path, "application/json", "odd path", b"{}").await;
        }
    }
    app.stop().await;
}
