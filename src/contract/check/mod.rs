//! The checker: turns a syntax tree ([`crate::language::ast::File`]) into a checked
//! [`Contract`], or explains, with stable codes, why it cannot.
//!
//! Every name is resolved to an index and every number converted to its base unit (see
//! [`crate::contract`]). All independent errors are reported, sorted by position; a mistake
//! is reported once, where it is made: whatever depends on a name that failed to resolve is
//! skipped rather than reported again (an unknown calendar on a category is one error, not
//! one per product).
//!
//! # Diagnostic codes
//!
//! Every code, with its meaning, is in the registry [`Code`]
//! (`E0001`/`E0002` are the parser's).

mod assess;
mod calendars;
mod catalog;
mod events;
mod indicators;
pub(crate) mod util;
mod waivers;

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;

use crate::contract::{
    Assessment, CalendarDef, CalendarId, Category, CategoryId, Contract, EventKind, Indicator,
    IndicatorId, KindId, Party, PartyId, Payment, PeriodKind, Product, ProductId, Subject,
    SubjectId, Table,
};
use crate::language::ast::{self, Item};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

pub use util::{fnv1a64, suggest};

/// A checked contract and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Checked {
    /// the contract, every name resolved and every number in its base unit
    pub contract: Contract,
    /// what is legal but probably not meant (`W…` codes), in source order
    pub warnings: Vec<Diagnostic>,
}

/// A contract that does not parse or check: every diagnostic found, errors and warnings, in
/// source order. It dereferences to the diagnostics; `Display` gives a one-line summary
/// (render them with `language::diagnostic::render` for the source lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
    /// `(line, column)` of the first error, for the summary
    at: Option<(usize, usize)>,
}

impl LoadError {
    /// Wraps the diagnostics of `src` that kept it from loading.
    pub fn new(diagnostics: Vec<Diagnostic>, src: &str) -> LoadError {
        let at = diagnostics
            .iter()
            .find(|d| d.is_error())
            .map(|d| crate::language::diagnostic::line_col(src, d.span.start));
        LoadError { diagnostics, at }
    }

    /// Every diagnostic, errors and warnings, in source order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, by value.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

impl std::ops::Deref for LoadError {
    type Target = [Diagnostic];
    fn deref(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        match (self.diagnostics.iter().find(|d| d.is_error()), self.at) {
            (Some(d), Some((line, col))) => write!(
                f,
                "the contract does not check: {errors} error{}; the first: error[{}] at {line}:{col}: {}",
                if errors == 1 { "" } else { "s" },
                d.code,
                d.message
            ),
            _ => write!(f, "the contract does not check"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Parses and checks a contract.
pub fn load(src: &str) -> Result<Checked, LoadError> {
    let file = crate::language::syntax::parse(src).map_err(|d| LoadError::new(d, src))?;
    check(&file).map_err(|d| LoadError::new(d, src))
}

/// Checks a parsed contract. On error, returns every diagnostic (errors and warnings) sorted
/// by position. The contract's fingerprint is the hash of its canonical form (the formatter's
/// print of `file`), so layout and comments do not change it.
pub fn check(file: &ast::File) -> Result<Checked, Vec<Diagnostic>> {
    let mut cx = Ctx::new(&file.contract);
    cx.run(&file.contract);
    let mut checked = cx.finish(&file.contract)?;
    checked.contract.fingerprint = fnv1a64(crate::language::format::print(file).as_bytes());
    Ok(checked)
}

/// The result of resolving a reference: found, not given, or given but wrong (already
/// reported, so whatever depends on it stays silent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Res<T> {
    Ok(T),
    Missing,
    Bad,
}

/// The error for a declaration past `u32::MAX` of its kind, which no id can name (no real
/// contract comes near).
pub(crate) fn too_many(span: ast::Span) -> Diagnostic {
    Diagnostic::error(
        Code::E0199,
        "internal checker error: more declarations than an index can hold; please report it",
        span,
    )
}

/// Checker state: what has been resolved so far, and the diagnostics.
pub(crate) struct Ctx {
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) name_span: ast::Span,
    pub(crate) tz: Option<chrono_tz::Tz>,
    /// false when the timezone was given but is wrong (suppresses follow-ups)
    pub(crate) tz_bad: bool,
    pub(crate) currency: Option<String>,
    pub(crate) term: Option<(NaiveDate, NaiveDate)>,
    pub(crate) term_bad: bool,
    pub(crate) period: PeriodKind,
    pub(crate) period_bad: bool,
    pub(crate) round_value: u32,
    pub(crate) round_score: u32,

    pub(crate) calendar_names: HashMap<String, CalendarId>,
    pub(crate) calendar_order: Vec<String>,
    pub(crate) calendars: Table<CalendarId, Option<CalendarDef>>,

    pub(crate) categories: Table<CategoryId, Category>,
    pub(crate) product_ids: Table<ProductId, String>,
    /// the same ids, for duplicate checks in constant time
    pub(crate) product_set: std::collections::HashSet<String>,
    pub(crate) products: Table<ProductId, Option<Product>>,

    pub(crate) party_names: HashMap<String, PartyId>,
    pub(crate) party_order: Vec<String>,
    pub(crate) parties: Table<PartyId, Option<Party>>,

    pub(crate) kind_names: HashMap<String, KindId>,
    pub(crate) kinds: Table<KindId, EventKind>,

    pub(crate) subject_names: HashMap<String, SubjectId>,
    pub(crate) subject_order: Vec<String>,
    pub(crate) subjects: Table<SubjectId, Option<Subject>>,

    pub(crate) indicator_names: HashMap<String, IndicatorId>,
    pub(crate) indicator_order: Vec<String>,
    pub(crate) indicators: Table<IndicatorId, Option<Indicator>>,
    /// unit of each indicator's value, when its value resolved
    pub(crate) indicator_units: Table<IndicatorId, Option<crate::contract::Unit>>,
    /// declared weight of each indicator, when valid
    pub(crate) weights: Table<IndicatorId, Option<rust_decimal::Decimal>>,

    pub(crate) assessments: Vec<Option<Assessment>>,
    pub(crate) payment: Option<Payment>,
    /// the contract's roll-up, read before the indicators (their terms depend on it)
    pub(crate) rollup: crate::contract::Rollup,
    pub(crate) waivers: Vec<crate::contract::WaiverDef>,
    pub(crate) period_flags: Vec<crate::contract::PeriodFlag>,
}

impl Ctx {
    fn new(decl: &ast::ContractDecl) -> Ctx {
        Ctx {
            diags: Vec::new(),
            name_span: decl.name.span,
            tz: None,
            tz_bad: false,
            currency: None,
            term: None,
            term_bad: false,
            period: PeriodKind::Month,
            period_bad: false,
            round_value: 4,
            round_score: 2,
            calendar_names: HashMap::new(),
            calendar_order: Vec::new(),
            calendars: Table::default(),
            categories: Table::default(),
            product_ids: Table::default(),
            product_set: std::collections::HashSet::new(),
            products: Table::default(),
            party_names: HashMap::new(),
            party_order: Vec::new(),
            parties: Table::default(),
            kind_names: HashMap::new(),
            kinds: Table::default(),
            subject_names: HashMap::new(),
            subject_order: Vec::new(),
            subjects: Table::default(),
            indicator_names: HashMap::new(),
            indicator_order: Vec::new(),
            indicators: Table::default(),
            indicator_units: Table::default(),
            weights: Table::default(),
            assessments: Vec::new(),
            payment: None,
            rollup: crate::contract::Rollup::Weighted,
            waivers: Vec::new(),
            period_flags: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn run(&mut self, decl: &ast::ContractDecl) {
        self.header(decl);
        let cals: Vec<&ast::CalendarDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Calendar(c) => Some(c),
                _ => None,
            })
            .collect();
        self.calendars_pass(&cals);
        let cats: Vec<&ast::CategoryDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Category(c) => Some(c),
                _ => None,
            })
            .collect();
        self.catalog_pass(&cats);
        let parties: Vec<&ast::PartyDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Party(p) => Some(p),
                _ => None,
            })
            .collect();
        self.parties_pass(&parties);
        let events: Vec<&ast::EventDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Event(e) => Some(e),
                _ => None,
            })
            .collect();
        self.events_pass(&events);
        let subjects: Vec<&ast::SubjectDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Subject(s) => Some(s),
                _ => None,
            })
            .collect();
        self.subjects_pass(&subjects);
        let indicators: Vec<&ast::IndicatorDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Indicator(x) => Some(x),
                _ => None,
            })
            .collect();
        self.indicators_pass(&indicators);
        let waivers: Vec<&ast::WaiveDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Waive(w) => Some(w),
                _ => None,
            })
            .collect();
        self.waivers_pass(&waivers);
        for i in &decl.items {
            if let Item::PeriodFlag(f) = i {
                self.period_flag(f);
            }
        }
        let assessments: Vec<&ast::AssessDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Assess(a) => Some(a),
                _ => None,
            })
            .collect();
        self.assess_pass(&assessments);
        let payments: Vec<&ast::PaymentDecl> = decl
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Payment(p) => Some(p),
                _ => None,
            })
            .collect();
        self.payment_pass(&payments);
        // only on a contract that otherwise checks: with errors it would stand first, at
        // the contract's name, ahead of what the author must fix
        if assessments.is_empty() && !self.diags.iter().any(Diagnostic::is_error) {
            self.push(
                Diagnostic::warning(
                    Code::W0104,
                    "the contract has no `assess`: an evaluation scores nobody",
                    self.name_span,
                )
                .with_label("contract without assessments")
                .with_help(
                    "add e.g. `assess prime by bureau { scope all }` (who is assessed, then by whom)",
                ),
            );
        }
    }

    /// timezone, currency, term, period, round.
    fn header(&mut self, decl: &ast::ContractDecl) {
        let mut seen: HashMap<&'static str, ast::Span> = HashMap::new();
        for item in &decl.items {
            let (key, span) = match item {
                Item::Timezone(s) => ("timezone", s.span),
                Item::Currency(i) => ("currency", i.span),
                Item::Term { span, .. } => ("term", *span),
                Item::Period(i) => ("period", i.span),
                Item::Round { what, span, .. } => match what.name.as_str() {
                    "value" => ("round value", *span),
                    "score" => ("round score", *span),
                    _ => ("", *span),
                },
                Item::Payment(p) => ("payment", p.span),
                Item::Rollup(r) => ("rollup", r.span()),
                _ => continue,
            };
            if !key.is_empty() {
                if seen.contains_key(key) {
                    self.push(
                        Diagnostic::error(
                            Code::E0102,
                            format!("`{key}` is given twice in the contract"),
                            span,
                        )
                        .with_label("second statement")
                        .with_help(format!("keep one `{key}` statement")),
                    );
                    continue;
                }
                seen.insert(key, span);
            }
            match item {
                Item::Timezone(s) => self.timezone(s),
                Item::Currency(i) => self.currency = Some(i.name.clone()),
                Item::Term { from, to, span } => {
                    if from.date > to.date {
                        self.term_bad = true;
                        self.push(
                            Diagnostic::error(
                                Code::E0103,
                                format!(
                                    "the term ends ({}) before it starts ({})",
                                    to.date, from.date
                                ),
                                *span,
                            )
                            .with_label("inverted term")
                            .with_help(format!("write `term {} .. {}`", to.date, from.date)),
                        );
                    } else {
                        self.term = Some((from.date, to.date));
                    }
                }
                Item::Period(i) => match util::period_kind(&i.name) {
                    Some(p) => self.period = p,
                    None => {
                        self.period_bad = true;
                        let d = Diagnostic::error(
                            Code::E0104,
                            format!("unknown period `{}`", i.name),
                            i.span,
                        )
                        .with_label("unknown period");
                        let d = util::with_suggestion(
                            d,
                            &i.name,
                            ["month", "quarter", "year"],
                            "expected `month`, `quarter` or `year`",
                        );
                        self.push(d);
                    }
                },
                Item::Round { what, places, .. } => self.round(what, places),
                Item::Rollup(r) => self.rollup_decl(r),
                _ => {}
            }
        }
        let name = decl.name.span;
        if !seen.contains_key("timezone") {
            self.push(
                Diagnostic::error(Code::E0100, "the contract has no `timezone`", name)
                    .with_label("contract without a time zone")
                    .with_help(
                        "add `timezone \"Asia/Shanghai\"` (an IANA time zone name) to the contract",
                    ),
            );
        }
        if !seen.contains_key("term") {
            self.push(
                Diagnostic::error(Code::E0100, "the contract has no `term`", name)
                    .with_label("contract without a term")
                    .with_help(
                        "add `term 2026-01-01 .. 2026-12-31` (first and last day) to the contract",
                    ),
            );
        }
        let any_fee = decl
            .items
            .iter()
            .any(|i| matches!(i, Item::Party(p) if p.fee.is_some()));
        if any_fee && !seen.contains_key("currency") {
            self.push(
                Diagnostic::error(Code::E0100, "the contract has fees but no `currency`", name)
                    .with_label("contract without a currency")
                    .with_help("add `currency CNY` (the currency of every fee) to the contract"),
            );
        }
    }

    fn timezone(&mut self, s: &ast::Str) {
        match chrono_tz::Tz::from_str(&s.value) {
            Ok(tz) => self.tz = Some(tz),
            Err(_) => {
                self.tz_bad = true;
                let d = Diagnostic::error(
                    Code::E0101,
                    format!("unknown time zone `{}`", s.value),
                    s.span,
                )
                .with_label("not an IANA time zone name");
                let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
                let d = util::with_suggestion(
                    d,
                    &s.value,
                    names,
                    "use an IANA time zone name such as `Asia/Shanghai`",
                );
                self.push(d);
            }
        }
    }

    fn round(&mut self, what: &ast::Ident, places: &ast::Quantity) {
        let target = match what.name.as_str() {
            "value" => Some(true),
            "score" => Some(false),
            _ => None,
        };
        let Some(is_value) = target else {
            self.push(
                Diagnostic::error(
                    Code::E0105,
                    format!("unknown `round` target `{}`", what.name),
                    what.span,
                )
                .with_label("expected `value` or `score`")
                .with_help("write `round value 4` or `round score 2`"),
            );
            return;
        };
        let n = if places.unit.is_none() && places.number.fract().is_zero() {
            places.number.to_u32().filter(|n| *n <= 10)
        } else {
            None
        };
        match n {
            Some(n) if is_value => self.round_value = n,
            Some(n) => self.round_score = n,
            None => self.push(
                Diagnostic::error(
                    Code::E0105,
                    format!(
                        "`round {}` needs a whole number of decimal places from 0 to 10, found `{}`",
                        what.name,
                        util::quantity_text(places)
                    ),
                    places.span,
                )
                .with_label("invalid number of places")
                .with_help(format!("write e.g. `round {} 2`", what.name)),
            ),
        }
    }

    /// Calendar years: the term's years widened by one on each side.
    pub(crate) fn calendar_years(&self) -> Option<(i32, i32)> {
        self.term.map(|(a, b)| (a.year() - 1, b.year() + 1))
    }

    fn finish(mut self, decl: &ast::ContractDecl) -> Result<Checked, Vec<Diagnostic>> {
        self.weights_warning();
        let mut diags = std::mem::take(&mut self.diags);
        diags.sort_by(|a, b| {
            (a.span.start, a.span.end, a.code, &a.message).cmp(&(
                b.span.start,
                b.span.end,
                b.code,
                &b.message,
            ))
        });
        diags.dedup_by(|a, b| {
            a.code == b.code
                && a.span.start == b.span.start
                && a.span.end == b.span.end
                && a.message == b.message
        });
        if diags.iter().any(|d| d.is_error()) {
            return Err(diags);
        }
        let internal = |what: &str| {
            vec![Diagnostic::error(
                Code::E0199,
                format!("internal checker error: unresolved {what} without a diagnostic; please report it"),
                decl.name.span,
            )]
        };
        let Some(timezone) = self.tz else {
            return Err(internal("time zone"));
        };
        let Some(term) = self.term else {
            return Err(internal("term"));
        };
        let calendars: Option<Table<_, CalendarDef>> = self.calendars.into_iter().collect();
        let products: Option<Table<_, Product>> = self.products.into_iter().collect();
        let parties: Option<Table<_, Party>> = self.parties.into_iter().collect();
        let subjects: Option<Table<_, Subject>> = self.subjects.into_iter().collect();
        let indicators: Option<Table<_, Indicator>> = self.indicators.into_iter().collect();
        let assessments: Option<Vec<Assessment>> = self.assessments.into_iter().collect();
        let (
            Some(calendars),
            Some(products),
            Some(parties),
            Some(subjects),
            Some(indicators),
            Some(assessments),
        ) = (
            calendars,
            products,
            parties,
            subjects,
            indicators,
            assessments,
        )
        else {
            return Err(internal("item"));
        };
        let contract = Contract {
            name: decl.name.value.clone(),
            timezone,
            currency: self.currency.unwrap_or_default(),
            term,
            period: self.period,
            round_value: self.round_value,
            round_score: self.round_score,
            calendars,
            parties,
            categories: self.categories,
            products,
            kinds: self.kinds,
            subjects,
            indicators,
            assessments,
            payment: self.payment.unwrap_or_else(util::default_payment),
            rollup: self.rollup,
            waivers: self.waivers,
            flags: self.period_flags,
            fingerprint: 0,
        };
        Ok(Checked {
            contract,
            warnings: diags,
        })
    }
}
