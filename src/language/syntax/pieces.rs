//! The scanner that runs before the parser: comments, string literals and other bytes, so that
//! brackets and `#` inside strings are never taken for code; and the nesting bound it enforces.

use crate::language::ast::Span;
use crate::language::diagnostic::Diagnostic;

use super::{Res, E_SYNTAX, MAX_NESTING};

/// Rejects nesting deeper than [`MAX_NESTING`] before parsing (the parser recurses on
/// nested parentheses, and a deep enough nesting would exhaust the stack).
pub(super) fn check_nesting(src: &str) -> Res<()> {
    let mut depth = 0usize;
    for piece in scan(src) {
        match piece {
            Piece::Byte(i, b'(' | b'[' | b'{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::error(
                        E_SYNTAX,
                        format!("nesting is too deep (more than {MAX_NESTING} levels of brackets)"),
                        Span::new(i, i + 1),
                    )
                    .with_label("too deeply nested")
                    .with_help("split the expression or remove redundant brackets"));
                }
            }
            Piece::Byte(_, b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A piece of source text as the bracket and comment scanners see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// `#` to the end of the line (the newline not included): `[start, end)`
    Comment(usize, usize),
    /// a string literal, up to its closing quote or, unterminated, to the end of its line
    Str,
    /// any other byte, with its offset
    Byte(usize, u8),
}

/// Splits source text into comments, string literals and other bytes, so that brackets and
/// `#` inside strings are never taken for code.
pub(crate) fn scan(src: &str) -> impl Iterator<Item = Piece> + '_ {
    let bytes = src.as_bytes();
    let mut i = 0usize;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        let start = i;
        match b {
            b'#' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                Some(Piece::Comment(start, i))
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' => break,
                        _ => i += 1,
                    }
                }
                Some(Piece::Str)
            }
            _ => {
                i += 1;
                Some(Piece::Byte(start, b))
            }
        }
    })
}
