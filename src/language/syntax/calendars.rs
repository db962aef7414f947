//! Calendars: `hours` by day range, list or make-up day, `24x7`, holiday tables, single
//! holidays and make-up workdays.

use crate::language::ast::{self, Span};

use super::literals::{date, ident, string, time};
use super::tree::Kids;
use super::{internal, span_of, Res, Rule, P};

pub(super) fn calendar(mut k: Kids, span: Span) -> Res<ast::CalendarDecl> {
    let name = ident(k.next(Rule::ident)?);
    let title = k.opt(Rule::string).map(string).transpose()?;
    let stmts = k.map(calendar_stmt).collect::<Res<Vec<_>>>()?;
    Ok(ast::CalendarDecl {
        name,
        title,
        stmts,
        span,
    })
}

fn calendar_stmt(p: P) -> Res<ast::CalendarStmt> {
    let span = span_of(&p);
    let mut k = Kids::of(&p);
    Ok(match p.as_rule() {
        Rule::hours_always => ast::CalendarStmt::Always { span },
        Rule::hours_stmt => {
            let sel = k.any()?;
            let days = match sel.as_rule() {
                Rule::day_makeup => ast::DaySel::Makeup(span_of(&sel)),
                Rule::day_range => {
                    let mut d = Kids::of(&sel);
                    ast::DaySel::Range(ident(d.next(Rule::ident)?), ident(d.next(Rule::ident)?))
                }
                Rule::day_list => ast::DaySel::List(Kids::of(&sel).map(ident).collect()),
                _ => return Err(internal(span_of(&sel))),
            };
            let intervals = k
                .map(|iv| {
                    let mut t = Kids::of(&iv);
                    Ok((time(t.next(Rule::time)?)?, time(t.next(Rule::time)?)?))
                })
                .collect::<Res<Vec<_>>>()?;
            ast::CalendarStmt::Hours {
                days,
                intervals,
                span,
            }
        }
        Rule::holidays_stmt => ast::CalendarStmt::Holidays {
            table: ident(k.next(Rule::ident)?),
            span,
        },
        Rule::holiday_stmt => ast::CalendarStmt::Holiday {
            from: date(k.next(Rule::date)?)?,
            to: k.opt(Rule::date).map(date).transpose()?,
            span,
        },
        Rule::workday_stmt => ast::CalendarStmt::Workday {
            date: date(k.next(Rule::date)?)?,
            span,
        },
        _ => return Err(internal(span)),
    })
}
