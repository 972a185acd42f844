//! Reading captured emails: the transfer-decoded text of every part, the
//! invitation token of the link, and the credentials of a credentials email.

use portico_testkit::smtp::Captured;

/// Every text part of a message, transfer-decoded (quoted-printable,
/// base64), joined by line breaks.
pub fn text_of(raw: &str) -> String {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let headers = unfold(head);
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    let content_type = header("content-type");
    if let Some(boundary) = boundary_of(content_type) {
        let delimiter = format!("--{boundary}");
        return body
            .split(delimiter.as_str())
            .skip(1)
            .take_while(|part| !part.starts_with("--"))
            .map(|part| text_of(part.trim_start_matches("\r\n")))
            .collect::<Vec<_>>()
            .join("\n");
    }
    if !(content_type.is_empty() || content_type.to_ascii_lowercase().starts_with("text/")) {
        return String::new();
    }
    let bytes = match header("content-transfer-encoding").to_ascii_lowercase().as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => base64(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

fn unfold(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    headers
}

fn boundary_of(content_type: &str) -> Option<String> {
    if !content_type.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    content_type.split(';').find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary").then(|| value.trim_matches('"').to_owned())
    })
}

fn quoted_printable(body: &str) -> Vec<u8> {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

fn base64(body: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextets: Vec<u32> = body
        .bytes()
        .filter_map(|b| ALPHABET.iter().position(|&a| a == b))
        .filter_map(|p| u32::try_from(p).ok())
        .collect();
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for group in sextets.chunks(4) {
        let word = group.iter().enumerate().fold(0_u32, |acc, (k, s)| acc | (s << (18 - 6 * k)));
        let bytes = word.to_be_bytes();
        out.extend_from_slice(&bytes[1..group.len()]);
    }
    out
}

/// The invitation tokens linked from a message, in order, without repeats.
pub fn tokens_in(message: &Captured) -> Vec<String> {
    let text = text_of(&message.data);
    let mut tokens: Vec<String> = Vec::new();
    for (at, _) in text.match_indices("/portal/invitations/") {
        let rest = &text[at + "/portal/invitations/".len()..];
        let token: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        if token.len() == 64 && !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    tokens
}

/// The one invitation token of a message.
///
/// # Panics
/// When the message links no token or more than one.
pub fn token_of(message: &Captured) -> String {
    let tokens = tokens_in(message);
    assert_eq!(tokens.len(), 1, "one invitation token expected in {}", text_of(&message.data));
    tokens[0].clone()
}

/// The full address of the one invitation link of a message, as the
/// contact's mail client shows it (`http://host:port/portal/invitations/…`).
///
/// # Panics
/// When the message links no token or more than one.
pub fn link_of(message: &Captured) -> String {
    let token = token_of(message);
    let text = text_of(&message.data);
    let end = text.find(&token).expect("the token is in the text") + token.len();
    let start = text[..end].rfind("http").expect("the link is absolute");
    text[start..end].to_owned()
}

/// The value after `label` on a line of the message's text (`Username: `).
pub fn field_of(message: &Captured, label: &str) -> Option<String> {
    text_of(&message.data)
        .lines()
        .find_map(|line| line.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
        .filter(|v| !v.is_empty())
}

/// The single envelope recipient of a message.
///
/// # Panics
/// When the envelope names another number of recipients.
pub fn recipient_of(message: &Captured) -> String {
    assert_eq!(message.to.len(), 1, "one envelope recipient expected: {:?}", message.to);
    message.to[0].trim_matches(['<', '>']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoders_read_soft_breaks_escapes_and_base64() {
        assert_eq!(quoted_printable("a=3Db=\r\nc"), b"a=bc");
        assert_eq!(base64("aGVsbG8gd29ybGQ="), b"hello world");
        assert_eq!(base64("aGk="), b"hi");
    }
}
