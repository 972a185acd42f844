//! The template editor use case.

use std::sync::Arc;

use portico_app::use_cases::edit_templates::{EditTemplates, EditTemplatesError};
use portico_app::{
    MailKind, MockMerchantRepository, MockTemplateEditor, MockTemplateStore, TemplateProblem, TemplateSource,
};
use portico_domain::MerchantId;
use uuid::Uuid;

fn source(subject: &str) -> TemplateSource {
    TemplateSource { subject: subject.into(), html: "<p>[ContactName]</p>".into(), text: "[ContactName]".into() }
}

#[tokio::test]
async fn an_invalid_template_is_not_stored_and_names_the_tag() {
    let mut editor = MockTemplateEditor::new();
    editor.expect_validate().returning(|_, _| {
        Err(TemplateProblem {
            part: "subject".into(),
            message: "unknown merge tag [Foo]".into(),
            tag: Some("Foo".into()),
            allowed: vec!["ContactName".into()],
        })
    });
    let edit = EditTemplates {
        store: Arc::new(MockTemplateStore::new()),
        editor: Arc::new(editor),
        merchants: Arc::new(MockMerchantRepository::new()),
    };

    let result = edit.put(MerchantId::from_uuid(Uuid::from_u128(1)), MailKind::InvitationLink, source("[Foo]")).await;

    match result {
        Err(EditTemplatesError::Invalid(problem)) => assert_eq!(problem.tag.as_deref(), Some("Foo")),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn listing_shows_overrides_and_defaults() {
    let mut store = MockTemplateStore::new();
    store.expect_get().returning(|_, kind| Ok((kind == MailKind::PasswordReset).then(|| source("Custom"))));
    let mut editor = MockTemplateEditor::new();
    editor.expect_default_source().returning(|_| source("Default"));
    let edit = EditTemplates {
        store: Arc::new(store),
        editor: Arc::new(editor),
        merchants: Arc::new(MockMerchantRepository::new()),
    };

    let views = edit.list(MerchantId::from_uuid(Uuid::from_u128(1))).await.unwrap();

    assert_eq!(views.len(), MailKind::ALL.len());
    let custom: Vec<MailKind> = views.iter().filter(|v| v.customized).map(|v| v.kind).collect();
    assert_eq!(custom, vec![MailKind::PasswordReset]);
}
