//! Literals: names, paths, strings with their escapes, numbers with their units, dates, times
//! and comparison operators. A literal of the right shape but a wrong value is `E0002`.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::language::ast::{self, Span};
use crate::language::diagnostic::Diagnostic;

use super::{internal, span_of, Res, E_LITERAL, P};

pub(super) fn ident(p: P) -> ast::Ident {
    ast::Ident {
        name: p.as_str().to_string(),
        span: span_of(&p),
    }
}

pub(super) fn path(p: P) -> ast::Path {
    let text = p.as_str();
    let (body, wildcard) = match text.strip_suffix(".*") {
        Some(b) => (b, true),
        None => (text, false),
    };
    ast::Path {
        parts: body.split('.').map(str::to_string).collect(),
        wildcard,
        span: span_of(&p),
    }
}

pub(super) fn string(p: P) -> Res<ast::Str> {
    let span = span_of(&p);
    let text = p.as_str();
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(|| internal(span))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let at = span.start + 1 + i;
        let bad = |len: usize, msg: String| {
            Diagnostic::error(E_LITERAL, msg, Span::new(at, at + len))
                .with_label("invalid escape")
                .with_help("the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{...}`")
        };
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'u')) => {
                let rest = inner.get(i + 2..).unwrap_or("");
                let close = rest.find('}');
                let hex = match (rest.strip_prefix('{'), close) {
                    (Some(_), Some(close)) => rest.get(1..close).unwrap_or(""),
                    _ => return Err(bad(2, "`\\u` must be followed by `{HEX}`".to_string())),
                };
                let len = close.map_or(2, |c| c + 3);
                let code = if hex.is_empty() || hex.len() > 6 {
                    None
                } else {
                    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                };
                match code {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(bad(
                            len,
                            format!("`\\u{{{hex}}}` is not a valid Unicode character"),
                        ))
                    }
                }
                // skip `{hex}`
                for _ in 0..hex.chars().count() + 2 {
                    chars.next();
                }
            }
            Some((_, other)) => {
                return Err(bad(
                    1 + other.len_utf8(),
                    format!("unknown escape `\\{}` in a string", other.escape_debug()),
                ))
            }
            None => return Err(bad(1, "a string cannot end with `\\`".to_string())),
        }
    }
    Ok(ast::Str { value: out, span })
}

fn decimal(text: &str, span: Span) -> Res<Decimal> {
    Decimal::from_str(text).map_err(|_| {
        Diagnostic::error(
            E_LITERAL,
            format!("the number `{}` is out of range", truncate(text, 40)),
            span,
        )
        .with_label("number out of range")
        .with_help("numbers have at most 28 significant digits")
    })
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let t: String = text.chars().take(max).collect();
        format!("{t}...")
    }
}

pub(super) fn quantity(p: P) -> Res<ast::Quantity> {
    let span = span_of(&p);
    let text = p.as_str();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (num, unit) = (
        text.get(..split).unwrap_or(""),
        text.get(split..).unwrap_or(""),
    );
    let unit = match unit {
        "" => None,
        other => Some(unit_lit(other).ok_or_else(|| internal(span))?),
    };
    Ok(ast::Quantity {
        number: decimal(num, span)?,
        unit,
        span,
    })
}

pub(super) fn unit_lit(text: &str) -> Option<ast::UnitLit> {
    Some(match text {
        "%" => ast::UnitLit::Percent,
        "ms" => ast::UnitLit::Millis,
        "s" => ast::UnitLit::Seconds,
        "m" => ast::UnitLit::Minutes,
        "h" => ast::UnitLit::Hours,
        "d" => ast::UnitLit::Days,
        _ => return None,
    })
}

pub(super) fn date(p: P) -> Res<ast::DateLit> {
    let span = span_of(&p);
    let text = p.as_str();
    let mut it = text.split('-').map(|s| s.parse::<u32>().ok());
    let (y, m, d) = (
        it.next().flatten(),
        it.next().flatten(),
        it.next().flatten(),
    );
    let date = match (y, m, d) {
        (Some(y), Some(m), Some(d)) => i32::try_from(y)
            .ok()
            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m, d)),
        _ => None,
    };
    date.map(|date| ast::DateLit { date, span }).ok_or_else(|| {
        Diagnostic::error(E_LITERAL, format!("`{text}` is not a valid date"), span)
            .with_label("no such day")
            .with_help("write an existing calendar day as `YYYY-MM-DD`")
    })
}

pub(super) fn time(p: P) -> Res<ast::TimeLit> {
    let span = span_of(&p);
    let text = p.as_str();
    let mut it = text.split(':').map(|s| s.parse::<u32>().ok());
    let (h, m) = (it.next().flatten(), it.next().flatten());
    match (h, m) {
        (Some(h), Some(m)) if (h < 24 && m < 60) || (h == 24 && m == 0) => Ok(ast::TimeLit {
            seconds: h * 3600 + m * 60,
            span,
        }),
        _ => Err(
            Diagnostic::error(E_LITERAL, format!("`{text}` is not a valid time"), span)
                .with_label("no such time of day")
                .with_help("times run from `00:00` to `24:00` (end of day)"),
        ),
    }
}

pub(super) fn cmp_op(p: P) -> Res<ast::CmpOp> {
    Ok(match p.as_str() {
        "==" => ast::CmpOp::Eq,
        "!=" => ast::CmpOp::Ne,
        "<" => ast::CmpOp::Lt,
        "<=" => ast::CmpOp::Le,
        ">" => ast::CmpOp::Gt,
        ">=" => ast::CmpOp::Ge,
        _ => return Err(internal(span_of(&p))),
    })
}
