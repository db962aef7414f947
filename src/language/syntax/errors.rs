//! A syntax error in words: what was found where the parser stopped, what it expected (by
//! [`rule_name`](super::rule_name)), and a hint for the common slips.

use pest::error::{ErrorVariant, InputLocation};

use crate::language::ast::Span;
use crate::language::diagnostic::Diagnostic;

use super::pieces::{scan, Piece};
use super::{line_col, rule_name, Rule, E_SYNTAX};

/// The text found at `pos`, for "found `...`".
fn found_at(src: &str, pos: usize) -> (String, usize) {
    let rest = match src.get(pos..) {
        Some(r) if !r.is_empty() => r,
        _ => return ("end of file".to_string(), 0),
    };
    let mut chars = rest.char_indices();
    let first = match chars.next() {
        Some((_, c)) => c,
        None => return ("end of file".to_string(), 0),
    };
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '%' | '*');
    let len = if first == '"' {
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '"' || c == '\n')
            .map(|(i, c)| if c == '"' { i + 1 } else { i })
            .unwrap_or(rest.len());
        end.min(40)
    } else if is_word(first) {
        let mut end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        // `15 minutes`: show the unit word that follows a bare number
        if first.is_ascii_digit() {
            if let Some(after) = rest.get(end..) {
                let trimmed = after.trim_start_matches([' ', '\t']);
                let gap = after.len() - trimmed.len();
                if gap > 0 && trimmed.starts_with(|c: char| c.is_alphabetic()) {
                    let word = trimmed
                        .find(|c: char| !c.is_alphabetic())
                        .unwrap_or(trimmed.len());
                    end += gap + word;
                }
            }
        }
        end
    } else if "=<>!-|&".contains(first) {
        rest.find(|c: char| !"=<>!-|&".contains(c))
            .unwrap_or(rest.len())
            .min(3)
    } else {
        first.len_utf8()
    };
    // cut on a char boundary at most 40 bytes in
    let mut len = len.min(rest.len());
    while len > 0 && !rest.is_char_boundary(len) {
        len -= 1;
    }
    if len > 40 {
        len = 40;
        while len > 0 && !rest.is_char_boundary(len) {
            len -= 1;
        }
    }
    if len == 0 {
        len = first.len_utf8();
    }
    let text = rest.get(..len).unwrap_or("");
    let shown: String = text.chars().flat_map(char::escape_debug).collect();
    (format!("`{shown}`"), len)
}

fn join_alternatives(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The `{` that is most likely left unclosed: the innermost one still open at the end, or the
/// first one whose `}` is less indented than it.
fn unclosed_brace(src: &str) -> Option<usize> {
    let indent_of = |pos: usize| -> usize {
        let line_start = src
            .get(..pos)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        src.get(line_start..)
            .map_or(0, |l| l.len() - l.trim_start_matches([' ', '\t']).len())
    };
    let first_on_line = |pos: usize| -> bool {
        let line_start = src
            .get(..pos)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        src.get(line_start..pos)
            .is_some_and(|s| s.trim().is_empty())
    };
    let mut stack: Vec<usize> = Vec::new();
    let mut suspect: Option<usize> = None;
    for piece in scan(src) {
        match piece {
            Piece::Byte(i, b'{') => stack.push(i),
            Piece::Byte(i, b'}') => {
                if let Some(open) = stack.pop() {
                    if suspect.is_none() && first_on_line(i) && indent_of(i) < indent_of(open) {
                        suspect = Some(open);
                    }
                }
            }
            _ => {}
        }
    }
    suspect.or_else(|| stack.last().copied())
}

pub(super) fn syntax_error(src: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let (found, len) = found_at(src, pos);
    let span = Span::new(pos, pos + len);
    let positives: Vec<Rule> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let mut names: Vec<&str> = Vec::new();
    for r in &positives {
        let n = rule_name(*r);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let message = if names.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_alternatives(&names))
    };
    let mut diag = Diagnostic::error(E_SYNTAX, message, span);
    let rest = src.get(pos..).unwrap_or("");
    let has = |r: Rule| positives.contains(&r);

    if rest.starts_with('=')
        && !rest.starts_with("==")
        && !rest.starts_with("=>")
        && has(Rule::cmp_op)
    {
        diag = diag
            .with_label("`=` is not a comparison")
            .with_help("use `==` to compare");
    } else if has(Rule::duration) && rest.starts_with(|c: char| c.is_ascii_digit()) {
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        diag = diag.with_label("not a duration").with_help(format!(
            "a duration needs a unit right after the number: `{digits}m`, `{digits}h`, `{digits}d`, `{digits}s` or `{digits}ms`"
        ));
    } else if len > 0 && has(Rule::p_rbrace) && unclosed_brace(src).is_some_and(|o| o < pos) {
        let (l, c) = unclosed_brace(src).map_or((0, 0), |o| line_col(src, o));
        diag = diag.with_help(format!(
            "is a `}}` missing? the `{{` at line {l}, column {c} does not seem to be closed before this"
        ));
    } else if len == 0 && has(Rule::p_rbrace) {
        diag = diag.with_label("the file ends here");
        if let Some(open) = unclosed_brace(src) {
            let (l, c) = line_col(src, open);
            diag = diag.with_help(format!(
                "the `{{` at line {l}, column {c} is never closed: add a `}}`"
            ));
        } else {
            diag = diag.with_help("add the missing `}`");
        }
    } else if has(Rule::string) && rest.starts_with('"') {
        diag = diag
            .with_label("this string is not closed")
            .with_help("close the string with `\"` before the end of the line");
    } else if has(Rule::time) && rest.starts_with(|c: char| c.is_ascii_digit()) {
        diag = diag.with_help("write times with two-digit hours and minutes, e.g. `09:00`");
    } else if has(Rule::date) && rest.starts_with(|c: char| c.is_ascii_digit()) {
        diag = diag.with_help("write dates as `YYYY-MM-DD`, e.g. `2026-01-01`");
    } else if has(Rule::p_fatarrow) && rest.starts_with("->") {
        diag = diag.with_help("use `=>` here");
    } else if has(Rule::p_arrow) && rest.starts_with("=>") {
        diag = diag.with_help("use `->` here");
    } else if has(Rule::k_contract) {
        diag = diag.with_help("a file holds one `contract \"name\" { ... }`");
    } else if has(Rule::EOI) {
        diag = diag.with_help("the contract ends at its closing `}`; nothing may follow it");
    }
    if diag.label.is_none() {
        diag = if len == 0 {
            diag.with_label("the file ends here")
        } else {
            diag.with_label(format!("unexpected {found}"))
        };
    }
    diag
}
