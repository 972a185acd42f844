//! What the portal answers besides the invitation form: a page for each
//! broken link (saying which, and offering the next step), notices, and the
//! page for a failure on our side. Pages that know no merchant are neutral.

use poem::Response;
use poem::http::StatusCode;
use portico_app::ErrorChain;
use portico_app::use_cases::respond_to_invitation::{LinkProblem, RespondToInvitationError};
use portico_domain::InvitationStatus;
use serde_json::json;

use super::pages::{Brand, Pages};

pub(super) fn problem_page(pages: &Pages, error: RespondToInvitationError, base: &str, csrf: &str) -> Response {
    // Which page it is, and whether it offers a fresh link or the sign-in.
    let (status, title, message, renew, sign_in) = match error {
        RespondToInvitationError::Link(LinkProblem::Invalid) => (
            StatusCode::NOT_FOUND,
            "This link does not work",
            "Check that you opened the whole link from your invitation email. If it still does not work, ask the sender for a new invitation.",
            false,
            false,
        ),
        RespondToInvitationError::Link(LinkProblem::Expired) => (
            StatusCode::GONE,
            "This invitation link has expired",
            "Invitation links work for a limited time. You can ask for a new one below.",
            true,
            false,
        ),
        RespondToInvitationError::Link(LinkProblem::Replaced) => (
            StatusCode::GONE,
            "A newer invitation replaced this one",
            // A retired link asks for nothing (only the newest one may).
            "A more recent invitation email was sent; its link is the one that works. Can't find it? Ask the sender to send it again.",
            false,
            false,
        ),
        RespondToInvitationError::Link(LinkProblem::Used(InvitationStatus::Declined)) => (
            StatusCode::GONE,
            "This invitation was declined",
            "The invitation was declined, so this link no longer works. If you changed your mind, ask the sender to invite you again.",
            false,
            false,
        ),
        RespondToInvitationError::Link(LinkProblem::Used(_)) => (
            StatusCode::GONE,
            "This invitation was already accepted",
            "The invitation was accepted and this link has been used. Sign in to the portal with your email and password.",
            false,
            true,
        ),
        RespondToInvitationError::Link(LinkProblem::Revoked) => (
            StatusCode::GONE,
            "This invitation was withdrawn",
            "The sender withdrew this invitation. Contact them if you think this is a mistake.",
            false,
            false,
        ),
        RespondToInvitationError::PortalDisabled => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The portal is not available",
            "The customer portal is switched off for now. Please try again later.",
            false,
            false,
        ),
        RespondToInvitationError::WeakPassword(_)
        | RespondToInvitationError::WrongCredentials
        | RespondToInvitationError::WrongForm => (
            StatusCode::CONFLICT,
            "Please start again",
            "Open the link from your invitation email again.",
            false,
            false,
        ),
        RespondToInvitationError::Unexpected(e) => {
            tracing::error!(error = %ErrorChain(&*e), "an invitation page failed");
            return unexpected_page(pages);
        }
    };
    let data = json!({
        "title": title, "message": message, "request_new_link": renew,
        "sign_in_url": sign_in.then_some("/portal/"),
        "base": base, "csrf": csrf,
    });
    message_page(pages, &neutral(data), status)
}

pub(super) fn stale_form(pages: &Pages) -> Response {
    let message =
        "For your security the page must be loaded again before it can be sent. Open the link from your email again.";
    notice(pages, "This form has expired", message, None, StatusCode::FORBIDDEN)
}

pub(super) fn unexpected_page(pages: &Pages) -> Response {
    let message = "Something went wrong on our side. Please try again in a few minutes.";
    notice(pages, "Something went wrong", message, None, StatusCode::INTERNAL_SERVER_ERROR)
}

/// A page with a title and a message (and a link to the portal), no form.
pub(super) fn notice(
    pages: &Pages,
    title: &str,
    message: &str,
    sign_in_url: Option<&str>,
    status: StatusCode,
) -> Response {
    let data = json!({
        "title": title, "message": message, "request_new_link": false,
        "sign_in_url": sign_in_url, "base": "", "csrf": "",
    });
    message_page(pages, &neutral(data), status)
}

fn neutral(mut data: serde_json::Value) -> serde_json::Value {
    let brand = Brand::neutral();
    data["brand_name"] = json!(brand.brand_name);
    data["brand_color"] = json!(brand.brand_color);
    data
}

fn message_page(pages: &Pages, data: &serde_json::Value, status: StatusCode) -> Response {
    pages.render(status, "message", data)
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
