//! Use cases: one module each, named `verb_noun`.

pub mod invite_contacts;
