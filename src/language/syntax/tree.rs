//! Walking pest's tree: keywords and punctuation dropped, the meaningful children taken in
//! order, each of the expected rule.

use std::collections::VecDeque;

use crate::language::ast::Span;
use crate::language::diagnostic::Diagnostic;

use super::{internal, span_of, Res, Rule, E_SYNTAX, P};

pub(super) fn is_noise(r: Rule) -> bool {
    matches!(
        r,
        Rule::EOI
            | Rule::p_lbrace
            | Rule::p_rbrace
            | Rule::p_lparen
            | Rule::p_rparen
            | Rule::p_lbrack
            | Rule::p_rbrack
            | Rule::p_comma
            | Rule::p_dotdot
            | Rule::p_dash
            | Rule::p_arrow
            | Rule::p_fatarrow
            | Rule::p_colon
            | Rule::p_question
            | Rule::p_bar
            | Rule::p_slash
            | Rule::k_contract
            | Rule::k_timezone
            | Rule::k_currency
            | Rule::k_term
            | Rule::k_period
            | Rule::k_round
            | Rule::k_calendar
            | Rule::k_hours
            | Rule::k_24x7
            | Rule::k_makeup
            | Rule::k_holidays
            | Rule::k_holiday
            | Rule::k_workday
            | Rule::k_party
            | Rule::k_fee
            | Rule::k_covers
            | Rule::k_category
            | Rule::k_subcategory
            | Rule::k_product
            | Rule::k_event
            | Rule::k_text
            | Rule::k_bool
            | Rule::k_number
            | Rule::k_integer
            | Rule::k_time
            | Rule::k_subject
            | Rule::k_anchor
            | Rule::k_at
            | Rule::k_flag
            | Rule::k_set
            | Rule::k_clear
            | Rule::k_on
            | Rule::k_where
            | Rule::k_indicator
            | Rule::k_level
            | Rule::k_weight
            | Rule::k_report
            | Rule::k_only
            | Rule::k_value
            | Rule::k_target
            | Rule::k_filter
            | Rule::k_clock
            | Rule::k_start
            | Rule::k_stop
            | Rule::k_pause
            | Rule::k_resume
            | Rule::k_restart
            | Rule::k_reset
            | Rule::k_deadline
            | Rule::k_by
            | Rule::k_inventory
            | Rule::k_score
            | Rule::k_linear
            | Rule::k_bands
            | Rule::k_else
            | Rule::k_deduct
            | Rule::k_bonus
            | Rule::k_rollup
            | Rule::k_weighted
            | Rule::k_points
            | Rule::k_floor
            | Rule::k_ceiling
            | Rule::k_breached
            | Rule::k_met
            | Rule::k_started
            | Rule::k_below
            | Rule::k_above
            | Rule::k_each
            | Rule::k_late
            | Rule::k_follow
            | Rule::k_waive
            | Rule::k_when
            | Rule::k_consecutive
            | Rule::k_periods
            | Rule::k_lasts
            | Rule::k_until
            | Rule::k_excluding
            | Rule::k_from
            | Rule::k_reason
            | Rule::k_approver
            | Rule::k_per
            | Rule::k_cap
            | Rule::k_zero_tolerance
            | Rule::k_or
            | Rule::k_and
            | Rule::k_in
            | Rule::k_assess
            | Rule::k_scope
            | Rule::k_all
            | Rule::k_covered
            | Rule::k_override
            | Rule::k_payment
            | Rule::k_pays
            | Rule::k_deduction
            | Rule::k_back_to_back
    )
}

/// The meaningful children of a node (keywords and punctuation dropped).
pub(super) struct Kids<'i> {
    span: Span,
    items: VecDeque<P<'i>>,
}

impl<'i> Kids<'i> {
    pub(super) fn of(p: &P<'i>) -> Self {
        Kids {
            span: span_of(p),
            items: p
                .clone()
                .into_inner()
                .filter(|k| !is_noise(k.as_rule()))
                .collect(),
        }
    }
    pub(super) fn next(&mut self, rule: Rule) -> Res<P<'i>> {
        match self.items.pop_front() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(internal(span_of(&p))),
            None => Err(internal(self.span)),
        }
    }
    pub(super) fn any(&mut self) -> Res<P<'i>> {
        self.items.pop_front().ok_or_else(|| internal(self.span))
    }
    pub(super) fn opt(&mut self, rule: Rule) -> Option<P<'i>> {
        if self.items.front().is_some_and(|p| p.as_rule() == rule) {
            self.items.pop_front()
        } else {
            None
        }
    }
}

impl<'i> Iterator for Kids<'i> {
    type Item = P<'i>;
    fn next(&mut self) -> Option<P<'i>> {
        self.items.pop_front()
    }
}

pub(super) fn duplicate(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(E_SYNTAX, format!("`{what}` is given twice"), span)
        .with_label("second occurrence")
        .with_help(format!("keep only one `{what}`"))
}
