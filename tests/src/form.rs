//! HTML forms of the portal pages: find a form by its action,
//! read its hidden fields (the CSRF value), and post it with the CSRF cookie
//! the page set, as a browser would.

use crate::Answer;

/// A portal page as a browser received it.
#[derive(Debug)]
pub struct Page {
    /// The status code.
    pub status: u16,
    /// The HTML.
    pub html: String,
    /// The `portico_csrf` cookie the page set, if it set one.
    pub csrf_cookie: Option<String>,
}

impl Page {
    /// Reads an answer.
    pub fn of(answer: &Answer) -> Self {
        let csrf_cookie =
            answer.headers.iter().filter(|(name, _)| name == "set-cookie").find_map(|(_, value)| {
                value.split(';').next()?.trim().strip_prefix("portico_csrf=").map(str::to_owned)
            });
        Self { status: answer.status, html: answer.text(), csrf_cookie }
    }

    /// The POST form whose action ends with `suffix` (`/accept`).
    pub fn form(&self, suffix: &str) -> Option<Form> {
        self.html.split("<form ").skip(1).find_map(|rest| {
            let (tag, body) = rest.split_once('>')?;
            let action = attribute(tag, "action")?;
            if !action.ends_with(suffix) || !attribute(tag, "method")?.eq_ignore_ascii_case("post") {
                return None;
            }
            let body = body.split("</form>").next().unwrap_or_default();
            let hidden = body
                .split("<input ")
                .skip(1)
                .filter_map(|input| input.split('>').next())
                .filter(|input| attribute(input, "type").as_deref() == Some("hidden"))
                .filter_map(|input| Some((attribute(input, "name")?, attribute(input, "value").unwrap_or_default())))
                .collect();
            let fields =
                body.split("<input ").skip(1).filter_map(|input| attribute(input.split('>').next()?, "name")).collect();
            Some(Form { action, hidden, fields })
        })
    }
}

/// A form on a page.
#[derive(Debug, Clone)]
pub struct Form {
    /// Where it posts.
    pub action: String,
    /// Its hidden fields and their values.
    pub hidden: Vec<(String, String)>,
    /// The names of all its inputs.
    pub fields: Vec<String>,
}

impl Form {
    /// The urlencoded body of the hidden fields plus `filled`.
    pub fn body(&self, filled: &[(&str, &str)]) -> String {
        self.hidden
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain(filled.iter().copied())
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The value of a hidden field.
    pub fn hidden(&self, name: &str) -> Option<&str> {
        self.hidden.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let value = &tag[start..];
    Some(value[..value.find('"')?].replace("&amp;", "&").replace("&#x3D;", "="))
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
