//! Parser: `.sla` source text → [`ast::File`], with byte spans.
//!
//! The grammar lives in `grammar/slagrade.pest`. A syntax error becomes one [`Diagnostic`]
//! (`E0001`) at the position where the parser could go no further, naming what was expected in
//! words ([`rule_name`]); a literal that has the right shape but a wrong value (an invalid date,
//! a time such as `25:00`, a number out of range, a bad escape) is `E0002`.

use std::collections::VecDeque;
use std::str::FromStr;

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;
use rust_decimal::Decimal;

use crate::language::ast::{self, Span};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

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
        Rule::attr_type => "an attribute type (`text`, `bool`, `number`, `time` or values `A | B`)",
        Rule::type_text => "`text`",
        Rule::type_bool => "`bool`",
        Rule::type_number => "`number`",
        Rule::type_time => "`time`",
        Rule::type_enum => "a list of values such as `P1 | P2`",
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
        Rule::override_stmt => "`target`, `score`, `weight` or `report only`",
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

/// Rejects nesting deeper than [`MAX_NESTING`] before parsing (the parser recurses on
/// nested parentheses, and a deep enough nesting would exhaust the stack).
fn check_nesting(src: &str) -> Res<()> {
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

fn syntax_error(src: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
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

// ------------------------------------------------------------------ tree walking

fn is_noise(r: Rule) -> bool {
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
struct Kids<'i> {
    span: Span,
    items: VecDeque<P<'i>>,
}

impl<'i> Kids<'i> {
    fn of(p: &P<'i>) -> Self {
        Kids {
            span: span_of(p),
            items: p
                .clone()
                .into_inner()
                .filter(|k| !is_noise(k.as_rule()))
                .collect(),
        }
    }
    fn next(&mut self, rule: Rule) -> Res<P<'i>> {
        match self.items.pop_front() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(internal(span_of(&p))),
            None => Err(internal(self.span)),
        }
    }
    fn any(&mut self) -> Res<P<'i>> {
        self.items.pop_front().ok_or_else(|| internal(self.span))
    }
    fn opt(&mut self, rule: Rule) -> Option<P<'i>> {
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

fn duplicate(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(E_SYNTAX, format!("`{what}` is given twice"), span)
        .with_label("second occurrence")
        .with_help(format!("keep only one `{what}`"))
}

// ------------------------------------------------------------------ literals

fn ident(p: P) -> ast::Ident {
    ast::Ident {
        name: p.as_str().to_string(),
        span: span_of(&p),
    }
}

fn path(p: P) -> ast::Path {
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

fn string(p: P) -> Res<ast::Str> {
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

fn quantity(p: P) -> Res<ast::Quantity> {
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

fn unit_lit(text: &str) -> Option<ast::UnitLit> {
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

fn date(p: P) -> Res<ast::DateLit> {
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

fn time(p: P) -> Res<ast::TimeLit> {
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

fn cmp_op(p: P) -> Res<ast::CmpOp> {
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

// ------------------------------------------------------------------ file and items

fn build_file(p: P) -> Res<ast::File> {
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

fn calendar(mut k: Kids, span: Span) -> Res<ast::CalendarDecl> {
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

fn party(mut k: Kids, span: Span) -> Res<ast::PartyDecl> {
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

fn category(mut k: Kids, span: Span) -> Res<ast::CategoryDecl> {
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

fn event(mut k: Kids, span: Span) -> Res<ast::EventDecl> {
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
            Ok(ast::AttrDecl {
                name,
                optional,
                ty,
                span: aspan,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::EventDecl { kind, attrs, span })
}

fn subject(mut k: Kids, span: Span) -> Res<ast::SubjectDecl> {
    let name = ident(k.next(Rule::ident)?);
    let mut a = Kids::of(&k.next(Rule::anchor_stmt)?);
    let anchor = path(a.next(Rule::path)?);
    let anchor_at = a.opt(Rule::ident).map(ident);
    let flags = k
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
        span,
    })
}

fn event_list(p: &P) -> Res<Vec<ast::EventMatch>> {
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

// ------------------------------------------------------------------ indicators

fn indicator(mut k: Kids, span: Span) -> Res<ast::IndicatorDecl> {
    let id = ident(k.next(Rule::ident)?);
    let title_zh = k.opt(Rule::string).map(string).transpose()?;
    let title_en = k.opt(Rule::string).map(string).transpose()?;
    let stmts = k
        .map(|s| {
            let sspan = span_of(&s);
            let mut sk = Kids::of(&s);
            Ok(match s.as_rule() {
                Rule::level_stmt => ast::IndicatorStmt::Level(ident(sk.next(Rule::ident)?)),
                Rule::weight_stmt => {
                    ast::IndicatorStmt::Weight(quantity(sk.next(Rule::quantity)?)?)
                }
                Rule::report_stmt => ast::IndicatorStmt::ReportOnly(sspan),
                Rule::clock_decl => ast::IndicatorStmt::Clock(clock(sk, sspan)?),
                Rule::value_stmt => ast::IndicatorStmt::Value(call(&sk.next(Rule::call)?)?),
                Rule::target_stmt => ast::IndicatorStmt::Target(target(&s)?),
                Rule::score_stmt => ast::IndicatorStmt::Score(scoring(&s)?),
                Rule::filter_stmt => ast::IndicatorStmt::Filter(cond(sk.next(Rule::cond)?)?),
                _ => return Err(internal(sspan)),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::IndicatorDecl {
        id,
        title_zh,
        title_en,
        stmts,
        span,
    })
}

fn clock(mut k: Kids, span: Span) -> Res<ast::ClockDecl> {
    let subject = ident(k.next(Rule::ident)?);
    let stmts = k
        .map(|s| {
            let sspan = span_of(&s);
            Ok(match s.as_rule() {
                Rule::start_stmt => ast::ClockStmt::Start(event_list(&s)?, sspan),
                Rule::stop_stmt => ast::ClockStmt::Stop(event_list(&s)?, sspan),
                Rule::pause_stmt => ast::ClockStmt::Pause(event_list(&s)?, sspan),
                Rule::resume_stmt => ast::ClockStmt::Resume(event_list(&s)?, sspan),
                Rule::restart_stmt => ast::ClockStmt::Restart(event_list(&s)?, sspan),
                Rule::reset_stmt => ast::ClockStmt::Reset(event_list(&s)?, sspan),
                Rule::clock_calendar => {
                    ast::ClockStmt::Calendar(ident(Kids::of(&s).next(Rule::ident)?))
                }
                Rule::deadline_stmt => {
                    let d = Kids::of(&s).any()?;
                    ast::ClockStmt::Deadline(match d.as_rule() {
                        Rule::duration => ast::Deadline::Fixed(quantity(d)?, sspan),
                        Rule::deadline_at => {
                            ast::Deadline::At(ident(Kids::of(&d).next(Rule::ident)?), sspan)
                        }
                        Rule::deadline_by => {
                            let mut dk = Kids::of(&d);
                            let attr = ident(dk.next(Rule::ident)?);
                            let table = dk
                                .map(|e| {
                                    let mut ek = Kids::of(&e);
                                    Ok((
                                        ident(ek.next(Rule::ident)?),
                                        quantity(ek.next(Rule::duration)?)?,
                                    ))
                                })
                                .collect::<Res<Vec<_>>>()?;
                            ast::Deadline::ByAttr {
                                attr,
                                table,
                                span: sspan,
                            }
                        }
                        _ => return Err(internal(sspan)),
                    })
                }
                _ => return Err(internal(sspan)),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::ClockDecl {
        subject,
        stmts,
        span,
    })
}

fn call(p: &P) -> Res<ast::ValueExpr> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let func = ident(k.next(Rule::ident)?);
    let args = k
        .map(|a| {
            Ok(match a.as_rule() {
                Rule::call => ast::Arg::Call(call(&a)?),
                Rule::quantity => ast::Arg::Number(quantity(a)?),
                Rule::selection => ast::Arg::Select(selection(&a)?),
                Rule::inventory_arg => {
                    ast::Arg::Inventory(selection(&Kids::of(&a).next(Rule::selection)?)?)
                }
                _ => return Err(internal(span_of(&a))),
            })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ast::ValueExpr { func, args, span })
}

fn selection(p: &P) -> Res<ast::Selection> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let path = path(k.next(Rule::path)?);
    let filter = k.opt(Rule::cond).map(cond).transpose()?;
    Ok(ast::Selection { path, filter, span })
}

fn target(p: &P) -> Res<ast::Target> {
    let mut k = Kids::of(p);
    Ok(ast::Target {
        op: cmp_op(k.next(Rule::cmp_op)?)?,
        value: quantity(k.next(Rule::quantity)?)?,
        span: span_of(p),
    })
}

fn scoring(p: &P) -> Res<ast::Scoring> {
    let span = span_of(p);
    let s = Kids::of(p).any()?;
    let mut k = Kids::of(&s);
    Ok(match s.as_rule() {
        Rule::score_linear => ast::Scoring::Linear {
            points: k
                .map(|pt| {
                    let mut pk = Kids::of(&pt);
                    Ok((
                        quantity(pk.next(Rule::quantity)?)?,
                        quantity(pk.next(Rule::quantity)?)?,
                    ))
                })
                .collect::<Res<Vec<_>>>()?,
            span,
        },
        Rule::score_bands => {
            let mut bands = Vec::new();
            let mut otherwise: Option<ast::Quantity> = None;
            for b in k {
                let bspan = span_of(&b);
                if otherwise.is_some() {
                    return Err(
                        Diagnostic::error(E_SYNTAX, "`else` must be the last band", bspan)
                            .with_label("band after `else`")
                            .with_help("move `else => ...` to the end of the bands"),
                    );
                }
                let mut bk = Kids::of(&b);
                match b.as_rule() {
                    Rule::band => bands.push((
                        cmp_op(bk.next(Rule::cmp_op)?)?,
                        quantity(bk.next(Rule::quantity)?)?,
                        quantity(bk.next(Rule::quantity)?)?,
                    )),
                    Rule::band_else => otherwise = Some(quantity(bk.next(Rule::quantity)?)?),
                    _ => return Err(internal(bspan)),
                }
            }
            ast::Scoring::Bands {
                bands,
                otherwise,
                span,
            }
        }
        Rule::score_deduct => ast::Scoring::Deduct {
            points: quantity(k.next(Rule::quantity)?)?,
            per: quantity(k.next(Rule::quantity)?)?,
            cap: k.opt(Rule::quantity).map(quantity).transpose()?,
            span,
        },
        Rule::score_zero => ast::Scoring::ZeroTolerance(span),
        _ => return Err(internal(span)),
    })
}

// ------------------------------------------------------------------ conditions

// The condition builders recurse once per nesting level; they are kept small (and out of
// line) so that the deepest accepted nesting fits comfortably on a small thread stack.

fn cond(p: P) -> Res<ast::Cond> {
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

// ------------------------------------------------------------------ assessments and payment

fn assess(k: Kids, span: Span) -> Res<ast::AssessDecl> {
    let mut names = Vec::new();
    let mut scope = None;
    let mut overrides = Vec::new();
    for p in k {
        let pspan = span_of(&p);
        match p.as_rule() {
            Rule::ident => names.push(ident(p)),
            Rule::scope_all | Rule::scope_covered | Rule::scope_products => {
                if scope.is_some() {
                    return Err(duplicate("scope", pspan));
                }
                scope = Some(match p.as_rule() {
                    Rule::scope_all => ast::ScopeLit::All(pspan),
                    Rule::scope_covered => ast::ScopeLit::Covered(pspan),
                    _ => ast::ScopeLit::Products(Kids::of(&p).map(path).collect(), pspan),
                });
            }
            Rule::override_decl => overrides.push(override_decl(&p)?),
            _ => return Err(internal(pspan)),
        }
    }
    let assessor = names.pop().ok_or_else(|| internal(span))?;
    Ok(ast::AssessDecl {
        assessees: names,
        assessor,
        scope,
        overrides,
        span,
    })
}

fn override_decl(p: &P) -> Res<ast::OverrideDecl> {
    let span = span_of(p);
    let mut k = Kids::of(p);
    let indicator = ident(k.next(Rule::ident)?);
    let mut o = ast::OverrideDecl {
        indicator,
        target: None,
        score: None,
        weight: None,
        report_only: None,
        span,
    };
    for s in k {
        let sspan = span_of(&s);
        match s.as_rule() {
            Rule::target_stmt if o.target.is_none() => o.target = Some(target(&s)?),
            Rule::score_stmt if o.score.is_none() => o.score = Some(scoring(&s)?),
            Rule::weight_stmt if o.weight.is_none() => {
                o.weight = Some(quantity(Kids::of(&s).next(Rule::quantity)?)?)
            }
            Rule::target_stmt => return Err(duplicate("target", sspan)),
            Rule::score_stmt => return Err(duplicate("score", sspan)),
            Rule::report_stmt if o.report_only.is_none() => o.report_only = Some(sspan),
            Rule::weight_stmt => return Err(duplicate("weight", sspan)),
            Rule::report_stmt => return Err(duplicate("report only", sspan)),
            _ => return Err(internal(sspan)),
        }
    }
    Ok(o)
}

fn payment(k: Kids, span: Span) -> Res<ast::PaymentDecl> {
    let mut d = ast::PaymentDecl {
        rules: Vec::new(),
        cap: None,
        back_to_back: false,
        span,
    };
    for s in k {
        let sspan = span_of(&s);
        let mut sk = Kids::of(&s);
        match s.as_rule() {
            Rule::pay_rule => {
                let r = sk.any()?;
                let mut rk = Kids::of(&r);
                let range = match r.as_rule() {
                    Rule::range_cmp => ast::ScoreRange::Cmp(
                        cmp_op(rk.next(Rule::cmp_op)?)?,
                        quantity(rk.next(Rule::quantity)?)?,
                    ),
                    Rule::range_between => ast::ScoreRange::Between(
                        quantity(rk.next(Rule::quantity)?)?,
                        quantity(rk.next(Rule::quantity)?)?,
                    ),
                    _ => return Err(internal(span_of(&r))),
                };
                let sh = sk.any()?;
                let mut hk = Kids::of(&sh);
                let share = match sh.as_rule() {
                    Rule::share_fixed => ast::Share::Fixed(quantity(hk.next(Rule::quantity)?)?),
                    Rule::share_linear => ast::Share::Linear(
                        quantity(hk.next(Rule::quantity)?)?,
                        quantity(hk.next(Rule::quantity)?)?,
                    ),
                    _ => return Err(internal(span_of(&sh))),
                };
                d.rules.push(ast::PayRule {
                    range,
                    share,
                    span: sspan,
                });
            }
            Rule::pay_cap => {
                if d.cap.is_some() {
                    return Err(duplicate("cap deduction", sspan));
                }
                d.cap = Some(quantity(sk.next(Rule::quantity)?)?);
            }
            Rule::back_to_back => {
                if d.back_to_back {
                    return Err(duplicate("back-to-back", sspan));
                }
                d.back_to_back = true;
            }
            _ => return Err(internal(sspan)),
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_reference_contract() {
        let src = include_str!("../../examples/egov-2026.sla");
        let f = parse(src);
        assert!(f.is_ok(), "{:?}", f.err());
    }
}
