//! Parser: `.sla` source text → [`ast::File`], with byte spans.
//!
//! The grammar lives in `grammar/slagrade.pest`. A syntax error becomes one [`Diagnostic`]
//! (`E0001`) at the position where the parser could go no further, naming what was expected in
//! words ([`rule_name`]); a literal that has the right shape but a wrong value (an invalid date,
//! a time such as `25:00`, a number out of range, a bad escape) is `E0002`.
//!
//! `pieces` scans the text before parsing, `errors` words a syntax error, `tree` walks pest's
//! tree, `literals` reads values, and one builder per part of the language (`contract`,
//! `calendars`, `catalog`, `events`, `indicators`, `conditions`, `assess`) builds its items.

use pest::iterators::Pair;
use pest::Parser as _;

use crate::language::ast::{self, Span};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

mod assess;
mod calendars;
mod catalog;
mod conditions;
mod contract;
mod errors;
mod events;
mod indicators;
mod literals;
mod pieces;
mod points;
mod tree;

use contract::build_file;
use errors::syntax_error;
use pieces::check_nesting;
pub(crate) use pieces::{scan, Piece};

pub use grammar::{Rule, SlaParser};

mod grammar {
    // `Rule` and its variants are generated, one per rule of the grammar, which documents them
    #![allow(missing_docs)]

    /// The pest parser generated from `grammar/slagrade.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/slagrade.pest"]
    pub struct SlaParser;
}

/// Code of a syntax error.
pub const E_SYNTAX: Code = Code::E0001;
/// Code of a literal with a valid shape but an invalid value.
pub const E_LITERAL: Code = Code::E0002;

/// Deepest nesting of `(`, `[` and `{` (and of `not`) accepted in a file.
pub const MAX_NESTING: usize = 64;

type P<'i> = Pair<'i, Rule>;
type Res<T> = Result<T, Diagnostic>;

/// Parses a whole `.sla` file.
pub fn parse(src: &str) -> Result<ast::File, Vec<Diagnostic>> {
    check_nesting(src).map_err(|d| vec![d])?;
    let mut pairs = SlaParser::parse(Rule::file, src).map_err(|e| vec![syntax_error(src, &e)])?;
    let file = pairs
        .next()
        .ok_or_else(|| vec![internal(Span::new(0, 0))])?;
    build_file(file).map_err(|d| vec![d])
}

/// What a rule is called in an error message ("expected a duration such as `15m`").
pub fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::WHITESPACE => "whitespace",
        Rule::COMMENT => "a comment",
        Rule::file => "a contract file",
        Rule::contract => "`contract \"name\" { ... }`",
        Rule::item => "a contract statement",
        Rule::timezone_item => "`timezone \"Area/City\"`",
        Rule::currency_item => "`currency CODE`",
        Rule::term_item => "`term YYYY-MM-DD .. YYYY-MM-DD`",
        Rule::period_item => "`period month`",
        Rule::round_item => "`round value N`",
        Rule::rollup_item => "`rollup points start N` or `rollup weighted`",
        Rule::rollup_weighted => "`weighted`",
        Rule::rollup_points => "`points start N`",
        Rule::rollup_floor => "`floor N`",
        Rule::rollup_ceiling => "`ceiling N`",
        Rule::points_stmt => "a points rule such as `deduct 1 per breached clock`",
        Rule::points_sign => "`deduct` or `bonus`",
        Rule::points_bands => "`by value { < A => P, else => Q }`",
        Rule::points_rate => "points and what they are per, such as `1 per breached clock`",
        Rule::points_basis => "`per breached clock`, `per met clock`, `per started D late`, `per started S below target`, `per started S above target` or `each`",
        Rule::basis_clock => "`per breached clock` or `per met clock`",
        Rule::clock_outcome => "`breached` or `met`",
        Rule::basis_late => "`per started D late` (a duration such as `1h`)",
        Rule::basis_below => "`per started S below target`",
        Rule::basis_above => "`per started S above target`",
        Rule::basis_each => "`each`",
        Rule::points_cap => "`cap N` or `cap N per SUBJECT`",
        Rule::calendar_decl => "a calendar",
        Rule::calendar_stmt => "a calendar statement",
        Rule::hours_always => "`hours 24x7`",
        Rule::hours_stmt => "`hours DAYS HH:MM-HH:MM`",
        Rule::day_sel => "days such as `mon..fri`",
        Rule::day_makeup => "`makeup`",
        Rule::day_range => "a range of days such as `mon..fri`",
        Rule::day_list => "a day such as `sat`",
        Rule::interval => "a time interval such as `09:00-12:00`",
        Rule::holidays_stmt => "`holidays TABLE`",
        Rule::holiday_stmt => "`holiday YYYY-MM-DD`",
        Rule::workday_stmt => "`workday YYYY-MM-DD`",
        Rule::party_decl => "a party",
        Rule::fee => "a fee such as `fee 200000.00 CNY / month`",
        Rule::covers_stmt => "`covers PRODUCTS`",
        Rule::category_decl => "a category",
        Rule::catalog_item => "a subcategory or a product",
        Rule::subcategory_decl => "a subcategory",
        Rule::product_decl => "a product",
        Rule::calendar_ref => "`calendar NAME`",
        Rule::event_decl => "an event declaration",
        Rule::attr_decl => "an attribute such as `priority: P1 | P2`",
        Rule::attr_type => "an attribute type (`text`, `bool`, `integer`, `number`, `time` or values `A | B`)",
        Rule::type_text => "`text`",
        Rule::type_bool => "`bool`",
        Rule::type_integer => "`integer`",
        Rule::type_number => "`number`",
        Rule::type_time => "`time`",
        Rule::type_enum => "a list of values such as `P1 | P2`",
        Rule::attr_range => "a range such as `1 .. 5`",
        Rule::unit_word => "a unit (`ms`, `s`, `m`, `h`, `d` or `%`)",
        Rule::subject_decl => "a subject",
        Rule::anchor_stmt => "`anchor EVENT`",
        Rule::flag_decl => "a flag",
        Rule::flag_set => "`set on EVENTS`",
        Rule::flag_clear => "`clear on EVENTS`",
        Rule::event_list => "a list of events",
        Rule::event_match => "an event kind such as `ticket.resolved`",
        Rule::indicator_decl => "an indicator",
        Rule::indicator_stmt => "an indicator statement",
        Rule::level_stmt => "`level LEVEL`",
        Rule::weight_stmt => "`weight N`",
        Rule::report_stmt => "`report only`",
        Rule::value_stmt => "`value FUNCTION(...)`",
        Rule::target_stmt => "a target such as `target >= 95%`",
        Rule::filter_stmt => "`filter CONDITION`",
        Rule::clock_decl => "a clock",
        Rule::clock_stmt => "a clock statement",
        Rule::start_stmt => "`start on EVENTS`",
        Rule::stop_stmt => "`stop on EVENTS`",
        Rule::pause_stmt => "`pause on EVENTS`",
        Rule::resume_stmt => "`resume on EVENTS`",
        Rule::restart_stmt => "`restart on EVENTS`",
        Rule::reset_stmt => "`reset on EVENTS`",
        Rule::deadline_stmt => "a deadline",
        Rule::deadline_by => "`by ATTRIBUTE { VALUE => DURATION, ... }`",
        Rule::deadline_entry => "a deadline entry such as `P1 => 15m`",
        Rule::deadline_at => "`at ATTRIBUTE`",
        Rule::clock_calendar => "`calendar NAME`",
        Rule::call => "a function call such as `rate(met)`",
        Rule::arg => "an argument",
        Rule::inventory_arg => "`inventory EVENT`",
        Rule::selection => "an event kind or attribute path",
        Rule::score_stmt => "a scoring rule",
        Rule::scoring => "a scoring rule (`linear`, `bands`, `deduct` or `zero-tolerance`)",
        Rule::score_linear => "`linear A -> X, B -> Y`",
        Rule::point => "a point such as `80% -> 0`",
        Rule::score_bands => "`bands { >= A => X, else => Y }`",
        Rule::band_entry => "a band such as `>= 90% => 60`",
        Rule::band => "a band such as `>= 90% => 60`",
        Rule::band_else => "`else => N`",
        Rule::score_deduct => "`deduct N per M`",
        Rule::score_zero => "`zero-tolerance`",
        Rule::cond => "a condition",
        Rule::and_cond => "a condition",
        Rule::unary_cond => "a condition",
        Rule::primary_cond => "a condition",
        Rule::paren_cond => "a condition in parentheses",
        Rule::in_cond => "a condition such as `source in [monitoring]`",
        Rule::cmp_cond => "a comparison such as `priority == P1`",
        Rule::flag_cond => "a flag name",
        Rule::literal => "a value",
        Rule::assess_decl => "an assessment",
        Rule::assess_stmt => "an assessment statement",
        Rule::scope_all => "`scope all`",
        Rule::scope_covered => "`scope covered`",
        Rule::scope_products => "`scope PRODUCTS`",
        Rule::override_decl => "an override",
        Rule::override_stmt => "`target`, `score`, `weight`, `report only` or a points rule",
        Rule::payment_decl => "a payment block",
        Rule::payment_stmt => "a payment rule",
        Rule::pay_rule => "a payment rule such as `score >= 90 pays 100%`",
        Rule::range_cmp => "a score bound such as `>= 90`",
        Rule::range_between => "a score range such as `60 .. 90`",
        Rule::share_linear => "a share range such as `70% .. 100%`",
        Rule::share_fixed => "a share such as `100%`",
        Rule::pay_cap => "`cap deduction N%`",
        Rule::back_to_back => "`back-to-back`",
        Rule::idc => "a letter, digit, `_` or `-`",
        Rule::ident => "a name",
        Rule::path => "a dotted name such as `ticket.opened`",
        Rule::string => "a string in double quotes",
        Rule::number => "a number",
        Rule::unit => "a unit",
        Rule::quantity => "a number such as `95%`, `15m` or `0.95`",
        Rule::duration => "a duration such as `15m`",
        Rule::date => "a date such as `2026-01-01`",
        Rule::time => "a time such as `09:00`",
        Rule::cmp_op => "a comparison operator (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::k_contract => "`contract \"name\" { ... }`",
        Rule::k_timezone => "`timezone`",
        Rule::k_currency => "`currency`",
        Rule::k_term => "`term`",
        Rule::k_period => "`period`",
        Rule::k_round => "`round`",
        Rule::k_calendar => "`calendar`",
        Rule::k_hours => "`hours`",
        Rule::k_24x7 => "`24x7`",
        Rule::k_makeup => "`makeup`",
        Rule::k_holidays => "`holidays`",
        Rule::k_holiday => "`holiday`",
        Rule::k_workday => "`workday`",
        Rule::k_party => "`party`",
        Rule::k_fee => "`fee`",
        Rule::k_covers => "`covers`",
        Rule::k_category => "`category`",
        Rule::k_subcategory => "`subcategory`",
        Rule::k_product => "`product`",
        Rule::k_event => "`event`",
        Rule::k_text => "`text`",
        Rule::k_bool => "`bool`",
        Rule::k_number => "`number`",
        Rule::k_integer => "`integer`",
        Rule::k_time => "`time`",
        Rule::k_subject => "`subject`",
        Rule::k_anchor => "`anchor`",
        Rule::k_at => "`at`",
        Rule::k_flag => "`flag`",
        Rule::k_set => "`set`",
        Rule::k_clear => "`clear`",
        Rule::k_on => "`on`",
        Rule::k_where => "`where`",
        Rule::k_indicator => "`indicator`",
        Rule::k_level => "`level`",
        Rule::k_weight => "`weight`",
        Rule::k_report => "`report`",
        Rule::k_only => "`only`",
        Rule::k_value => "`value`",
        Rule::k_target => "`target`",
        Rule::k_filter => "`filter`",
        Rule::k_clock => "`clock`",
        Rule::k_start => "`start`",
        Rule::k_stop => "`stop`",
        Rule::k_pause => "`pause`",
        Rule::k_resume => "`resume`",
        Rule::k_restart => "`restart`",
        Rule::k_reset => "`reset`",
        Rule::k_deadline => "`deadline`",
        Rule::k_by => "`by`",
        Rule::k_inventory => "`inventory`",
        Rule::k_score => "`score`",
        Rule::k_linear => "`linear`",
        Rule::k_bands => "`bands`",
        Rule::k_else => "`else`",
        Rule::k_deduct => "`deduct`",
        Rule::k_bonus => "`bonus`",
        Rule::k_rollup => "`rollup`",
        Rule::k_weighted => "`weighted`",
        Rule::k_points => "`points`",
        Rule::k_floor => "`floor`",
        Rule::k_ceiling => "`ceiling`",
        Rule::k_breached => "`breached`",
        Rule::k_met => "`met`",
        Rule::k_started => "`started`",
        Rule::k_below => "`below`",
        Rule::k_above => "`above`",
        Rule::k_each => "`each`",
        Rule::k_late => "`late`",
        Rule::k_follow => "`follow`",
        Rule::k_waive => "`waive`",
        Rule::k_when => "`when`",
        Rule::k_consecutive => "`consecutive`",
        Rule::k_periods => "`periods`",
        Rule::period_flag => "a flag such as `flag termination_right when score < 60 in 2 consecutive periods`",
        Rule::flag_measure => "`score` or `level LEVEL`",
        Rule::flag_run => "`in N consecutive periods`",
        Rule::k_lasts => "`lasts`",
        Rule::k_until => "`until`",
        Rule::k_excluding => "`excluding`",
        Rule::lasts_stmt => "`lasts until EVENT` or `lasts from ATTR until ATTR`",
        Rule::lasts_attrs => "`from ATTR until ATTR`",
        Rule::lasts_until => "`until EVENT`",
        Rule::excluding_arg => "`excluding SUBJECT [where notice >= DURATION]`",
        Rule::k_from => "`from`",
        Rule::k_reason => "`reason`",
        Rule::k_approver => "`approver`",
        Rule::waive_decl => "a waiver declaration (`waive on EVENT { ... }`)",
        Rule::waive_stmt => "`indicator from ATTR`, `reason from ATTR` or `approver from ATTR`",
        Rule::waive_indicator => "`indicator from ATTR`",
        Rule::waive_reason => "`reason from ATTR`",
        Rule::waive_approver => "`approver from ATTR`",
        Rule::deadline_follow => "`follow EVENT` (and `restart`)",
        Rule::follow_restart => "`restart`",
        Rule::k_per => "`per`",
        Rule::k_cap => "`cap`",
        Rule::k_zero_tolerance => "`zero-tolerance`",
        Rule::k_or => "`or`",
        Rule::k_and => "`and`",
        Rule::k_not => "`not`",
        Rule::k_in => "`in`",
        Rule::k_true => "`true`",
        Rule::k_false => "`false`",
        Rule::k_assess => "`assess`",
        Rule::k_scope => "`scope`",
        Rule::k_all => "`all`",
        Rule::k_covered => "`covered`",
        Rule::k_override => "`override`",
        Rule::k_payment => "`payment`",
        Rule::k_pays => "`pays`",
        Rule::k_deduction => "`deduction`",
        Rule::k_back_to_back => "`back-to-back`",
        Rule::p_lbrace => "`{`",
        Rule::p_rbrace => "`}`",
        Rule::p_lparen => "`(`",
        Rule::p_rparen => "`)`",
        Rule::p_lbrack => "`[`",
        Rule::p_rbrack => "`]`",
        Rule::p_comma => "`,`",
        Rule::p_dotdot => "`..`",
        Rule::p_dash => "`-`",
        Rule::p_arrow => "`->`",
        Rule::p_fatarrow => "`=>`",
        Rule::p_colon => "`:`",
        Rule::p_question => "`?`",
        Rule::p_bar => "`|`",
        Rule::p_slash => "`/`",
    }
}

// ------------------------------------------------------------------ errors

fn internal(span: Span) -> Diagnostic {
    Diagnostic::error(
        E_SYNTAX,
        "internal parser error: unexpected syntax tree shape",
        span,
    )
}

/// The span of a node, from its first to its last token (pest extends a node over the
/// whitespace and comments skipped before an optional part that is absent).
fn span_of(p: &P) -> Span {
    let s = p.as_span();
    let mut end = s.end();
    let mut cur = p.clone();
    while let Some(last) = cur.clone().into_inner().next_back() {
        end = last.as_span().end();
        cur = last;
    }
    Span::new(s.start(), end)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    for (i, c) in src.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_reference_contract() {
        let src = include_str!("../../../examples/egov-2026.sla");
        let f = parse(src);
        assert!(f.is_ok(), "{:?}", f.err());
    }
}
