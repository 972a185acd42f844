//! The portal's invitation landing pages, under `/portal/invitations/{token}`.
//!
//! The GET only shows: mail scanners open every link, so nothing changes
//! until the person presses a button, which POSTs with a CSRF token. Broken
//! links (expired, replaced, used, revoked, unknown) each get a page that
//! says which and offers the next step. Password attempts are rate-limited
//! per link and per client.

mod answers;
mod csrf;
mod pages;

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Endpoint, EndpointExt, Request, Response, Route, get, handler, post};
use portico_app::use_cases::follow_up_invitations::FollowUpInvitations;
use portico_app::use_cases::respond_to_invitation::{
    AcceptWith, CompletionForm, OpenInvitation, RespondToInvitation, RespondToInvitationError,
};
use portico_app::{ErrorChain, TokenSource};
use serde::Deserialize;
use serde_json::json;

use answers::{capitalise, notice, problem_page, stale_form, unexpected_page};
use pages::{Brand, Pages};

use crate::client_address::{TrustedProxies, client_address, client_key};
use crate::limiter::AttemptLimiter;

/// The use cases behind the portal pages.
pub struct PortalServices {
    /// View, accept, decline.
    pub respond: RespondToInvitation,
    /// A fresh link for an expired one.
    pub follow_up: FollowUpInvitations,
    /// CSRF values.
    pub tokens: Arc<dyn TokenSource>,
    /// Mark cookies `Secure` (the portal is served over HTTPS).
    pub secure_cookies: bool,
    /// The proxies whose `X-Forwarded-For` names the client (rate limits).
    pub trusted_proxies: TrustedProxies,
}

impl std::fmt::Debug for PortalServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalServices").field("secure_cookies", &self.secure_cookies).finish_non_exhaustive()
    }
}

struct Portal {
    services: PortalServices,
    pages: Pages,
    per_link: AttemptLimiter,
    per_client: AttemptLimiter,
    new_links: AttemptLimiter,
}

/// The portal's routes, to nest under `/portal`.
pub fn routes(services: PortalServices) -> impl Endpoint<Output = Response> {
    let portal = Arc::new(Portal {
        services,
        pages: Pages::new(),
        per_link: AttemptLimiter::new(5, Duration::from_secs(15 * 60), AttemptLimiter::DEFAULT_CAPACITY),
        per_client: AttemptLimiter::new(30, Duration::from_secs(15 * 60), AttemptLimiter::DEFAULT_CAPACITY),
        new_links: AttemptLimiter::new(10, Duration::from_secs(15 * 60), AttemptLimiter::DEFAULT_CAPACITY),
    });
    Route::new()
        .at("/invitations/:token", get(view))
        .at("/invitations/:token/accept", post(accept))
        .at("/invitations/:token/decline", post(decline))
        .at("/invitations/:token/new-link", post(new_link))
        .data(portal)
        .map_to_response()
}

const DECLINED: &str =
    "You declined the invitation. Nothing more will happen; if you change your mind, ask for a new invitation.";
const NEW_LINK_REQUESTED: &str = "If this invitation can still be renewed, a new link is on its way to the email \
    address on file. It may take a few minutes to arrive.";

/// The fields of every portal form; which are present says which form it was.
#[derive(Debug, Default, Deserialize)]
struct PortalForm {
    csrf: Option<String>,
    password: Option<String>,
    password_confirm: Option<String>,
    existing_password: Option<String>,
    username: Option<String>,
    new_password: Option<String>,
}

fn base(token: &str) -> String {
    // Only a hex token can be valid; anything else is dropped from the page.
    let safe: String = token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
    format!("/portal/invitations/{safe}")
}

/// The request's CSRF value, and the `Set-Cookie` to send when it is new.
fn csrf_for(portal: &Portal, request: &Request) -> (String, Option<String>) {
    match csrf::from_cookie(request) {
        Some(value) => (value, None),
        None => {
            let value = portal.services.tokens.token().expose();
            let cookie = csrf::set_cookie(&value, portal.services.secure_cookies);
            (value, Some(cookie))
        }
    }
}

fn with_cookie(mut response: Response, cookie: Option<String>) -> Response {
    if let Some(cookie) = cookie.and_then(|c| c.parse().ok()) {
        response.headers_mut().append(poem::http::header::SET_COOKIE, cookie);
    }
    response
}

#[handler]
async fn view(request: &Request, Path(token): Path<String>, portal: Data<&Arc<Portal>>) -> Response {
    let (csrf, cookie) = csrf_for(&portal, request);
    let response = match portal.services.respond.view(&token).await {
        Ok(open) => invitation_page(&portal, &open, &token, &csrf, None, StatusCode::OK),
        Err(e) => problem_page(&portal.pages, e, &base(&token), &csrf),
    };
    with_cookie(response, cookie)
}

#[handler]
async fn accept(
    request: &Request,
    Path(token): Path<String>,
    portal: Data<&Arc<Portal>>,
    form: poem::Result<Form<PortalForm>>,
) -> Response {
    let (form, csrf, cookie) = match checked(&portal, request, form) {
        Ok(posted) => posted,
        Err(page) => return *page,
    };
    let with = match (form.existing_password, form.username, form.password, form.password_confirm, form.new_password) {
        (Some(existing), _, _, _, _) => AcceptWith::ExistingLogin(existing),
        (None, Some(username), Some(password), _, Some(new_password)) => {
            AcceptWith::Credentials { username, password, new_password }
        }
        (None, None, Some(password), Some(confirm), _) if password != confirm => {
            return with_cookie(
                retry(&portal, &token, &csrf, "The two passwords differ.", StatusCode::UNPROCESSABLE_ENTITY).await,
                cookie,
            );
        }
        (None, None, Some(password), _, _) => AcceptWith::NewPassword(password),
        _ => {
            return with_cookie(
                retry(&portal, &token, &csrf, "Fill in every field.", StatusCode::UNPROCESSABLE_ENTITY).await,
                cookie,
            );
        }
    };
    if !matches!(with, AcceptWith::NewPassword(_)) && !attempt_allowed(&portal, request, &token).await {
        let message = "Too many attempts. Wait a quarter of an hour and try again.";
        return with_cookie(retry(&portal, &token, &csrf, message, StatusCode::TOO_MANY_REQUESTS).await, cookie);
    }
    let response = match portal.services.respond.accept(&token, with).await {
        Ok(_) => notice(
            &portal.pages,
            "Welcome to the portal",
            "Your sign-in is ready. You can now see and pay your invoices online.",
            Some("/portal/"),
            StatusCode::OK,
        ),
        Err(RespondToInvitationError::WeakPassword(e)) => {
            retry(&portal, &token, &csrf, &format!("{}.", capitalise(&e.to_string())), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(RespondToInvitationError::WrongCredentials) => {
            retry(&portal, &token, &csrf, "The username or password is not right.", StatusCode::UNAUTHORIZED).await
        }
        Err(RespondToInvitationError::WrongForm) => {
            retry(&portal, &token, &csrf, "This invitation changed meanwhile; here it is again.", StatusCode::CONFLICT)
                .await
        }
        Err(e) => problem_page(&portal.pages, e, &base(&token), &csrf),
    };
    with_cookie(response, cookie)
}

/// Whether another password may be checked: per client first, then per
/// link. A link counts under one key however its hex is spelled, and only
/// when it is a live invitation (an unknown token checks no password, and
/// must not take room in the limiter).
async fn attempt_allowed(portal: &Portal, request: &Request, token: &str) -> bool {
    let client = client_address(request, &portal.services.trusted_proxies);
    if !portal.per_client.allow(&client_key(client)) {
        return false;
    }
    match link_key(token) {
        Some(key) if portal.services.respond.view(token).await.is_ok() => portal.per_link.allow(&key),
        _ => true,
    }
}

/// The limiter key of a link: its token in lower-case hex, if it is one.
fn link_key(token: &str) -> Option<String> {
    let token = token.trim();
    let hex = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    hex.then(|| format!("link:{}", token.to_ascii_lowercase()))
}

#[handler]
async fn decline(
    request: &Request,
    Path(token): Path<String>,
    portal: Data<&Arc<Portal>>,
    form: poem::Result<Form<PortalForm>>,
) -> Response {
    let (_, csrf, cookie) = match checked(&portal, request, form) {
        Ok(posted) => posted,
        Err(page) => return *page,
    };
    let response = match portal.services.respond.decline(&token).await {
        Ok(_) => notice(&portal.pages, "Invitation declined", DECLINED, None, StatusCode::OK),
        Err(e) => problem_page(&portal.pages, e, &base(&token), &csrf),
    };
    with_cookie(response, cookie)
}

#[handler]
async fn new_link(
    request: &Request,
    Path(token): Path<String>,
    portal: Data<&Arc<Portal>>,
    form: poem::Result<Form<PortalForm>>,
) -> Response {
    let (_, _, cookie) = match checked(&portal, request, form) {
        Ok(posted) => posted,
        Err(page) => return *page,
    };
    // Anyone may post here, so each client gets a small budget.
    let client = client_address(request, &portal.services.trusted_proxies);
    if !portal.new_links.allow(&client_key(client)) {
        let message = "Too many requests for a new link. Wait a quarter of an hour and try again.";
        return with_cookie(
            notice(&portal.pages, "Too many requests", message, None, StatusCode::TOO_MANY_REQUESTS),
            cookie,
        );
    }
    let response = match portal.services.follow_up.request_new_link(&token).await {
        // One answer for every link, so the page reveals nothing.
        Ok(()) => notice(&portal.pages, "Check your inbox", NEW_LINK_REQUESTED, None, StatusCode::OK),
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "requesting a new invitation link failed");
            unexpected_page(&portal.pages)
        }
    };
    with_cookie(response, cookie)
}

fn invitation_page(
    portal: &Portal,
    open: &OpenInvitation,
    token: &str,
    csrf: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let brand = Brand::of(&open.merchant.settings.brand_name, &open.merchant.settings.brand_color);
    let data = json!({
        "title": "Your invitation",
        "brand_name": brand.brand_name,
        "brand_color": brand.brand_color,
        "contact_name": open.contact_name,
        "customer_name": open.customer_name,
        "recipient": open.recipient,
        "choose_password": open.form == CompletionForm::ChoosePassword,
        "sign_in_to_link": open.form == CompletionForm::SignInToLink,
        "credentials": open.form == CompletionForm::Credentials,
        "expires_at": open.expires_at.format("%B %-d, %Y").to_string(),
        "error": error,
        "base": base(token),
        "csrf": csrf,
    });
    portal.pages.render(status, "invitation", &data)
}

/// The invitation page again, with an error above the form.
async fn retry(portal: &Portal, token: &str, csrf: &str, error: &str, status: StatusCode) -> Response {
    match portal.services.respond.view(token).await {
        Ok(open) => invitation_page(portal, &open, token, csrf, Some(error), status),
        Err(e) => problem_page(&portal.pages, e, &base(token), csrf),
    }
}

/// A posted form whose CSRF token checks out, with the token and the cookie
/// to set; or the page that answers a stale or forged form.
fn checked(
    portal: &Portal,
    request: &Request,
    form: poem::Result<Form<PortalForm>>,
) -> Result<(PortalForm, String, Option<String>), Box<Response>> {
    let form = form.map(|f| f.0).unwrap_or_default();
    let (csrf, cookie) = csrf_for(portal, request);
    if csrf::verify(csrf::from_cookie(request).as_deref(), form.csrf.as_deref()) {
        Ok((form, csrf, cookie))
    } else {
        Err(Box::new(with_cookie(stale_form(&portal.pages), cookie)))
    }
}
