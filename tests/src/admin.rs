//! One helper per endpoint of the admin API (and `/healthz`), then the few
//! waits and look-ups built on them. Each returns the [`Answer`], or, where
//! a test only ever wants the success, checks the status and returns the
//! JSON body.

use serde_json::{Value, json};

use crate::{Answer, TestApp, eventually, request};

impl TestApp {
    /// Any request to the server, without credentials.
    ///
    /// # Panics
    /// When the connection fails or the answer is not HTTP.
    pub async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Answer {
        request(self.address, method, path, headers, body).await.expect("an HTTP answer")
    }

    /// An admin call with a JSON body (or none).
    pub async fn admin(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.admin_with(method, path, body, &[]).await
    }

    /// An admin call with a JSON body (or none) and more headers.
    ///
    /// # Panics
    /// When the connection fails.
    pub async fn admin_with(&self, method: &str, path: &str, body: Option<&Value>, more: &[(&str, &str)]) -> Answer {
        let auth = format!("Bearer {}", self.admin_key);
        let bytes = body.map(|b| serde_json::to_vec(b).expect("JSON"));
        let mut headers = vec![("authorization", auth.as_str())];
        headers.extend_from_slice(more);
        if bytes.is_some() {
            headers.push(("content-type", "application/json"));
        }
        self.send(method, path, &headers, bytes.as_deref()).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Answer {
        self.send("GET", "/healthz", &[], None).await
    }

    /// `POST /api/v1/imports/customers` with `text/csv`, as `key`.
    pub async fn import_customers(&self, key: &str, csv: &[u8]) -> Answer {
        self.import("customers", key, csv).await
    }

    /// `POST /api/v1/imports/invoices` with `text/csv`, as `key`.
    pub async fn import_invoices(&self, key: &str, csv: &[u8]) -> Answer {
        self.import("invoices", key, csv).await
    }

    async fn import(&self, what: &str, key: &str, csv: &[u8]) -> Answer {
        let auth = format!("Bearer {key}");
        let headers = [("authorization", auth.as_str()), ("content-type", "text/csv")];
        self.send("POST", &format!("/api/v1/imports/{what}"), &headers, Some(csv)).await
    }

    /// `GET /api/v1/customers?query`.
    pub async fn list_customers(&self, query: &str) -> Answer {
        self.admin("GET", &format!("/api/v1/customers?{query}"), None).await
    }

    /// `GET /api/v1/customers/:id`.
    pub async fn get_customer(&self, id: &str) -> Answer {
        self.admin("GET", &format!("/api/v1/customers/{id}"), None).await
    }

    /// `PUT /api/v1/customers/by-erp-id/:erp_id`.
    pub async fn upsert_customer(&self, erp_id: &str, body: &Value) -> Answer {
        self.admin("PUT", &format!("/api/v1/customers/by-erp-id/{erp_id}"), Some(body)).await
    }

    /// `GET /api/v1/templates`.
    pub async fn list_templates(&self) -> Answer {
        self.admin("GET", "/api/v1/templates", None).await
    }

    /// `GET /api/v1/templates/:kind`.
    pub async fn get_template(&self, kind: &str) -> Answer {
        self.admin("GET", &format!("/api/v1/templates/{kind}"), None).await
    }

    /// `PUT /api/v1/templates/:kind`.
    pub async fn put_template(&self, kind: &str, body: &Value) -> Answer {
        self.admin("PUT", &format!("/api/v1/templates/{kind}"), Some(body)).await
    }

    /// `DELETE /api/v1/templates/:kind`.
    pub async fn reset_template(&self, kind: &str) -> Answer {
        self.admin("DELETE", &format!("/api/v1/templates/{kind}"), None).await
    }

    /// `POST /api/v1/templates/:kind/preview`.
    pub async fn preview_template(&self, kind: &str, body: &Value) -> Answer {
        self.admin("POST", &format!("/api/v1/templates/{kind}/preview"), Some(body)).await
    }

    /// `GET /api/v1/settings`.
    pub async fn get_settings(&self) -> Answer {
        self.admin("GET", "/api/v1/settings", None).await
    }

    /// `PUT /api/v1/settings`.
    pub async fn put_settings(&self, body: &Value) -> Answer {
        self.admin("PUT", "/api/v1/settings", Some(body)).await
    }

    /// `POST /api/v1/invitations`: the batch id of a 202.
    pub async fn invite(&self, body: &Value) -> String {
        let answer = self.admin("POST", "/api/v1/invitations", Some(body)).await;
        assert_eq!(answer.status, 202, "{}", answer.text());
        answer.json()["batch_id"].as_str().expect("a batch id").to_owned()
    }

    /// `POST /api/v1/invitations/preview`.
    pub async fn preview_invitations(&self, body: &Value) -> Answer {
        self.admin("POST", "/api/v1/invitations/preview", Some(body)).await
    }

    /// `GET /api/v1/invitation-batches/:id`.
    pub async fn batch(&self, id: &str) -> Value {
        self.admin("GET", &format!("/api/v1/invitation-batches/{id}"), None).await.expect_status(200)
    }

    /// `GET /api/v1/invitations?status=`, every page.
    pub async fn invitations(&self, status: Option<&str>) -> Vec<Value> {
        let mut items = Vec::new();
        loop {
            let mut path = format!("/api/v1/invitations?limit=500&offset={}", items.len());
            if let Some(status) = status {
                path.push_str(&format!("&status={status}"));
            }
            let page = self.admin("GET", &path, None).await.expect_status(200);
            let got = page["items"].as_array().cloned().unwrap_or_default();
            let total = page["total"].as_u64().unwrap_or_default();
            let empty = got.is_empty();
            items.extend(got);
            if empty || items.len() as u64 >= total {
                return items;
            }
        }
    }

    /// `GET /api/v1/invitations/:id/events`.
    pub async fn invitation_events(&self, invitation_id: &str) -> Answer {
        self.admin("GET", &format!("/api/v1/invitations/{invitation_id}/events"), None).await
    }

    /// `POST /api/v1/invitations/:id/resend`.
    pub async fn resend(&self, invitation_id: &str) -> Answer {
        self.admin("POST", &format!("/api/v1/invitations/{invitation_id}/resend"), None).await
    }

    /// `POST /api/v1/invitations/:id/revoke`.
    pub async fn revoke(&self, invitation_id: &str) -> Answer {
        self.admin("POST", &format!("/api/v1/invitations/{invitation_id}/revoke"), None).await
    }

    /// `POST /api/v1/invitations/resend-expired`.
    pub async fn resend_expired(&self) -> Answer {
        self.admin("POST", "/api/v1/invitations/resend-expired", None).await
    }
}

/// Waits and look-ups over the endpoints above.
impl TestApp {
    /// Waits for a batch to complete and returns it.
    pub async fn completed_batch(&self, id: &str) -> Value {
        eventually("the batch completes", || async {
            let batch = self.batch(id).await;
            if batch["state"] == "completed" { Ok(batch) } else { Err(batch.to_string()) }
        })
        .await
    }

    /// Invites and waits for the batch to complete.
    pub async fn invite_and_wait(&self, body: &Value) -> Value {
        let id = self.invite(body).await;
        self.completed_batch(&id).await
    }

    /// Invites one customer and waits for the batch: its report.
    pub async fn invite_customer(&self, customer_id: &str, extra: &Value) -> Value {
        let mut body = json!({ "customer_ids": [customer_id] });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        self.invite_and_wait(&body).await
    }

    /// The invitation sent to `recipient` (the only one).
    pub async fn invitation_to(&self, recipient: &str) -> Value {
        let all = self.invitations(None).await;
        let found: Vec<&Value> = all.iter().filter(|i| i["recipient"] == recipient).collect();
        assert_eq!(found.len(), 1, "one invitation to {recipient} expected: {found:?}");
        found[0].clone()
    }

    /// The current status of an invitation.
    pub async fn status_of(&self, invitation_id: &str) -> String {
        let all = self.invitations(None).await;
        let found = all.iter().find(|i| i["id"] == invitation_id).expect("the invitation is listed");
        found["status"].as_str().unwrap_or_default().to_owned()
    }

    /// Turns the portal on or off in the settings.
    pub async fn set_portal_enabled(&self, enabled: bool) {
        let mut settings = self.get_settings().await.json();
        settings["portal_enabled"] = json!(enabled);
        self.put_settings(&settings).await.expect_status(200);
    }

    /// Whether a customer shows `has_login` in `GET /api/v1/customers`.
    pub async fn has_login(&self, customer_id: &str) -> bool {
        let listed = self.list_customers("has_login=true&limit=500").await.expect_status(200);
        listed["items"].as_array().is_some_and(|rows| rows.iter().any(|row| row["id"] == customer_id))
    }
}
