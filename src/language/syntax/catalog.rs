//! Parties (role, fee, what a subcontractor covers) and the service catalog: categories,
//! subcategories and products with their titles and calendars.

use crate::language::ast::{self, Span};

use super::literals::{ident, path, quantity, string};
use super::tree::Kids;
use super::{internal, span_of, Res, Rule, P};

pub(super) fn party(mut k: Kids, span: Span) -> Res<ast::PartyDecl> {
    let name = ident(k.next(Rule::ident)?);
    let role = ident(k.next(Rule::ident)?);
    let title = k.opt(Rule::string).map(string).transpose()?;
    let fee = match k.opt(Rule::fee) {
        Some(f) => {
            let fspan = span_of(&f);
            let mut f = Kids::of(&f);
            Some(ast::Fee {
                amount: quantity(f.next(Rule::quantity)?)?,
                currency: ident(f.next(Rule::ident)?),
                per: ident(f.next(Rule::ident)?),
                span: fspan,
            })
        }
        None => None,
    };
    let mut covers = Vec::new();
    for c in k {
        covers.extend(Kids::of(&c).map(path));
    }
    Ok(ast::PartyDecl {
        name,
        role,
        title,
        fee,
        covers,
        span,
    })
}

type Titles = (Option<ast::Str>, Option<ast::Str>, Option<ast::Ident>);

fn titles(k: &mut Kids) -> Res<Titles> {
    let zh = k.opt(Rule::string).map(string).transpose()?;
    let en = k.opt(Rule::string).map(string).transpose()?;
    let cal = match k.opt(Rule::calendar_ref) {
        Some(c) => Some(ident(Kids::of(&c).next(Rule::ident)?)),
        None => None,
    };
    Ok((zh, en, cal))
}

pub(super) fn category(mut k: Kids, span: Span) -> Res<ast::CategoryDecl> {
    let name = ident(k.next(Rule::ident)?);
    let (title_zh, title_en, calendar) = titles(&mut k)?;
    let items = k
        .map(|p| {
            let s = span_of(&p);
            match p.as_rule() {
                Rule::subcategory_decl => {
                    let mut k = Kids::of(&p);
                    let name = ident(k.next(Rule::ident)?);
                    let (title_zh, title_en, calendar) = titles(&mut k)?;
                    let products = k.map(|p| product(&p)).collect::<Res<Vec<_>>>()?;
                    Ok(ast::CatalogItem::Subcategory(ast::SubcategoryDecl {
                        name,
                        title_zh,
                        title_en,
                        calendar,
                        products,
                        span: s,
                    }))
                }
                Rule::product_decl => Ok(ast::CatalogItem::Product(product(&p)?)),
                _ => Err(internal(s)),
            }
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::CategoryDecl {
        name,
        title_zh,
        title_en,
        calendar,
        items,
        span,
    })
}

fn product(p: &P) -> Res<ast::ProductDecl> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let name = ident(k.next(Rule::ident)?);
    let (title_zh, title_en, calendar) = titles(&mut k)?;
    Ok(ast::ProductDecl {
        name,
        title_zh,
        title_en,
        calendar,
        span,
    })
}
