//! The template engine: defaults of every kind (snapshots), strict mode,
//! escaping, and staff-edited templates with merge tags.

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use portico_app::{EmailContent, MailKind, TemplateRenderer, TemplateSource};
use portico_domain::MerchantId;
use portico_mail::{HandlebarsRenderer, Problem, SaveTemplateError, sample_common, sample_content};
use support::templates::MemoryTemplateStore;
use uuid::Uuid;

fn renderer() -> (HandlebarsRenderer, Arc<MemoryTemplateStore>) {
    let store = Arc::new(MemoryTemplateStore::default());
    (HandlebarsRenderer::new(store.clone()).unwrap(), store)
}

fn merchant() -> MerchantId {
    MerchantId::from_uuid(Uuid::from_u128(7))
}

/// Compares `actual` with the committed file; `UPDATE_SNAPSHOTS=1` rewrites it.
fn assert_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it", path.display()));
    assert!(expected == actual, "{name} differs from its snapshot; run with UPDATE_SNAPSHOTS=1 to accept:\n{actual}");
}

#[tokio::test]
async fn every_default_template_matches_its_snapshot() {
    let (renderer, _) = renderer();
    for kind in MailKind::ALL {
        let content = sample_content(kind, sample_common());
        let email = renderer.render(merchant(), &content).await.unwrap();
        assert!(!email.subject.contains('\n'));
        assert_snapshot(&format!("{}.txt", kind.as_str()), &format!("Subject: {}\n\n{}", email.subject, email.text));
        assert_snapshot(&format!("{}.html", kind.as_str()), &email.html);
    }
}

#[tokio::test]
async fn values_are_escaped_in_html_and_left_alone_in_text() {
    let (renderer, _) = renderer();
    let mut common = sample_common();
    common.customer_name = "<script>alert(1)</script> & Sons".to_owned();
    common.brand_color = "red;background:url(https://evil.example)".to_owned();
    common.contact_name = "Ann\r\nBcc: victim@example.com".to_owned();
    let email = renderer.render(merchant(), &sample_content(MailKind::PaymentReminder, common)).await.unwrap();
    assert!(email.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons"));
    assert!(!email.html.contains("<script>"));
    assert!(!email.html.contains("evil.example"), "a brand colour that is not #rrggbb is replaced");
    assert!(email.text.contains("<script>alert(1)</script> & Sons"));
    assert_eq!(email.subject, "<script>alert(1)</script> & Sons: $1,560.40 past due to Northwind Supplies");
}

#[tokio::test]
async fn a_stored_override_that_bypassed_validation_fails_loudly() {
    let (renderer, store) = renderer();
    // A stored override that bypassed validation and names a field the kind lacks.
    let source = TemplateSource { subject: "Hi".into(), html: "[Password]".into(), text: "x".into() };
    portico_app::TemplateStore::put(store.as_ref(), merchant(), MailKind::InvitationLink, &source).await.unwrap();
    let content = sample_content(MailKind::InvitationLink, sample_common());
    let error = renderer.render(merchant(), &content).await.unwrap_err();
    assert!(error.to_string().contains("invalid"), "{error}");
}

#[tokio::test]
async fn a_staff_template_renders_with_escaping_and_the_shared_layout() {
    let (renderer, _) = renderer();
    let source = TemplateSource {
        subject: "Welcome [ContactName] to [MerchantName]".into(),
        html: "<p>Dear [ContactName] of {[CustomerName]}, \\[ContactName]</p><a href=\"[InvitationLink]\">Go</a> [[not a tag]".into(),
        text: "Dear [ContactName] of [CustomerName],\n{[InvitationLink]} expires [ExpiresAt]".into(),
    };
    renderer.save_override(merchant(), MailKind::InvitationLink, &source).await.unwrap();
    let mut common = sample_common();
    common.customer_name = "<b>Acme</b>".into();
    let content = sample_content(MailKind::InvitationLink, common);
    let email = renderer.render(merchant(), &content).await.unwrap();
    assert_eq!(email.subject, "Welcome Ann Lee to Northwind Supplies");
    assert!(email.html.contains("<p>Dear Ann Lee of {&lt;b&gt;Acme&lt;/b&gt;}, \\Ann Lee</p>"), "{}", email.html);
    assert!(email.html.contains("[not a tag]"));
    assert!(email.html.contains("<!DOCTYPE html>"), "wrapped in the layout");
    assert!(email.text.contains("Dear Ann Lee of <b>Acme</b>,\n{https://portal.example.com/portal/invitations/"));
    // Another merchant still gets the default.
    let other = MerchantId::from_uuid(Uuid::from_u128(8));
    let default = renderer.render(other, &content).await.unwrap();
    assert_eq!(default.subject, "Northwind Supplies invites you to its customer portal");
}

#[test]
fn saving_rejects_unknown_tags_naming_the_allowed_ones() {
    let (renderer, _) = renderer();
    let source =
        TemplateSource { subject: "Hi [ContactName]".into(), html: "ok".into(), text: "line\n  [Password]".into() };
    let errors = renderer.validate(MailKind::InvitationLink, &source).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    let error = &errors.0[0];
    assert_eq!((error.line, error.column), (2, 3));
    let message = error.to_string();
    assert!(
        message.starts_with("text body, line 2, column 3: unknown merge tag [Password]; allowed here: "),
        "{message}"
    );
    assert!(message.contains(
        "[ContactName], [CustomerName], [MerchantName], [CustomerPortalLink], [InvitationLink], [ExpiresAt]"
    ));
}

#[test]
fn malformed_input_is_rejected_with_its_position() {
    let (renderer, _) = renderer();
    let source = TemplateSource {
        subject: "Line one\nline two [InvoiceList]".into(),
        html: "<p>{{contact_name}}</p>\n<p>[ContactName</p>".into(),
        text: " ".into(),
    };
    let errors = renderer.validate(MailKind::PaymentReminder, &source).unwrap_err().0;
    let found: Vec<_> = errors.iter().map(|e| (e.part, e.line, e.column, e.problem.clone())).collect();
    use portico_mail::Part::{Html, Subject, Text};
    assert_eq!(
        found,
        vec![
            (Subject, 1, 9, Problem::LineBreakInSubject),
            (Subject, 2, 10, Problem::BlockTagInSubject { tag: "InvoiceList".into() }),
            (Html, 1, 4, Problem::RawHandlebars),
            (Html, 2, 4, Problem::UnclosedTag),
            (Text, 1, 1, Problem::Empty),
        ]
    );
}

#[tokio::test]
async fn an_invalid_template_is_not_stored() {
    let (renderer, store) = renderer();
    let source = TemplateSource { subject: "x".into(), html: "[Nope]".into(), text: "x".into() };
    let error = renderer.save_override(merchant(), MailKind::DocumentLink, &source).await.unwrap_err();
    assert!(matches!(error, SaveTemplateError::Invalid(_)));
    let stored = portico_app::TemplateStore::get(store.as_ref(), merchant(), MailKind::DocumentLink).await.unwrap();
    assert_eq!(stored, None);
}

#[test]
fn every_kind_previews_with_every_allowed_tag() {
    let (renderer, _) = renderer();
    for kind in MailKind::ALL {
        let tags = portico_mail::merge_tags(kind);
        let all: String = tags.iter().map(|t| format!("[{}] ", t.name)).collect();
        let subject: String =
            tags.iter().filter(|t| t.allowed_in_subject()).map(|t| format!("[{}] ", t.name)).collect();
        let source = TemplateSource { subject, html: all.clone(), text: all };
        let email = renderer.preview(kind, Some(&source), &sample_common()).unwrap();
        assert!(email.text.contains("Ann Lee"), "{kind:?}");
        assert!(!email.html.contains('['), "{kind:?}: every tag was replaced");
    }
}

#[tokio::test]
async fn a_changed_override_is_compiled_again() {
    let (renderer, _) = renderer();
    let content: EmailContent = sample_content(MailKind::PasswordReset, sample_common());
    for word in ["First", "Second"] {
        let source = TemplateSource { subject: word.into(), html: "[ResetLink]".into(), text: "[ResetLink]".into() };
        renderer.save_override(merchant(), MailKind::PasswordReset, &source).await.unwrap();
        assert_eq!(renderer.render(merchant(), &content).await.unwrap().subject, word);
    }
}

#[test]
fn every_starter_template_validates_and_previews() {
    let (renderer, _) = renderer();
    for kind in MailKind::ALL {
        let source = portico_mail::starter_source(kind);
        let email = renderer.preview(kind, Some(&source), &sample_common()).unwrap();
        assert!(email.text.starts_with("Northwind Supplies\n"), "{kind:?}: inside the text layout");
        assert!(email.html.contains("<p>Hello Ann Lee,</p>"), "{kind:?}");
    }
}

#[tokio::test]
async fn rendering_many_loads_each_kind_once_and_matches_rendering_one_by_one() {
    let (renderer, store) = renderer();
    let source =
        TemplateSource { subject: "Hi [ContactName]".into(), html: "[ResetLink]".into(), text: "[ResetLink]".into() };
    renderer.save_override(merchant(), MailKind::PasswordReset, &source).await.unwrap();
    let contents: Vec<EmailContent> = [MailKind::PasswordReset, MailKind::InvitationLink]
        .into_iter()
        .cycle()
        .take(10)
        .map(|kind| sample_content(kind, sample_common()))
        .collect();
    let before = store.gets.load(std::sync::atomic::Ordering::Relaxed);
    let many = renderer.render_all(merchant(), &contents).await.unwrap();
    assert_eq!(store.gets.load(std::sync::atomic::Ordering::Relaxed) - before, 2, "one read per kind");
    let mut one_by_one = Vec::new();
    for content in &contents {
        one_by_one.push(renderer.render(merchant(), content).await.unwrap());
    }
    assert_eq!(many, one_by_one);
    assert!(many[0].subject.starts_with("Hi "), "the override applies: {}", many[0].subject);
}
