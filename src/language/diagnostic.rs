//! Diagnostics: what is wrong, where, and how to fix it.

use crate::language::ast::Span;
use crate::language::code::Code;

/// How bad a diagnostic is; errors sort before warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The contract does not load (`E…` codes).
    Error,
    /// The contract loads; something is likely a mistake (`W…` codes).
    Warning,
}

/// One finding about a contract. `code` is stable (`E0001`, `W0100`); `span` is a byte range
/// into the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code, from the registry ([`Code`]).
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in one line naming the item, e.g. "unknown calendar `offce`".
    pub message: String,
    /// The bytes of the source the diagnostic points at.
    pub span: Span,
    /// text for the underline, e.g. "unknown product"
    pub label: Option<String>,
    /// one concrete fix, e.g. "did you mean `infra.servers`?"
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span`, without label or help.
    pub fn error(code: Code, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }
    /// A warning at `span`, without label or help.
    pub fn warning(code: Code, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }
    /// Sets the text shown under the span.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    /// Sets the suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// Does the diagnostic keep the contract from loading?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// 1-based `(line, column)` of a byte offset; the column counts characters. An offset past
/// the end is clamped to the end; one inside a character is moved back to its start.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut off = offset.min(src.len());
    while off > 0 && !src.is_char_boundary(off) {
        off -= 1;
    }
    let before = src.get(..off).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, col)
}

/// A span clamped to the source and to character boundaries.
#[cfg(feature = "render")]
fn clamp(src: &str, span: Span) -> std::ops::Range<usize> {
    let fix = |mut o: usize| {
        o = o.min(src.len());
        while o > 0 && !src.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let start = fix(span.start);
    let end = fix(span.end).max(start);
    start..end
}

/// Renders diagnostics like rustc: the code and message, `file:line:column`, the source
/// line with the span underlined and labelled, and `= help: ...` (feature `render`).
#[cfg(feature = "render")]
pub fn render(diags: &[Diagnostic], src: &str, file_name: &str, color: bool) -> String {
    use codespan_reporting::diagnostic::{Diagnostic as Cs, Label};
    use codespan_reporting::files::SimpleFile;
    use codespan_reporting::term::{self, termcolor::Buffer};

    let file = SimpleFile::new(file_name, src);
    let config = term::Config::default();
    let mut buf = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let mut out = String::new();
    for d in diags {
        let cs = match d.severity {
            Severity::Error => Cs::error(),
            Severity::Warning => Cs::warning(),
        };
        let label = Label::primary((), clamp(src, d.span));
        let label = match &d.label {
            Some(l) => label.with_message(l),
            None => label,
        };
        let cs = cs
            .with_code(d.code.as_str())
            .with_message(&d.message)
            .with_labels(vec![label])
            .with_notes(d.help.iter().map(|h| format!("help: {h}")).collect());
        if term::emit(&mut buf, &config, &file, &cs).is_err() {
            // Fall back to a plain line when the span cannot be shown.
            let (line, col) = line_col(src, d.span.start);
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            out.push_str(&format!(
                "{sev}[{}]: {}\n  --> {file_name}:{line}:{col}\n",
                d.code, d.message
            ));
        }
        out.push_str(&String::from_utf8_lossy(buf.as_slice()));
        buf.clear();
    }
    out
}

/// Diagnostics as JSON: an array of `{code, severity, message, line, column, end_line,
/// end_column, label, help}` (positions 1-based, columns in characters).
pub fn to_json(diags: &[Diagnostic], src: &str) -> serde_json::Value {
    serde_json::Value::Array(
        diags
            .iter()
            .map(|d| {
                let (line, column) = line_col(src, d.span.start);
                let (end_line, end_column) = line_col(src, d.span.end.max(d.span.start));
                serde_json::json!({
                    "code": d.code,
                    "severity": d.severity,
                    "message": d.message,
                    "line": line,
                    "column": column,
                    "end_line": end_line,
                    "end_column": end_column,
                    "label": d.label,
                    "help": d.help,
                })
            })
            .collect(),
    )
}
