//! The file and its contract: the header statements (time zone, currency, term, period,
//! rounding) built here, each declaration handed to the builder of its part of the language.

use crate::language::ast;

use super::assess::{assess, payment};
use super::calendars::calendar;
use super::catalog::{category, party};
use super::events::{event, subject};
use super::indicators::indicator;
use super::literals::{date, ident, quantity, string};
use super::points::rollup;
use super::tree::Kids;
use super::{internal, span_of, Res, Rule, P};

pub(super) fn build_file(p: P) -> Res<ast::File> {
    let mut k = Kids::of(&p);
    let c = k.next(Rule::contract)?;
    let span = span_of(&c);
    let mut k = Kids::of(&c);
    let name = string(k.next(Rule::string)?)?;
    let items = k.map(item).collect::<Res<Vec<_>>>()?;
    Ok(ast::File {
        contract: ast::ContractDecl { name, items, span },
    })
}

fn item(p: P) -> Res<ast::Item> {
    let span = span_of(&p);
    let mut k = Kids::of(&p);
    Ok(match p.as_rule() {
        Rule::timezone_item => ast::Item::Timezone(string(k.next(Rule::string)?)?),
        Rule::currency_item => ast::Item::Currency(ident(k.next(Rule::ident)?)),
        Rule::term_item => ast::Item::Term {
            from: date(k.next(Rule::date)?)?,
            to: date(k.next(Rule::date)?)?,
            span,
        },
        Rule::period_item => ast::Item::Period(ident(k.next(Rule::ident)?)),
        Rule::round_item => ast::Item::Round {
            what: ident(k.next(Rule::ident)?),
            places: quantity(k.next(Rule::quantity)?)?,
            span,
        },
        Rule::rollup_item => ast::Item::Rollup(rollup(&p, span)?),
        Rule::waive_decl => ast::Item::Waive(super::points::waive(&p, span)?),
        Rule::period_flag => ast::Item::PeriodFlag(super::points::period_flag(&p, span)?),
        Rule::calendar_decl => ast::Item::Calendar(calendar(k, span)?),
        Rule::party_decl => ast::Item::Party(party(k, span)?),
        Rule::category_decl => ast::Item::Category(category(k, span)?),
        Rule::event_decl => ast::Item::Event(event(k, span)?),
        Rule::subject_decl => ast::Item::Subject(subject(k, span)?),
        Rule::indicator_decl => ast::Item::Indicator(indicator(k, span)?),
        Rule::assess_decl => ast::Item::Assess(assess(k, span)?),
        Rule::payment_decl => ast::Item::Payment(payment(k, span)?),
        _ => return Err(internal(span)),
    })
}
