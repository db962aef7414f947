//! Event kinds with their typed attributes, and subjects: the anchor and the flags that
//! events set and clear.

use crate::language::ast::{self, Span};

use super::conditions::cond;
use super::literals::{ident, path, quantity, unit_lit};
use super::tree::Kids;
use super::{internal, span_of, Res, Rule, P};

pub(super) fn event(mut k: Kids, span: Span) -> Res<ast::EventDecl> {
    let kind = path(k.next(Rule::path)?);
    let attrs = k
        .map(|a| {
            let aspan = span_of(&a);
            let optional = a
                .clone()
                .into_inner()
                .any(|x| x.as_rule() == Rule::p_question);
            let mut ak = Kids::of(&a);
            let name = ident(ak.next(Rule::ident)?);
            let ty = ak.any()?;
            let tspan = span_of(&ty);
            let ty = match ty.as_rule() {
                Rule::type_text => ast::AttrTypeLit::Text(tspan),
                Rule::type_bool => ast::AttrTypeLit::Bool(tspan),
                Rule::type_integer => ast::AttrTypeLit::Integer(tspan),
                Rule::type_time => ast::AttrTypeLit::Time(tspan),
                Rule::type_number => {
                    let unit = match Kids::of(&ty).opt(Rule::unit_word) {
                        Some(u) => Some(unit_lit(u.as_str()).ok_or_else(|| internal(tspan))?),
                        None => None,
                    };
                    ast::AttrTypeLit::Number(unit, tspan)
                }
                Rule::type_enum => ast::AttrTypeLit::Enum(Kids::of(&ty).map(ident).collect()),
                _ => return Err(internal(tspan)),
            };
            let range = match ak.opt(Rule::attr_range) {
                Some(r) => {
                    let span = span_of(&r);
                    let mut rk = Kids::of(&r);
                    let min = quantity(rk.next(Rule::quantity)?)?;
                    let max = quantity(rk.next(Rule::quantity)?)?;
                    Some(ast::RangeLit { min, max, span })
                }
                None => None,
            };
            Ok(ast::AttrDecl {
                name,
                optional,
                ty,
                range,
                span: aspan,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::EventDecl { kind, attrs, span })
}

pub(super) fn subject(mut k: Kids, span: Span) -> Res<ast::SubjectDecl> {
    let name = ident(k.next(Rule::ident)?);
    let mut a = Kids::of(&k.next(Rule::anchor_stmt)?);
    let anchor = path(a.next(Rule::path)?);
    let anchor_at = a.opt(Rule::ident).map(ident);
    let mut lasts = Vec::new();
    let mut flag_pairs = Vec::new();
    for p in k {
        if p.as_rule() == Rule::lasts_stmt {
            let lspan = span_of(&p);
            let l = Kids::of(&p).any()?;
            lasts.push(match l.as_rule() {
                Rule::lasts_attrs => {
                    let mut lk = Kids::of(&l);
                    ast::Lasts::Attrs(
                        ident(lk.next(Rule::ident)?),
                        ident(lk.next(Rule::ident)?),
                        lspan,
                    )
                }
                Rule::lasts_until => ast::Lasts::Until(event_list(&l)?, lspan),
                _ => return Err(super::internal(lspan)),
            });
        } else {
            flag_pairs.push(p);
        }
    }
    let flags = flag_pairs
        .into_iter()
        .map(|f| {
            let fspan = span_of(&f);
            let mut fk = Kids::of(&f);
            let name = ident(fk.next(Rule::ident)?);
            let set = match fk.opt(Rule::flag_set) {
                Some(s) => event_list(&s)?,
                None => Vec::new(),
            };
            let clear = match fk.opt(Rule::flag_clear) {
                Some(s) => event_list(&s)?,
                None => Vec::new(),
            };
            Ok(ast::FlagDecl {
                name,
                set,
                clear,
                span: fspan,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::SubjectDecl {
        name,
        anchor,
        anchor_at,
        flags,
        lasts,
        span,
    })
}

pub(super) fn event_list(p: &P) -> Res<Vec<ast::EventMatch>> {
    Kids::of(p)
        .map(|m| {
            let span = span_of(&m);
            let mut k = Kids::of(&m);
            let kind = path(k.next(Rule::path)?);
            let cond = k.opt(Rule::cond).map(cond).transpose()?;
            Ok(ast::EventMatch { kind, cond, span })
        })
        .collect()
}
