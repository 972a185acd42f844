//! `Idempotency-Key` on the API's POSTs: the first answer to a key is stored
//! and replayed to every retry with the same key and the same request, so a
//! double click or a retry after a timeout does the work once.
//!
//! Only an authenticated caller gets a key: the API key is checked before
//! the body is read or anything is stored, and keys are scoped to the API
//! key's id. An answer that says "try again" (429, or a failure on our side)
//! is never stored. Imports take no key: re-importing a file changes nothing.

use std::sync::Arc;

use poem::http::{Method, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};
use portico_app::use_cases::authenticate_staff::{AuthenticateStaff, AuthenticateStaffError};
use portico_app::{Clock, ErrorChain, IdempotencyClaim, IdempotencyRepository, StaffPrincipal};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, to_json_error};
use crate::payload::JSON_LIMIT;

/// The header.
pub const HEADER: &str = "idempotency-key";

/// The caller the middleware authenticated, for the operation's own check.
#[derive(Clone, Debug)]
pub(crate) struct Authenticated(pub(crate) StaffPrincipal);

/// The middleware.
#[derive(Clone)]
pub struct Idempotent {
    /// Where keys and answers live.
    pub repository: Arc<dyn IdempotencyRepository>,
    /// Who is calling.
    pub authenticate: AuthenticateStaff,
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

/// The token of an `Authorization: Bearer ...` header.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether an answer tells the client to try again later: it must not be
/// replayed to that retry.
fn transient(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

impl<E: Endpoint> IdempotentEndpoint<E> {
    async fn pass(&self, req: Request) -> poem::Result<Response> {
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

impl<E: Endpoint> Endpoint for IdempotentEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let wanted = req.method() == Method::POST
            && req.headers().contains_key(HEADER)
            && !req.uri().path().contains("/imports/");
        if !wanted {
            return self.pass(req).await;
        }
        // Authentication first: an anonymous caller reads no body and
        // stores nothing (the operation answers its 401).
        let Some(token) = bearer(&req) else { return self.pass(req).await };
        let principal = match self.config.authenticate.execute(token).await {
            Ok(principal) => principal,
            Err(AuthenticateStaffError::Malformed | AuthenticateStaffError::UnknownKey) => return self.pass(req).await,
            Err(AuthenticateStaffError::Unexpected(e)) => {
                return Ok(ApiError::unexpected("checking an API key", &*e).into_response());
            }
        };
        let key = match req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned)) {
            Some(Ok(k)) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k,
            _ => {
                let message = "Idempotency-Key must be 1 to 255 visible ASCII characters";
                return Ok(ApiError::bad_request("invalid_idempotency_key", message).into_response());
            }
        };
        let scope = principal.api_key_id.to_string();
        req.extensions_mut().insert(Authenticated(principal));
        let body = match req.take_body().into_bytes_limit(JSON_LIMIT).await {
            Ok(body) => body,
            Err(poem::error::ReadBodyError::PayloadTooLarge) => {
                return Ok(ApiError::too_large(format!("the body is over {JSON_LIMIT} bytes")).into_response());
            }
            Err(other) => return Ok(ApiError::bad_request("invalid_body", other.to_string()).into_response()),
        };
        let target = req.uri().to_string();
        let fingerprint = hex_sha256(&[req.method().as_str().as_bytes(), target.as_bytes(), &body]);
        req.set_body(Body::from(body));
        let repository = &self.config.repository;
        let claimed = match repository.claim(&scope, &key, &fingerprint, self.config.clock.now()).await {
            Ok(IdempotencyClaim::Started(claimed)) => claimed,
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
        };
        let response = match self.inner.call(req).await {
            Ok(output) => output.into_response(),
            Err(error) => to_json_error(error).await,
        };
        if transient(response.status()) {
            // "Try again" must not be replayed: forget the key so the retry runs for real.
            if let Err(e) = repository.abandon(&claimed).await {
                tracing::error!(error = %ErrorChain(&e), "abandoning an idempotency key failed");
            }
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let bytes = body.into_bytes().await?;
        if let Err(e) = repository.complete(&claimed, parts.status.as_u16(), &bytes).await {
            tracing::error!(error = %ErrorChain(&e), "storing an idempotent answer failed");
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
    use portico_app::{ClaimedKey, MockApiKeyRepository, RepositoryError};
    use portico_domain::{MerchantId, Role, StaffUserId};
    use uuid::Uuid;

    use super::*;

    const KEY: &str = "ptk_2222222222222222222222222222222222222222222222222222222222222222";

    /// A stored key: its claim, its request's fingerprint and, once complete, the answer.
    type Entry = (Uuid, String, Option<(u16, Vec<u8>)>);

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
                    let claim = Uuid::now_v7();
                    v.insert((claim, fp.into(), None));
                    IdempotencyClaim::Started(ClaimedKey { scope: scope.into(), key: key.into(), claim })
                }
                std::collections::hash_map::Entry::Occupied(o) => match o.get() {
                    (_, stored, _) if stored != fp => IdempotencyClaim::Mismatch,
                    (_, _, None) => IdempotencyClaim::InProgress,
                    (_, _, Some((status, body))) => IdempotencyClaim::Replay { status: *status, body: body.clone() },
                },
            })
        }

        async fn complete(&self, c: &ClaimedKey, status: u16, body: &[u8]) -> Result<(), RepositoryError> {
            if let Some(entry) = self.0.lock().unwrap().get_mut(&(c.scope.clone(), c.key.clone()))
                && entry.0 == c.claim
            {
                entry.2 = Some((status, body.to_vec()));
            }
            Ok(())
        }

        async fn abandon(&self, c: &ClaimedKey) -> Result<(), RepositoryError> {
            self.0.lock().unwrap().retain(|k, v| *k != (c.scope.clone(), c.key.clone()) || v.0 != c.claim);
            Ok(())
        }

        async fn purge_expired(&self, _: DateTime<Utc>) -> Result<u64, RepositoryError> {
            Ok(0)
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
        let status = match body.as_str() {
            "fail" => StatusCode::INTERNAL_SERVER_ERROR,
            "busy" => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::ACCEPTED,
        };
        format!("{{\"call\":{n}}}").with_status(status).into_response()
    }

    fn client(keys: Arc<Keys>) -> TestClient<impl Endpoint> {
        let mut api_keys = MockApiKeyRepository::new();
        api_keys.expect_find_by_hash().returning(|hash| {
            let known = portico_app::use_cases::authenticate_staff::parse_api_key(KEY).unwrap().hash();
            Ok((*hash == known).then(|| StaffPrincipal {
                merchant_id: MerchantId::from_uuid(Uuid::from_u128(1)),
                staff_user_id: StaffUserId::from_uuid(Uuid::from_u128(2)),
                role: Role::Admin,
                api_key_id: Uuid::from_u128(3),
            }))
        });
        let idempotent = Idempotent {
            repository: keys,
            authenticate: AuthenticateStaff { keys: Arc::new(api_keys) },
            clock: Arc::new(Fixed),
        };
        TestClient::new(post(count).with(idempotent))
    }

    async fn send_as(
        client: &TestClient<impl Endpoint>,
        auth: &str,
        key: Option<&str>,
        body: &str,
    ) -> (u16, String, bool) {
        let mut req = client.post("/").header("authorization", auth).body(body.to_owned());
        if let Some(key) = key {
            req = req.header(HEADER, key);
        }
        let resp = req.send().await;
        let replayed = resp.0.headers().contains_key("idempotency-replayed");
        let status = resp.0.status().as_u16();
        (status, resp.0.into_body().into_string().await.unwrap(), replayed)
    }

    async fn send(client: &TestClient<impl Endpoint>, key: Option<&str>, body: &str) -> (u16, String, bool) {
        send_as(client, &format!("Bearer {KEY}"), key, body).await
    }

    #[tokio::test]
    async fn a_retry_with_the_same_key_replays_the_first_answer() {
        let client = client(Arc::default());
        let (s1, b1, r1) = send(&client, Some("k-1"), "{}").await;
        let (s2, b2, r2) = send(&client, Some("k-1"), "{}").await;
        assert_eq!((s1, r1), (202, false));
        assert_eq!((s2, &b2, r2), (202, &b1, true), "the work ran once");
        let (_, b3, _) = send(&client, None, "{}").await;
        assert_ne!(b3, b1, "without a key every request runs");
    }

    #[tokio::test]
    async fn keys_belong_to_the_api_key_not_to_the_header_spelling() {
        let client = client(Arc::default());
        let (_, b1, _) = send(&client, Some("k-spelling"), "{}").await;
        let (_, b2, replayed) = send_as(&client, &format!("bearer   {KEY} "), Some("k-spelling"), "{}").await;
        assert!(replayed, "the same API key, written differently");
        assert_eq!(b1, b2);
    }

    #[tokio::test]
    async fn a_key_reused_for_another_request_is_refused() {
        let client = client(Arc::default());
        send(&client, Some("k-2"), "{\"a\":1}").await;
        let (status, body, _) = send(&client, Some("k-2"), "{\"a\":2}").await;
        assert_eq!(status, 422);
        assert!(body.contains("idempotency_key_reused"));
        let (status, _, _) = send(&client, Some(&"x".repeat(300)), "{}").await;
        assert_eq!(status, 400);
    }

    #[tokio::test]
    async fn a_failure_on_our_side_or_a_rate_limit_lets_the_retry_run() {
        let client = client(Arc::default());
        for (body, expected) in [("fail", 500), ("busy", 429)] {
            let key = format!("k-{body}");
            let (s1, b1, _) = send(&client, Some(&key), body).await;
            let (s2, b2, r2) = send(&client, Some(&key), body).await;
            assert_eq!((s1, s2), (expected, expected));
            assert_ne!(b1, b2, "the retry ran again");
            assert!(!r2);
        }
    }

    #[tokio::test]
    async fn unauthenticated_posts_store_nothing() {
        let keys = Arc::new(Keys::default());
        let client = client(keys.clone());
        let unknown = format!("Bearer ptk_{}", "3".repeat(64));
        for n in 0..1_000 {
            let auth = match n % 3 {
                0 => unknown.as_str(),
                1 => "Bearer not-a-key",
                _ => "Basic YTpi",
            };
            send_as(&client, auth, Some(&format!("key-{n}")), "{}").await;
        }
        assert!(keys.0.lock().unwrap().is_empty(), "no key was stored for an unauthenticated caller");
    }
}
