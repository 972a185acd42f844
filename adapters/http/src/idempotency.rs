//! `Idempotency-Key` on the API's POSTs: the first answer to a key is stored
//! and replayed to every retry with the same key and the same request, so a
//! double click or a retry after a timeout does the work once. Keys are
//! scoped to the API key that sent them.

use std::sync::Arc;

use poem::http::{Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};
use portico_app::{Clock, IdempotencyClaim, IdempotencyRepository};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, to_json_error};

/// The header.
pub const HEADER: &str = "idempotency-key";

/// The middleware.
#[derive(Clone)]
pub struct Idempotent {
    /// Where keys and answers live.
    pub repository: Arc<dyn IdempotencyRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Idempotent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idempotent").finish_non_exhaustive()
    }
}

impl<E: Endpoint> Middleware<E> for Idempotent {
    type Output = IdempotentEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        IdempotentEndpoint { inner, config: self.clone() }
    }
}

/// The wrapped endpoint.
#[derive(Debug)]
pub struct IdempotentEndpoint<E> {
    inner: E,
    config: Idempotent,
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

impl<E: Endpoint> Endpoint for IdempotentEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let key = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned));
        let auth = req.headers().get(poem::http::header::AUTHORIZATION).map(|v| v.as_bytes().to_vec());
        let (Some(key), Some(auth), &Method::POST) = (key, auth, req.method()) else {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        };
        let key = match key {
            Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k,
            _ => {
                let message = "Idempotency-Key must be 1 to 255 visible ASCII characters";
                return Ok(ApiError::bad_request("invalid_idempotency_key", message).into_response());
            }
        };
        let scope = hex_sha256(&[&auth]);
        let body = req.take_body().into_bytes().await?;
        let target = req.uri().to_string();
        let fingerprint = hex_sha256(&[req.method().as_str().as_bytes(), target.as_bytes(), &body]);
        req.set_body(Body::from(body));
        let repository = &self.config.repository;
        let claim = repository.claim(&scope, &key, &fingerprint, self.config.clock.now()).await;
        match claim {
            Ok(IdempotencyClaim::Started) => {}
            Ok(IdempotencyClaim::Replay { status, body }) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                return Ok(body
                    .with_status(status)
                    .with_content_type("application/json; charset=utf-8")
                    .with_header("idempotency-replayed", "true")
                    .into_response());
            }
            Ok(IdempotencyClaim::InProgress) => {
                let message = "a request with this Idempotency-Key is still being processed; retry shortly";
                return Ok(ApiError::conflict("idempotency_key_in_use", message).into_response());
            }
            Ok(IdempotencyClaim::Mismatch) => {
                let message = "this Idempotency-Key was used for a different request";
                return Ok(ApiError::unprocessable("idempotency_key_reused", message).into_response());
            }
            Err(e) => return Ok(ApiError::unexpected("claiming an idempotency key", &e).into_response()),
        }
        let response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(error) => to_json_error(error).await,
        };
        if response.status().is_server_error() {
            // Our failure: forget the key so the client's retry runs for real.
            if let Err(e) = repository.abandon(&scope, &key).await {
                tracing::error!(error = %portico_app::ErrorChain(&e), "abandoning an idempotency key failed");
            }
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let bytes = body.into_bytes().await?;
        if let Err(e) = repository.complete(&scope, &key, parts.status.as_u16(), &bytes).await {
            tracing::error!(error = %portico_app::ErrorChain(&e), "storing an idempotent answer failed");
        }
        Ok(Response::from_parts(parts, Body::from(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use poem::test::TestClient;
    use poem::{EndpointExt, handler, post};
    use portico_app::RepositoryError;

    use super::*;

    /// A stored key: its request's fingerprint and, once complete, the answer.
    type Entry = (String, Option<(u16, Vec<u8>)>);

    /// Keys in memory, with the port's insert-first semantics.
    #[derive(Default)]
    struct Keys(Mutex<HashMap<(String, String), Entry>>);

    #[async_trait]
    impl IdempotencyRepository for Keys {
        async fn claim(
            &self,
            scope: &str,
            key: &str,
            fp: &str,
            _: DateTime<Utc>,
        ) -> Result<IdempotencyClaim, RepositoryError> {
            let mut keys = self.0.lock().unwrap();
            let entry = keys.entry((scope.into(), key.into()));
            Ok(match entry {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((fp.into(), None));
                    IdempotencyClaim::Started
                }
                std::collections::hash_map::Entry::Occupied(o) => match o.get() {
                    (stored, _) if stored != fp => IdempotencyClaim::Mismatch,
                    (_, None) => IdempotencyClaim::InProgress,
                    (_, Some((status, body))) => IdempotencyClaim::Replay { status: *status, body: body.clone() },
                },
            })
        }

        async fn complete(&self, scope: &str, key: &str, status: u16, body: &[u8]) -> Result<(), RepositoryError> {
            if let Some(entry) = self.0.lock().unwrap().get_mut(&(scope.into(), key.into())) {
                entry.1 = Some((status, body.to_vec()));
            }
            Ok(())
        }

        async fn abandon(&self, scope: &str, key: &str) -> Result<(), RepositoryError> {
            self.0.lock().unwrap().remove(&(scope.into(), key.into()));
            Ok(())
        }
    }

    struct Fixed;
    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            DateTime::<Utc>::UNIX_EPOCH
        }
    }

    static CALLS: AtomicU32 = AtomicU32::new(0);

    #[handler]
    fn count(body: String) -> Response {
        let n = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
        let status = if body == "fail" { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::ACCEPTED };
        format!("{{\"call\":{n}}}").with_status(status).into_response()
    }

    fn client() -> TestClient<impl Endpoint> {
        let keys: Arc<dyn IdempotencyRepository> = Arc::new(Keys::default());
        TestClient::new(post(count).with(Idempotent { repository: keys, clock: Arc::new(Fixed) }))
    }

    async fn send(client: &TestClient<impl Endpoint>, key: Option<&str>, body: &str) -> (u16, String, bool) {
        let mut req = client.post("/").header("authorization", "Bearer ptk_a").body(body.to_owned());
        if let Some(key) = key {
            req = req.header(HEADER, key);
        }
        let resp = req.send().await;
        let replayed = resp.0.headers().contains_key("idempotency-replayed");
        let status = resp.0.status().as_u16();
        (status, resp.0.into_body().into_string().await.unwrap(), replayed)
    }

    #[tokio::test]
    async fn a_retry_with_the_same_key_replays_the_first_answer() {
        let client = client();
        let (s1, b1, r1) = send(&client, Some("k-1"), "{}").await;
        let (s2, b2, r2) = send(&client, Some("k-1"), "{}").await;
        assert_eq!((s1, r1), (202, false));
        assert_eq!((s2, &b2, r2), (202, &b1, true), "the work ran once");
        let (_, b3, _) = send(&client, None, "{}").await;
        assert_ne!(b3, b1, "without a key every request runs");
    }

    #[tokio::test]
    async fn a_key_reused_for_another_request_is_refused() {
        let client = client();
        send(&client, Some("k-2"), "{\"a\":1}").await;
        let (status, body, _) = send(&client, Some("k-2"), "{\"a\":2}").await;
        assert_eq!(status, 422);
        assert!(body.contains("idempotency_key_reused"));
        let (status, _, _) = send(&client, Some(&"x".repeat(300)), "{}").await;
        assert_eq!(status, 400);
    }

    #[tokio::test]
    async fn a_failure_on_our_side_lets_the_retry_run() {
        let client = client();
        let (s1, b1, _) = send(&client, Some("k-3"), "fail").await;
        let (s2, b2, r2) = send(&client, Some("k-3"), "fail").await;
        assert_eq!((s1, s2), (500, 500));
        assert_ne!(b1, b2, "the retry ran again");
        assert!(!r2);
    }
}
