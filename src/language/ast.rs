//! Typed syntax tree of a `.sla` file, as written (names unresolved).
//!
//! Every node carries its source [`Span`]. Spans compare by position, so derived equality is
//! exact; [`eq_ignoring_spans`] compares two trees by meaning (layout and positions aside).

use rust_decimal::Decimal;

/// Byte range `[start, end)` in the source text. Equality compares positions (except inside
/// [`eq_ignoring_spans`]); hashing ignores them, which agrees with either equality.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Span) -> bool {
        IGNORE_SPANS.with(std::cell::Cell::get)
            || (self.start, self.end) == (other.start, other.end)
    }
}

thread_local! {
    /// Set while [`eq_ignoring_spans`] compares: spans then compare equal.
    static IGNORE_SPANS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `a == b` with every [`Span`] inside treated as equal: two trees (or diagnostics) that differ
/// only in layout compare equal.
pub fn eq_ignoring_spans<T: PartialEq + ?Sized>(a: &T, b: &T) -> bool {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            IGNORE_SPANS.with(|f| f.set(self.0));
        }
    }
    let _reset = Reset(IGNORE_SPANS.with(|f| f.replace(true)));
    a == b
}
impl Eq for Span {}
impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

/// A bare name: `office`, `P1`, `cn-statutory`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A dotted path: an event kind (`ticket.opened`), a product (`app.om_mgmt.desk`), an
/// attribute path (`net.probe.latency_ms`) or a pattern ending in `*` (`network.*`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    pub parts: Vec<String>,
    /// true when the path ends with `.*`
    pub wildcard: bool,
    pub span: Span,
}

impl Path {
    /// The path as written, e.g. `network.*`.
    pub fn text(&self) -> String {
        let mut s = self.parts.join(".");
        if self.wildcard {
            s.push_str(".*");
        }
        s
    }
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

/// Units a number can carry in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitLit {
    /// `95%`
    Percent,
    /// `2000ms`
    Millis,
    /// `30s`
    Seconds,
    /// `15m`
    Minutes,
    /// `4h`
    Hours,
    /// `2d`
    Days,
}

/// A number with an optional unit: `15m`, `95%`, `0.95`, `2000ms`, `25`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Quantity {
    /// the number as written (`95` for `95%`)
    pub number: Decimal,
    pub unit: Option<UnitLit>,
    pub span: Span,
}

/// `2026-10-01`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateLit {
    pub date: chrono::NaiveDate,
    pub span: Span,
}

/// `09:00` as seconds since midnight (`24:00` = 86400).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeLit {
    pub seconds: u32,
    pub span: Span,
}

/// A whole `.sla` file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct File {
    pub contract: ContractDecl,
}

/// `contract "name" { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContractDecl {
    pub name: Str,
    pub items: Vec<Item>,
    pub span: Span,
}

/// One statement at the top level of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    /// `timezone "Asia/Shanghai"`
    Timezone(Str),
    /// `currency CNY`
    Currency(Ident),
    /// `term 2026-01-01 .. 2026-12-31`
    Term {
        from: DateLit,
        to: DateLit,
        span: Span,
    },
    /// `period month` (month | quarter | year)
    Period(Ident),
    /// `round value 4` / `round score 2`
    Round {
        what: Ident,
        places: Quantity,
        span: Span,
    },
    Calendar(CalendarDecl),
    Party(PartyDecl),
    Category(CategoryDecl),
    Event(EventDecl),
    Subject(SubjectDecl),
    Indicator(IndicatorDecl),
    Assess(AssessDecl),
    Payment(PaymentDecl),
}

// ------------------------------------------------------------------ calendars

/// `calendar office "title" { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CalendarDecl {
    pub name: Ident,
    pub title: Option<Str>,
    pub stmts: Vec<CalendarStmt>,
    pub span: Span,
}

/// Days a `hours` line applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DaySel {
    /// `mon..fri`
    Range(Ident, Ident),
    /// `sat` or `mon, wed, fri`
    List(Vec<Ident>),
    /// `makeup`: the schedule of make-up working days
    Makeup(Span),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CalendarStmt {
    /// `hours mon..fri 09:00-12:00, 13:30-17:30`
    Hours {
        days: DaySel,
        intervals: Vec<(TimeLit, TimeLit)>,
        span: Span,
    },
    /// `hours 24x7`
    Always { span: Span },
    /// `holidays cn-statutory`
    Holidays { table: Ident, span: Span },
    /// `holiday 2026-10-01 .. 2026-10-07` (or one date)
    Holiday {
        from: DateLit,
        to: Option<DateLit>,
        span: Span,
    },
    /// `workday 2026-10-10`: a make-up working day
    Workday { date: DateLit, span: Span },
}

// ------------------------------------------------------------------ parties and catalog

/// `party netco sub "网络分包方" fee 200000.00 CNY / month { covers network.* }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartyDecl {
    pub name: Ident,
    /// client | prime | sub | third
    pub role: Ident,
    pub title: Option<Str>,
    pub fee: Option<Fee>,
    pub covers: Vec<Path>,
    pub span: Span,
}

/// `fee 1200000.00 CNY / month`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fee {
    pub amount: Quantity,
    pub currency: Ident,
    /// month | quarter | year
    pub per: Ident,
    pub span: Span,
}

/// `category app "应用系统运维" "Application systems" calendar office { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryDecl {
    pub name: Ident,
    pub title_zh: Option<Str>,
    pub title_en: Option<Str>,
    pub calendar: Option<Ident>,
    pub items: Vec<CatalogItem>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CatalogItem {
    Subcategory(SubcategoryDecl),
    Product(ProductDecl),
}

/// `subcategory om_mgmt "运维管理" "O&M management" calendar office { product ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubcategoryDecl {
    pub name: Ident,
    pub title_zh: Option<Str>,
    pub title_en: Option<Str>,
    pub calendar: Option<Ident>,
    pub products: Vec<ProductDecl>,
    pub span: Span,
}

/// `product desk "服务台与运维管理" "Service desk" calendar office`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductDecl {
    pub name: Ident,
    pub title_zh: Option<Str>,
    pub title_en: Option<Str>,
    pub calendar: Option<Ident>,
    pub span: Span,
}

// ------------------------------------------------------------------ events and subjects

/// `event ticket.opened { priority: P1 | P2 | P3 | P4, source?: text }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventDecl {
    pub kind: Path,
    pub attrs: Vec<AttrDecl>,
    pub span: Span,
}

/// `priority: P1 | P2`, `source?: text`, `latency_ms: number ms`, `due: time`, `ok: bool`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrDecl {
    pub name: Ident,
    pub optional: bool,
    pub ty: AttrTypeLit,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttrTypeLit {
    Text(Span),
    Bool(Span),
    /// `number` with an optional unit (`number ms`)
    Number(Option<UnitLit>, Span),
    /// RFC 3339 instant
    Time(Span),
    /// one of the listed values
    Enum(Vec<Ident>),
}

/// `subject ticket { anchor ticket.opened  flag resolved set on ... clear on ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectDecl {
    pub name: Ident,
    pub anchor: Path,
    /// `anchor plan.scheduled at due`: the subject's period is given by this time attribute
    pub anchor_at: Option<Ident>,
    pub flags: Vec<FlagDecl>,
    pub span: Span,
}

/// `flag resolved set on ticket.resolved, ticket.closed clear on ticket.reopened`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlagDecl {
    pub name: Ident,
    pub set: Vec<EventMatch>,
    pub clear: Vec<EventMatch>,
    pub span: Span,
}

/// An event kind with an optional condition: `ticket.resolved where code == fixed`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventMatch {
    pub kind: Path,
    pub cond: Option<Cond>,
    pub span: Span,
}

// ------------------------------------------------------------------ indicators

/// `indicator id "中文" "English" { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndicatorDecl {
    pub id: Ident,
    pub title_zh: Option<Str>,
    pub title_en: Option<Str>,
    pub stmts: Vec<IndicatorStmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndicatorStmt {
    /// `level process` (system | process | role)
    Level(Ident),
    /// `weight 15`
    Weight(Quantity),
    /// `report only`: scored and shown, but left out of every roll-up (instead of `weight`)
    ReportOnly(Span),
    Clock(ClockDecl),
    /// `value <expr>`
    Value(ValueExpr),
    Target(Target),
    Score(Scoring),
    /// `filter product in [network.*]`: restricts every event the indicator reads
    Filter(Cond),
}

/// `clock ticket { stop on ...  pause on ...  deadline ...  calendar business }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClockDecl {
    pub subject: Ident,
    pub stmts: Vec<ClockStmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClockStmt {
    /// `start on k1, k2` (default: the subject's anchor)
    Start(Vec<EventMatch>, Span),
    Stop(Vec<EventMatch>, Span),
    Pause(Vec<EventMatch>, Span),
    Resume(Vec<EventMatch>, Span),
    /// `restart on k`: a stopped clock runs again, keeping the time already counted
    Restart(Vec<EventMatch>, Span),
    /// `reset on k`: the clock starts over from zero
    Reset(Vec<EventMatch>, Span),
    Deadline(Deadline),
    /// `calendar business` (the product's calendar) or `calendar NAME`
    Calendar(Ident),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// `deadline 15m`
    Fixed(Quantity, Span),
    /// `deadline by priority { P1 => 15m, ... }`
    ByAttr {
        attr: Ident,
        table: Vec<(Ident, Quantity)>,
        span: Span,
    },
    /// `deadline at due`: an absolute instant from an anchor attribute, compared in wall time
    At(Ident, Span),
}

/// Value expressions: `rate(met)`, `ratio(count(ticket where resolved), count(ticket))`,
/// `mean(net.probe.latency_ms)`, `coverage(scan.completed, inventory asset.registered)`,
/// `percentile(95, net.probe.latency_ms)`, `count(security.incident)`, `distinct(scan.completed)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValueExpr {
    pub func: Ident,
    pub args: Vec<Arg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Arg {
    /// a nested call: `count(ticket)`
    Call(ValueExpr),
    /// a selection: `ticket where resolved`, `net.probe.latency_ms`, `met`
    Select(Selection),
    /// a number: `95`
    Number(Quantity),
    /// `inventory asset.registered`
    Inventory(Selection),
}

/// `PATH [where COND]`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    pub path: Path,
    pub filter: Option<Cond>,
    pub span: Span,
}

/// Conditions on an event's (or a subject's anchor event's) attributes and flags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cond {
    /// `latency_ms <= 2000ms`, `ok == true`, `priority != P4`
    Cmp {
        attr: Ident,
        op: CmpOp,
        value: Literal,
        span: Span,
    },
    /// `source in [monitoring, inspection]`, `product in [network.*]`
    In {
        attr: Ident,
        values: Vec<Literal>,
        span: Span,
    },
    /// a subject flag or a boolean attribute used bare: `resolved`
    Flag(Ident),
    Not(Box<Cond>, Span),
    And(Vec<Cond>, Span),
    Or(Vec<Cond>, Span),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    Str(Str),
    Bool(bool, Span),
    Number(Quantity),
    /// a bare word or dotted path: `P1`, `monitoring`, `network.*`
    Path(Path),
    /// a date: parsed only so that the checker can refuse it with a clear message
    Date(DateLit),
}

/// `target >= 95%`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub op: CmpOp,
    pub value: Quantity,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scoring {
    /// `score linear 80% -> 0, 95% -> 100`
    Linear {
        points: Vec<(Quantity, Quantity)>,
        span: Span,
    },
    /// `score bands { >= 100% => 100, >= 90% => 60, else => 0 }`
    Bands {
        bands: Vec<(CmpOp, Quantity, Quantity)>,
        otherwise: Option<Quantity>,
        span: Span,
    },
    /// `score deduct 25 per 1 cap 100`
    Deduct {
        points: Quantity,
        per: Quantity,
        cap: Option<Quantity>,
        span: Span,
    },
    /// `score zero-tolerance`: 100 when the target is met, else 0
    ZeroTolerance(Span),
}

// ------------------------------------------------------------------ assessments and payment

/// `assess netco, secco by prime { scope covered  override id { ... } }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssessDecl {
    pub assessees: Vec<Ident>,
    pub assessor: Ident,
    pub scope: Option<ScopeLit>,
    pub overrides: Vec<OverrideDecl>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScopeLit {
    /// `scope all`
    All(Span),
    /// `scope covered`: the products the assessee covers
    Covered(Span),
    /// `scope network.*, security.mgmt`
    Products(Vec<Path>, Span),
}

/// `override response_timeliness { target ...  score ...  weight ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OverrideDecl {
    pub indicator: Ident,
    pub target: Option<Target>,
    pub score: Option<Scoring>,
    pub weight: Option<Quantity>,
    /// `report only`: the indicator leaves the roll-ups of these assessments
    pub report_only: Option<Span>,
    pub span: Span,
}

/// `payment { score >= 90 pays 100% ... cap deduction 30%  back-to-back }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaymentDecl {
    pub rules: Vec<PayRule>,
    /// `cap deduction 30%`: the share paid never falls below 1 − cap
    pub cap: Option<Quantity>,
    /// `back-to-back`: the prime passes deductions on to the subcontractor responsible
    pub back_to_back: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScoreRange {
    /// `score >= 90`, `score < 60`
    Cmp(CmpOp, Quantity),
    /// `score 60 .. 90`: lower bound inclusive, upper exclusive
    Between(Quantity, Quantity),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Share {
    /// `pays 100%`
    Fixed(Quantity),
    /// `pays 70% .. 100%`: linear across the score range
    Linear(Quantity, Quantity),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayRule {
    pub range: ScoreRange,
    pub share: Share,
    pub span: Span,
}
