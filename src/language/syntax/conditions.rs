//! Conditions: `or`, `and`, `not`, parentheses, flags, comparisons and `in` lists over
//! attributes, and the literals they compare with.

use crate::language::ast::{self, Span};
use crate::language::diagnostic::Diagnostic;

use super::literals::{cmp_op, date, ident, path, quantity, string};
use super::tree::{is_noise, Kids};
use super::{internal, span_of, Res, Rule, E_SYNTAX, MAX_NESTING, P};

// The condition builders recurse once per nesting level; they are kept small (and out of
// line) so that the deepest accepted nesting fits comfortably on a small thread stack.

pub(super) fn cond(p: P) -> Res<ast::Cond> {
    match p.as_rule() {
        Rule::cond => cond_list(p, true),
        Rule::and_cond => cond_list(p, false),
        Rule::unary_cond => cond_unary(p),
        Rule::paren_cond => cond_paren(p),
        _ => cond_atom(p),
    }
}

#[inline(never)]
fn cond_list(p: P, is_or: bool) -> Res<ast::Cond> {
    let span = span_of(&p);
    let mut parts = Vec::new();
    for k in p.into_inner() {
        if !is_noise(k.as_rule()) {
            parts.push(cond(k)?);
        }
    }
    if parts.len() == 1 {
        parts.pop().ok_or_else(|| internal(span))
    } else if is_or {
        Ok(ast::Cond::Or(parts, span))
    } else {
        Ok(ast::Cond::And(parts, span))
    }
}

#[inline(never)]
fn cond_paren(p: P) -> Res<ast::Cond> {
    let span = span_of(&p);
    match p.into_inner().find(|k| k.as_rule() == Rule::cond) {
        Some(inner) => cond(inner),
        None => Err(internal(span)),
    }
}

#[inline(never)]
fn cond_unary(p: P) -> Res<ast::Cond> {
    let span = span_of(&p);
    let mut nots = Vec::new();
    let mut primary = None;
    for k in p.into_inner() {
        if k.as_rule() == Rule::k_not {
            nots.push(k.as_span().start());
        } else {
            primary = Some(k);
        }
    }
    if nots.len() > MAX_NESTING {
        return Err(Diagnostic::error(
            E_SYNTAX,
            format!("too many `not` in a row (more than {MAX_NESTING})"),
            span,
        )
        .with_help("`not not x` is `x`"));
    }
    let mut c = cond(primary.ok_or_else(|| internal(span))?)?;
    for start in nots.into_iter().rev() {
        c = ast::Cond::Not(Box::new(c), Span::new(start, span.end));
    }
    Ok(c)
}

#[inline(never)]
fn cond_atom(p: P) -> Res<ast::Cond> {
    let span = span_of(&p);
    match p.as_rule() {
        Rule::flag_cond => Ok(ast::Cond::Flag(ident(Kids::of(&p).next(Rule::ident)?))),
        Rule::cmp_cond => {
            let mut k = Kids::of(&p);
            Ok(ast::Cond::Cmp {
                attr: ident(k.next(Rule::ident)?),
                op: cmp_op(k.next(Rule::cmp_op)?)?,
                value: literal(k.any()?)?,
                span,
            })
        }
        Rule::in_cond => {
            let mut k = Kids::of(&p);
            let attr = ident(k.next(Rule::ident)?);
            let values = k.map(literal).collect::<Res<Vec<_>>>()?;
            Ok(ast::Cond::In { attr, values, span })
        }
        _ => Err(internal(span)),
    }
}

fn literal(p: P) -> Res<ast::Literal> {
    let span = span_of(&p);
    Ok(match p.as_rule() {
        Rule::string => ast::Literal::Str(string(p)?),
        Rule::k_true => ast::Literal::Bool(true, span),
        Rule::k_false => ast::Literal::Bool(false, span),
        Rule::quantity => ast::Literal::Number(quantity(p)?),
        Rule::date => ast::Literal::Date(date(p)?),
        Rule::path => ast::Literal::Path(path(p)),
        _ => return Err(internal(span)),
    })
}
