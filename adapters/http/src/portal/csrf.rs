//! CSRF protection for the portal's forms: a random value in an HttpOnly,
//! SameSite=Strict cookie, repeated in each form; a POST is honoured only
//! when both are present and equal (the double-submit pattern). A page from
//! another site can neither read the cookie nor make the browser send it.

use poem::Request;
use poem::http::header;

/// The cookie's name.
pub const COOKIE: &str = "portico_csrf";

/// The value of the request's CSRF cookie, when it has a well-formed one.
#[must_use]
pub fn from_cookie(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value for a token.
#[must_use]
pub fn set_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/portal; HttpOnly; SameSite=Strict; Max-Age=86400{secure}")
}

/// Whether a form's token matches the cookie, compared in constant time.
#[must_use]
pub fn verify(cookie: Option<&str>, form: Option<&str>) -> bool {
    match (cookie, form) {
        (Some(c), Some(f)) if c.len() == f.len() && !c.is_empty() => {
            c.bytes().zip(f.bytes()).fold(0_u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_equal_pair_verifies() {
        let t = "a".repeat(64);
        assert!(verify(Some(&t), Some(&t)));
        assert!(!verify(Some(&t), Some(&"b".repeat(64))));
        assert!(!verify(None, Some(&t)));
        assert!(!verify(Some(&t), None));
        assert!(!verify(Some(""), Some("")));
    }

    #[test]
    fn the_cookie_is_read_among_others_and_malformed_values_are_ignored() {
        let t = "0f".repeat(32);
        let req = Request::builder().header(header::COOKIE, format!("a=1; {COOKIE}={t}; b=2")).finish();
        assert_eq!(from_cookie(&req), Some(t));
        let bad = Request::builder().header(header::COOKIE, format!("{COOKIE}=<script>")).finish();
        assert_eq!(from_cookie(&bad), None);
    }
}
