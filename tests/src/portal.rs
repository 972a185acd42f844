//! The portal's invitation pages as a browser uses them: open the link,
//! then post one of its forms with the CSRF cookie the page set.

use crate::TestApp;
use crate::form::{Form, Page};

/// The path of an invitation link.
#[must_use]
pub fn link(token: &str) -> String {
    format!("/portal/invitations/{token}")
}

impl TestApp {
    /// `GET /portal/invitations/:token`.
    pub async fn open_link(&self, token: &str) -> Page {
        Page::of(&self.send("GET", &link(token), &[], None).await)
    }

    /// Opens the link and posts its form ending in `suffix` with `filled`.
    ///
    /// # Panics
    /// When the page has no such form or set no CSRF cookie.
    pub async fn submit(&self, token: &str, suffix: &str, filled: &[(&str, &str)]) -> Page {
        let page = self.open_link(token).await;
        let form = page.form(suffix).unwrap_or_else(|| panic!("no {suffix} form on {}", page.html));
        let cookie = page.csrf_cookie.clone().expect("the page sets a CSRF cookie");
        self.post_form(&form, Some(&cookie), filled).await
    }

    /// Posts a form, with the CSRF cookie when given.
    pub async fn post_form(&self, form: &Form, cookie: Option<&str>, filled: &[(&str, &str)]) -> Page {
        let body = form.body(filled);
        let cookie = cookie.map(|c| format!("portico_csrf={c}"));
        let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
        if let Some(cookie) = &cookie {
            headers.push(("cookie", cookie.as_str()));
        }
        Page::of(&self.send("POST", &form.action, &headers, Some(body.as_bytes())).await)
    }

    /// Accepts a link-mode invitation choosing `password`.
    pub async fn accept_with_password(&self, token: &str, password: &str) -> Page {
        self.submit(token, "/accept", &[("password", password), ("password_confirm", password)]).await
    }
}

impl TestApp {
    /// Posts an accept with a chosen password using the CSRF pair of `page`
    /// (which may be a problem page without an accept form): the status.
    pub async fn accept_with_password_on(&self, page: &Page, token: &str) -> u16 {
        let csrf = page.csrf_cookie.clone().expect("the page sets a CSRF cookie");
        let form = Form {
            action: format!("{}/accept", link(token)),
            hidden: vec![("csrf".to_owned(), csrf.clone())],
            fields: Vec::new(),
        };
        let password = "correct horse battery";
        self.post_form(&form, Some(&csrf), &[("password", password), ("password_confirm", password)]).await.status
    }
}
