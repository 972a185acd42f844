//! The staff API: refunds (partial, full, permission), the list's filters,
//! the CSV export, and answers for ids that are not there.

use portico_domain::Role;
use portico_tests::payments::card;
use portico_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn refunds_give_balances_back_and_need_the_refund_permission() {
    let app = spawn_app().await;
    let payer = app.sample_payers(1).await.remove(0);
    let before = app.balances(&payer).await;
    let paid = app.pay(&payer, &[(0, None)], card("4242424242424242", false), "e2e-refund-01").await.unwrap();
    let id = paid.payment.id.to_string();

    let viewer = app.key(Role::Viewer).await;
    let refused = app.refund(&viewer, &id, &json!({})).await;
    assert_eq!((refused.status, refused.code()), (403, "forbidden".to_owned()), "{}", refused.text());
    let listed = app.send("GET", "/api/v1/payments", &[("authorization", &format!("Bearer {viewer}"))], None).await;
    assert_eq!(listed.status, 200, "viewers see payments");

    let part = app.refund(&app.admin_key, &id, &json!({ "amount": "1.00" })).await.expect_status(200);
    assert_eq!((part["status"].as_str(), part["refunded"].as_str()), (Some("partially_refunded"), Some("1.00")));
    assert_eq!(app.balances(&payer).await[0], 100);
    let rest = app.refund(&app.admin_key, &id, &json!({})).await.expect_status(200);
    assert_eq!(rest["status"], "refunded");
    assert_eq!(app.balances(&payer).await[0], before[0], "fully owed again");

    let again = app.refund(&app.admin_key, &id, &json!({})).await;
    assert_eq!((again.status, again.code()), (409, "not_refundable".to_owned()));
    let bad = app.refund(&app.admin_key, &id, &json!({ "amount": "1.005" })).await;
    assert_eq!((bad.status, bad.code()), (422, "invalid_amount".to_owned()), "{}", bad.text());
    let detail = app.payment(&id).await.expect_status(200);
    let events = detail["events"].as_array().unwrap();
    assert_eq!(events.iter().filter(|e| e["kind"] == "refunded").count(), 2);
    assert!(events.iter().filter(|e| e["kind"] == "refunded").all(|e| e["actor_type"] == "staff"));
    app.stop().await;
}

#[tokio::test]
async fn the_list_filters_pages_and_exports_csv_and_unknown_ids_are_404() {
    let app = spawn_app().await;
    let payers = app.sample_payers(2).await;
    app.pay(&payers[0], &[(0, None)], card("4242424242424242", false), "e2e-list-0001").await.unwrap();
    let _ = app.pay(&payers[1], &[(0, None)], card("4000000000000002", false), "e2e-list-0002").await;

    let all = app.payments("limit=1").await.expect_status(200);
    assert_eq!((all["total"].as_u64(), all["items"].as_array().map(Vec::len)), (Some(2), Some(1)));
    let failed = app.payments("status=failed").await.expect_status(200);
    assert_eq!(failed["items"][0]["failure_code"], "card_declined");
    let theirs = app.payments(&format!("customer_id={}", payers[0].customer)).await.expect_status(200);
    assert_eq!((theirs["total"].as_u64(), theirs["items"][0]["status"].as_str()), (Some(1), Some("succeeded")));
    assert_eq!(app.payments("method=ach").await.expect_status(200)["total"], 0);
    assert_eq!(app.payments("from=2999-01-01").await.expect_status(200)["total"], 0);
    let bad = app.payments("until=soon").await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_parameter".to_owned()));

    let csv = app.payments("format=csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").is_some_and(|t| t.starts_with("text/csv")), "{:?}", csv.header("content-type"));
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two rows: {text}");
    assert!(lines[0].starts_with("id,created_at,customer_id,status"));
    assert!(text.contains(&payers[0].invoices[0].number) && text.contains("card_declined"), "{text}");

    let unknown = app.payment(&uuid::Uuid::now_v7().to_string()).await;
    assert_eq!((unknown.status, unknown.code()), (404, "payment_not_found".to_owned()));
    let other_merchant = uuid::Uuid::now_v7();
    let garbage = app.payment(&format!("{other_merchant}x")).await;
    assert_eq!(garbage.status, 404);
    app.stop().await;
}
