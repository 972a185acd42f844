//! Templates and settings through the API.

use portico_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn templates_can_be_listed_saved_previewed_and_reset() {
    let app = spawn_app().await;
    let edited = json!({
        "subject": "[CustomerName], your portal is ready",
        "html": "<p>Hello [ContactName]</p><p>[InvitationLink]</p>",
        "text": "Hello [ContactName]\n[InvitationLink]"
    });

    let list = app.list_templates().await.json();
    let saved = app.put_template("invitation_link", &edited).await;
    let read = app.get_template("invitation_link").await.json();
    let preview = app.preview_template("invitation_link", &json!({})).await.json();
    let bad =
        app.put_template("invitation_link", &json!({ "subject": "Hi [FirstName]", "html": "x", "text": "x" })).await;
    let reset = app.reset_template("invitation_link").await.json();
    let unknown = app.get_template("birthday").await;

    assert_eq!(list.as_array().map(Vec::len), Some(portico_app::MailKind::ALL.len()));
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(read["customized"], true);
    assert_eq!(preview["subject"], "Acme Corp, your portal is ready", "{preview}");
    assert_eq!((bad.status, bad.code().as_str()), (422, "invalid_template"));
    let message = bad.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("[FirstName]") && message.contains("[ContactName]"), "{message}");
    assert_eq!(reset["customized"], false);
    assert_eq!((unknown.status, unknown.code().as_str()), (404, "unknown_template_kind"));
    app.stop().await;
}

#[tokio::test]
async fn settings_are_read_validated_and_saved() {
    let app = spawn_app().await;
    let good = json!({ "portal_enabled": false, "invitation_lifetime_days": 30, "brand_name": "Northwind", "brand_color": "#0F766E" });

    let before = app.get_settings().await.json();
    let saved = app.put_settings(&good).await.json();
    let after = app.get_settings().await.json();
    let too_long = app.put_settings(&json!({ "portal_enabled": true, "invitation_lifetime_days": 400, "brand_name": "N", "brand_color": "#000000" })).await;
    let bad_color = app
        .put_settings(
            &json!({ "portal_enabled": true, "invitation_lifetime_days": 3, "brand_name": "N", "brand_color": "red" }),
        )
        .await;

    assert_eq!(before["portal_enabled"], true);
    assert_eq!(saved["brand_color"], "#0f766e");
    assert_eq!(after, saved);
    assert_eq!((too_long.status, too_long.code().as_str()), (422, "validation_failed"));
    assert!(too_long.json()["message"].as_str().unwrap_or_default().starts_with("invitation_lifetime_days"));
    assert_eq!((bad_color.status, bad_color.code().as_str()), (422, "validation_failed"));
    app.stop().await;
}
