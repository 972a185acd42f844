//! The customer list (sorting, filters, paging), one customer, and the JSON upsert.

use portico_tests::{SAMPLE_CUSTOMERS, SAMPLE_INVOICES, TestApp, spawn_app};
use serde_json::{Value, json};

async fn with_sample_data() -> TestApp {
    let app = spawn_app().await;
    app.import_customers(&app.admin_key, SAMPLE_CUSTOMERS).await;
    app.import_invoices(&app.admin_key, SAMPLE_INVOICES).await;
    app
}

fn items(answer: &Value) -> Vec<Value> {
    answer["items"].as_array().cloned().unwrap_or_default()
}

fn cents(row: &Value) -> i64 {
    let text = row["outstanding_balance"].as_str().unwrap_or("x");
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

#[tokio::test]
async fn customers_sort_by_balance_priority_and_name() {
    let app = with_sample_data().await;

    let by_balance = app.list_customers("sort=balance&limit=500").await.json();
    let by_priority = app.list_customers("sort=priority&limit=500").await.json();
    let by_name = app.list_customers("limit=500").await.json();

    assert_eq!(by_balance["total"], 300);
    let balances: Vec<i64> = items(&by_balance).iter().map(cents).collect();
    assert_eq!(balances.len(), 300);
    assert!(balances.windows(2).all(|w| w[0] >= w[1]), "not largest first");
    assert!(balances[0] > 0);
    let rank = |row: &Value| match row["collection_priority"].as_str() {
        Some("high") => 0,
        Some("medium") => 1,
        Some("low") => 2,
        _ => 3,
    };
    let ranks: Vec<i32> = items(&by_priority).iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert_eq!(ranks.first(), Some(&0));
    assert_eq!(ranks.last(), Some(&3));
    let names: Vec<String> =
        items(&by_name).iter().map(|r| r["name"].as_str().unwrap_or_default().to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "names are not A–Z");
    app.stop().await;
}

#[tokio::test]
async fn filters_and_paging_agree_with_the_totals() {
    let app = with_sample_data().await;

    let no_badge = app.list_customers("invitation_status=none&limit=1").await.json();
    let pending = app.list_customers("invitation_status=pending").await.json();
    let with_login = app.list_customers("has_login=true").await.json();
    let without_login = app.list_customers("has_login=false&limit=10&offset=295").await.json();
    let first = app.list_customers("sort=balance&limit=2").await.json();
    let second = app.list_customers("sort=balance&limit=2&offset=1").await.json();

    assert_eq!(no_badge["total"], 300);
    assert_eq!(items(&no_badge)[0]["invitation_status"], "none");
    assert_eq!(items(&no_badge)[0]["has_login"], false);
    assert_eq!(pending["total"], 0);
    assert_eq!(with_login["total"], 0);
    assert_eq!(without_login["total"], 300);
    assert_eq!(items(&without_login).len(), 5);
    assert_eq!(items(&first)[1]["id"], items(&second)[0]["id"]);
    app.stop().await;
}

#[tokio::test]
async fn bad_list_parameters_are_400() {
    let app = spawn_app().await;

    for query in ["limit=0", "limit=501", "sort=size", "has_login=maybe", "invitation_status=sent", "offset=-1"] {
        let answer = app.list_customers(query).await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.text());
        assert_eq!(answer.code(), "invalid_parameter", "{query}");
    }
    app.stop().await;
}

#[tokio::test]
async fn one_customer_shows_its_contacts_and_an_unknown_id_is_404() {
    let app = with_sample_data().await;
    let list = app.list_customers("limit=500").await.json();
    let shared = items(&list).into_iter().find(|r| r["erp_id"] == "ERP-100136").unwrap();

    let detail = app.get_customer(shared["id"].as_str().unwrap()).await.json();
    let unknown = app.get_customer("01a20000-0000-7000-8000-000000000000").await;
    let garbage = app.get_customer("not-a-uuid").await;

    // Four distinct contacts; the duplicate last row of the file is harmless.
    assert_eq!(detail["contacts"].as_array().map(Vec::len), Some(4), "{detail}");
    assert_eq!(detail["name"], "Granite State Signs Ltd");
    assert_eq!((unknown.status, unknown.code().as_str()), (404, "customer_not_found"));
    assert_eq!(garbage.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn the_json_upsert_creates_then_updates_then_changes_nothing() {
    let app = spawn_app().await;
    let body = json!({
        "customer_number": "C-1",
        "name": "Harbor Cafe",
        "currency": "usd",
        "collection_priority": "high",
        "contacts": [{ "first_name": "Ana", "last_name": "Ruiz", "email": "ana@harbor.example", "primary": true }]
    });
    let mut renamed = body.clone();
    renamed["name"] = json!("Harbor Cafe & Bakery");

    let created = app.upsert_customer("ERP-9", &body).await;
    let updated = app.upsert_customer("ERP-9", &renamed).await;
    let unchanged = app.upsert_customer("ERP-9", &renamed).await;
    let invalid = app.upsert_customer("ERP-9", &json!({ "name": "X", "currency": "US1" })).await;
    let bad_key = app.upsert_customer("ERP%209", &body).await;

    assert_eq!((created.status, created.json()["outcome"].clone()), (201, json!("created")));
    assert_eq!((updated.status, updated.json()["outcome"].clone()), (200, json!("updated")));
    assert_eq!(unchanged.json()["outcome"], "unchanged");
    assert_eq!((invalid.status, invalid.code().as_str()), (422, "validation_failed"));
    assert!(invalid.json()["message"].as_str().unwrap_or_default().starts_with("currency"));
    assert_eq!((bad_key.status, bad_key.code().as_str()), (422, "validation_failed"));
    app.stop().await;
}
