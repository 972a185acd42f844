//! Staff-edited templates: the bracket merge tags allowed per kind, and their
//! compilation to Handlebars with every mistake reported by position.
//!
//! Staff never write Handlebars. Literal braces and backslashes in their text
//! are emitted through helpers (`{{lbrace}}`, ...), so no input can form a
//! mustache, a triple-stash (unescaped output) or an escaped mustache.

use std::fmt;

use portico_app::{MailKind, TemplateSource};

mod starters;
mod table;

pub use starters::starter_source;
use table::Expansion;
pub use table::{MergeTag, merge_tags};

/// A part of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The subject line.
    Subject,
    /// The HTML body.
    Html,
    /// The plain-text body.
    Text,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Subject => "subject",
            Self::Html => "HTML body",
            Self::Text => "text body",
        })
    }
}

/// What is wrong at one place of a staff-edited template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A tag this kind does not know.
    UnknownTag {
        /// The name written.
        tag: String,
        /// The names allowed in this part of this kind.
        allowed: Vec<&'static str>,
    },
    /// A `[` that does not open a well-formed tag.
    UnclosedTag,
    /// `{{`: Handlebars syntax is not accepted from staff.
    RawHandlebars,
    /// A block tag (a table, a button) in the subject.
    BlockTagInSubject {
        /// The name written.
        tag: String,
    },
    /// A line break in the subject.
    LineBreakInSubject,
    /// The part is empty.
    Empty,
    /// The part is longer than [`MAX_PART_CHARS`].
    TooLong,
    /// Rendering with sample data failed (a defect of the tag table).
    Render(String),
}

/// The longest part accepted, in characters.
pub const MAX_PART_CHARS: usize = 100_000;

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownTag { tag, allowed } => {
                let allowed: Vec<String> = allowed.iter().map(|t| format!("[{t}]")).collect();
                write!(f, "unknown merge tag [{tag}]; allowed here: {}", allowed.join(", "))
            }
            Self::UnclosedTag => {
                f.write_str("'[' does not open a merge tag such as [ContactName]; write [[ for a literal '['")
            }
            Self::RawHandlebars => f.write_str("'{{' is not allowed; use merge tags such as [ContactName]"),
            Self::BlockTagInSubject { tag } => write!(f, "[{tag}] cannot be used in a subject"),
            Self::LineBreakInSubject => f.write_str("the subject must be a single line"),
            Self::Empty => f.write_str("it is empty"),
            Self::TooLong => write!(f, "it is longer than {MAX_PART_CHARS} characters"),
            Self::Render(e) => write!(f, "rendering with sample data failed: {e}"),
        }
    }
}

/// One mistake, with where it is (1-based line and column, in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    /// The part.
    pub part: Part,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}, column {}: {}", self.part, self.line, self.column, self.problem)
    }
}

/// Every mistake found in a staff-edited template (never empty).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct TemplateSourceErrors(pub Vec<SourceError>);

/// A staff template compiled to Handlebars source: the HTML and text bodies
/// are wrapped in the shared layouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledSource {
    /// Subject, for the text registry.
    pub subject: String,
    /// HTML document, for the HTML registry.
    pub html: String,
    /// Plain text, for the text registry.
    pub text: String,
}

/// Checks a staff-edited template and compiles it to Handlebars.
///
/// # Errors
/// Every unknown tag (naming the allowed ones), malformed tag, `{{`, line
/// break in the subject, empty or oversized part, with its position.
pub fn compile_source(kind: MailKind, source: &TemplateSource) -> Result<CompiledSource, TemplateSourceErrors> {
    let tags = merge_tags(kind);
    let mut errors = Vec::new();
    let subject = compile_part(&tags, Part::Subject, &source.subject, &mut errors);
    let html = compile_part(&tags, Part::Html, &source.html, &mut errors);
    let text = compile_part(&tags, Part::Text, &source.text, &mut errors);
    if errors.is_empty() {
        Ok(CompiledSource {
            subject,
            html: format!("{{{{#> layout}}}}{html}{{{{/layout}}}}"),
            text: format!("{{{{#> layout}}}}{text}{{{{/layout}}}}"),
        })
    } else {
        Err(TemplateSourceErrors(errors))
    }
}

fn compile_part(tags: &[MergeTag], part: Part, input: &str, errors: &mut Vec<SourceError>) -> String {
    let mut error = |line, column, problem| errors.push(SourceError { part, line, column, problem });
    if input.trim().is_empty() {
        error(1, 1, Problem::Empty);
        return String::new();
    }
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_PART_CHARS {
        error(1, 1, Problem::TooLong);
        return String::new();
    }
    let mut out = String::with_capacity(input.len() + 64);
    let (mut i, mut line, mut column) = (0, 1, 1);
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let mut width = 1;
        match c {
            '[' if next == Some('[') => {
                out.push('[');
                width = 2;
            }
            '[' => match tag_at(&chars, i) {
                Some(name) => {
                    width = name.len() + 2;
                    match (tags.iter().find(|t| t.name == name), part) {
                        (None, _) => {
                            let allowed =
                                tags.iter().filter(|t| part != Part::Subject || t.allowed_in_subject()).map(|t| t.name);
                            error(line, column, Problem::UnknownTag { tag: name, allowed: allowed.collect() });
                        }
                        (Some(tag), Part::Subject) if !tag.allowed_in_subject() => {
                            error(line, column, Problem::BlockTagInSubject { tag: name });
                        }
                        (Some(tag), _) => out.push_str(&expand(tag.expansion, part)),
                    }
                }
                None => error(line, column, Problem::UnclosedTag),
            },
            '{' if next == Some('{') => {
                error(line, column, Problem::RawHandlebars);
                width = 2;
            }
            '{' => out.push_str("{{lbrace}}"),
            '}' => out.push_str("{{rbrace}}"),
            '\\' => out.push_str("{{backslash}}"),
            '\r' | '\n' if part == Part::Subject => error(line, column, Problem::LineBreakInSubject),
            _ => out.push(c),
        }
        for &consumed in &chars[i..(i + width).min(chars.len())] {
            if consumed == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        i += width;
    }
    out
}

/// The tag name of a well-formed `[Name]` starting at `start`.
fn tag_at(chars: &[char], start: usize) -> Option<String> {
    let rest = chars.get(start + 1..)?;
    let len = rest.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let starts_with_letter = rest.first().is_some_and(char::is_ascii_alphabetic);
    (starts_with_letter && len <= 64 && rest.get(len) == Some(&']')).then(|| rest[..len].iter().collect())
}

fn expand(expansion: Expansion, part: Part) -> String {
    match (expansion, part) {
        (Expansion::Field(path), _) => format!("{{{{{path}}}}}"),
        (Expansion::Block { html, .. }, Part::Html) => html.to_owned(),
        (Expansion::Block { text, .. }, _) => text.to_owned(),
    }
}
