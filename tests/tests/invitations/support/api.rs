//! One helper per endpoint of the admin API the invitation tests use.

use portico_tests::{Answer, request};
use serde_json::{Value, json};

use super::{Portico, eventually};

impl Portico {
    /// An admin call with a JSON body (or none).
    pub async fn admin(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.admin_with(method, path, body, &[]).await
    }

    /// An admin call with a JSON body (or none) and more headers.
    pub async fn admin_with(&self, method: &str, path: &str, body: Option<&Value>, more: &[(&str, &str)]) -> Answer {
        let auth = format!("Bearer {}", self.admin_key);
        let bytes = body.map(|b| serde_json::to_vec(b).expect("JSON"));
        let mut headers = vec![("authorization", auth.as_str())];
        headers.extend_from_slice(more);
        if bytes.is_some() {
            headers.push(("content-type", "application/json"));
        }
        request(self.address, method, path, &headers, bytes.as_deref()).await.expect("an HTTP answer")
    }

    /// `POST /api/v1/imports/customers`: the import report.
    pub async fn import_customers(&self, csv: &[u8]) -> Value {
        let auth = format!("Bearer {}", self.admin_key);
        let headers = [("authorization", auth.as_str()), ("content-type", "text/csv")];
        let answer = request(self.address, "POST", "/api/v1/imports/customers", &headers, Some(csv))
            .await
            .expect("an HTTP answer");
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.json()
    }

    /// `POST /api/v1/invitations`: the batch id of a 202.
    pub async fn invite(&self, body: &Value) -> String {
        let answer = self.admin("POST", "/api/v1/invitations", Some(body)).await;
        assert_eq!(answer.status, 202, "{}", answer.text());
        answer.json()["batch_id"].as_str().expect("a batch id").to_owned()
    }

    /// `GET /api/v1/invitation-batches/:id`.
    pub async fn batch(&self, id: &str) -> Value {
        let answer = self.admin("GET", &format!("/api/v1/invitation-batches/{id}"), None).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.json()
    }

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

    /// `GET /api/v1/invitations?status=`, every page.
    pub async fn invitations(&self, status: Option<&str>) -> Vec<Value> {
        let mut items = Vec::new();
        loop {
            let mut path = format!("/api/v1/invitations?limit=500&offset={}", items.len());
            if let Some(status) = status {
                path.push_str(&format!("&status={status}"));
            }
            let answer = self.admin("GET", &path, None).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
            let page = answer.json();
            let got = page["items"].as_array().cloned().unwrap_or_default();
            let total = page["total"].as_u64().unwrap_or_default();
            let empty = got.is_empty();
            items.extend(got);
            if empty || items.len() as u64 >= total {
                return items;
            }
        }
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

    /// `POST /api/v1/invitations/:id/resend`.
    pub async fn resend(&self, invitation_id: &str) -> Answer {
        self.admin("POST", &format!("/api/v1/invitations/{invitation_id}/resend"), None).await
    }

    /// Turns the portal on or off in the settings.
    pub async fn set_portal_enabled(&self, enabled: bool) {
        let mut settings = self.admin("GET", "/api/v1/settings", None).await.json();
        settings["portal_enabled"] = json!(enabled);
        let answer = self.admin("PUT", "/api/v1/settings", Some(&settings)).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
    }

    /// Whether a customer shows `has_login` in `GET /api/v1/customers`.
    pub async fn has_login(&self, customer_id: &str) -> bool {
        let answer = self.admin("GET", "/api/v1/customers?has_login=true&limit=500", None).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.json()["items"].as_array().is_some_and(|rows| rows.iter().any(|row| row["id"] == customer_id))
    }

    /// Invites one customer and waits for the batch: its report.
    pub async fn invite_customer(&self, customer_id: &str, extra: &Value) -> Value {
        let mut body = json!({ "customer_ids": [customer_id] });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        self.invite_and_wait(&body).await
    }
}
