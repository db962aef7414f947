//! Typed syntax tree of a `.sla` file, as written (names unresolved).
//!
//! Every node carries its source [`Span`]. Spans compare by position, so derived equality is
//! exact; [`eq_ignoring_spans`] compares two trees by meaning (layout and positions aside).

use rust_decimal::Decimal;

/// Byte range `[start, end)` in the source text. Equality compares positions (except inside
/// [`eq_ignoring_spans`]); hashing ignores them, which agrees with either equality.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
}

impl Span {
    /// The byte range `[start, end)`.
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
    /// The name as written.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
}

/// A dotted path: an event kind (`ticket.opened`), a product (`app.om_mgmt.desk`), an
/// attribute path (`net.probe.latency_ms`) or a pattern ending in `*` (`network.*`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    /// The names between the dots, without the `.*`: `["network"]` for `network.*`.
    pub parts: Vec<String>,
    /// true when the path ends with `.*`
    pub wildcard: bool,
    /// The whole path, `.*` included.
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
    /// The text between the quotes, escapes (`\"`, `\\`, `\n`, `\t`, `\u{...}`) resolved.
    pub value: String,
    /// The literal, quotes included.
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
    /// The unit written right after the number; `None` for a bare `25` or `0.95`.
    pub unit: Option<UnitLit>,
    /// The number and its unit.
    pub span: Span,
}

/// `2026-10-01`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateLit {
    /// The calendar day (an existing one: `2026-02-30` does not parse).
    pub date: chrono::NaiveDate,
    /// Where the date is written.
    pub span: Span,
}

/// `09:00` as seconds since midnight (`24:00` = 86400).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeLit {
    /// Seconds since local midnight, a whole number of minutes from 0 to 86400.
    pub seconds: u32,
    /// Where the time is written.
    pub span: Span,
}

/// A whole `.sla` file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct File {
    /// The file's one `contract` block.
    pub contract: ContractDecl,
}

/// `contract "name" { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContractDecl {
    /// The contract's name (`"egov-2026"`), shown in every scorecard.
    pub name: Str,
    /// The statements of the block, in source order.
    pub items: Vec<Item>,
    /// From `contract` to the closing brace.
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
        /// First day of the contract.
        from: DateLit,
        /// Last day of the contract, inclusive.
        to: DateLit,
        /// The whole statement.
        span: Span,
    },
    /// `period month` (month | quarter | year)
    Period(Ident),
    /// `round value 4` / `round score 2`
    Round {
        /// `value` or `score` (anything else is refused by the checker, `E0105`).
        what: Ident,
        /// Decimal places, a plain number from 0 to 10 (checked).
        places: Quantity,
        /// The whole statement.
        span: Span,
    },
    /// `flag termination_right when score < 60 in 2 consecutive periods`
    PeriodFlag(PeriodFlagDecl),
    /// `waive on waiver.granted { indicator from indicator ... }`: events that excuse a
    /// subject for an indicator
    Waive(WaiveDecl),
    /// `rollup points start 100, floor 0, ceiling 100` or `rollup weighted`: how indicator
    /// results make a party score
    Rollup(RollupDecl),
    /// `calendar office "办公时间" { ... }`: when clocks count
    Calendar(CalendarDecl),
    /// `party prime prime "总包方" fee ...`
    Party(PartyDecl),
    /// `category app ... { ... }`: part of the service catalog
    Category(CategoryDecl),
    /// `event ticket.opened { ... }`: an event kind and its attributes
    Event(EventDecl),
    /// `subject ticket { anchor ... }`: a tracked item and its flags
    Subject(SubjectDecl),
    /// `indicator id ... { ... }`: a measured, targeted and scored quality indicator
    Indicator(IndicatorDecl),
    /// `assess netco by prime { ... }`
    Assess(AssessDecl),
    /// `payment { ... }`: how a party score becomes a share of the fee
    Payment(PaymentDecl),
}

// ------------------------------------------------------------------ calendars

/// `calendar office "title" { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CalendarDecl {
    /// The name clocks, categories, subcategories and products refer to it by.
    pub name: Ident,
    /// Display title (`"办公时间"`).
    pub title: Option<Str>,
    /// The statements of the block, in source order; several `hours` lines add up.
    pub stmts: Vec<CalendarStmt>,
    /// From `calendar` to the closing brace.
    pub span: Span,
}

/// Days a `hours` line applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DaySel {
    /// `mon..fri`: first and last day, both included (it may not wrap around the week)
    Range(Ident, Ident),
    /// `sat` or `mon, wed, fri`
    List(Vec<Ident>),
    /// `makeup`: the schedule of make-up working days
    Makeup(Span),
}

/// One statement of a `calendar` block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CalendarStmt {
    /// `hours mon..fri 09:00-12:00, 13:30-17:30`
    Hours {
        /// The days the intervals apply to.
        days: DaySel,
        /// Working intervals `(start, end)` of each of those days, as written (the checker
        /// wants start < end and no overlap within a day).
        intervals: Vec<(TimeLit, TimeLit)>,
        /// The whole line.
        span: Span,
    },
    /// `hours 24x7`
    Always {
        /// The whole line.
        span: Span,
    },
    /// `holidays cn-statutory`
    Holidays {
        /// Name of a built-in table of holidays and make-up days.
        table: Ident,
        /// The whole line.
        span: Span,
    },
    /// `holiday 2026-10-01 .. 2026-10-07` (or one date)
    Holiday {
        /// First day off.
        from: DateLit,
        /// Last day off, inclusive; `None` for a single day.
        to: Option<DateLit>,
        /// The whole line.
        span: Span,
    },
    /// `workday 2026-10-10`: a make-up working day
    Workday {
        /// The day worked, usually a Saturday or Sunday (`W0100` otherwise).
        date: DateLit,
        /// The whole line.
        span: Span,
    },
}

// ------------------------------------------------------------------ parties and catalog

/// `party netco sub "网络分包方" fee 200000.00 CNY / month { covers network.* }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartyDecl {
    /// The party's id, as `assess` names it.
    pub name: Ident,
    /// client | prime | sub | third
    pub role: Ident,
    /// Display name (`"网络分包方"`).
    pub title: Option<Str>,
    /// The fee due per assessment period, if any.
    pub fee: Option<Fee>,
    /// Product patterns of every `covers` line, in order; empty without a block.
    pub covers: Vec<Path>,
    /// From `party` to the end of the declaration.
    pub span: Span,
}

/// `fee 1200000.00 CNY / month`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fee {
    /// The amount, a plain number (the checker refuses a unit).
    pub amount: Quantity,
    /// Currency code; must be the contract's `currency`.
    pub currency: Ident,
    /// month | quarter | year
    pub per: Ident,
    /// From `fee` to the period.
    pub span: Span,
}

/// `category app "应用系统运维" "Application systems" calendar office { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryDecl {
    /// The category's id, the first part of its products' ids (`app`).
    pub name: Ident,
    /// Chinese title, the first string.
    pub title_zh: Option<Str>,
    /// English title, the second string.
    pub title_en: Option<Str>,
    /// `calendar NAME`: inherited by its subcategories and products that name none.
    pub calendar: Option<Ident>,
    /// Its subcategories and products, in source order.
    pub items: Vec<CatalogItem>,
    /// From `category` to the closing brace.
    pub span: Span,
}

/// What a category holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CatalogItem {
    /// `subcategory ID ... { product ... }`: products with ids `category.subcategory.product`
    Subcategory(SubcategoryDecl),
    /// `product ID ...` directly in the category: id `category.product`
    Product(ProductDecl),
}

/// `subcategory om_mgmt "运维管理" "O&M management" calendar office { product ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubcategoryDecl {
    /// The middle part of its products' ids (`om_mgmt` in `app.om_mgmt.desk`).
    pub name: Ident,
    /// Chinese title, the first string.
    pub title_zh: Option<Str>,
    /// English title, the second string.
    pub title_en: Option<Str>,
    /// `calendar NAME`: inherited by its products that name none; `None` inherits the
    /// category's.
    pub calendar: Option<Ident>,
    /// Its products, in source order.
    pub products: Vec<ProductDecl>,
    /// From `subcategory` to the closing brace.
    pub span: Span,
}

/// `product desk "服务台与运维管理" "Service desk" calendar office`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductDecl {
    /// The last part of the product's id (`desk` in `app.om_mgmt.desk`).
    pub name: Ident,
    /// Chinese title, the first string.
    pub title_zh: Option<Str>,
    /// English title, the second string.
    pub title_en: Option<Str>,
    /// `calendar NAME`; `None` inherits the subcategory's or the category's.
    pub calendar: Option<Ident>,
    /// The whole declaration.
    pub span: Span,
}

// ------------------------------------------------------------------ events and subjects

/// `event ticket.opened { priority: P1 | P2 | P3 | P4, source?: text }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventDecl {
    /// The kind's dotted name, as events carry it in `kind`.
    pub kind: Path,
    /// The attributes events of this kind carry in `attrs`, in declaration order; empty
    /// without a block.
    pub attrs: Vec<AttrDecl>,
    /// From `event` to the end of the declaration.
    pub span: Span,
}

/// `priority: P1 | P2`, `source?: text`, `latency_ms: number ms`, `due: time`, `ok: bool`,
/// `rating: integer 1 .. 5`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrDecl {
    /// The key in an event's `attrs`.
    pub name: Ident,
    /// `?` after the name: events may leave the attribute out.
    pub optional: bool,
    /// The declared type.
    pub ty: AttrTypeLit,
    /// `1 .. 5` after the type: the inclusive range of its values (the checker allows it on
    /// `integer` and `number` only).
    pub range: Option<RangeLit>,
    /// From the name to the end of the type (and range).
    pub span: Span,
}

/// `MIN .. MAX` after an attribute type: both bounds included.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RangeLit {
    /// The lower bound, as written.
    pub min: Quantity,
    /// The upper bound, as written.
    pub max: Quantity,
    /// From the lower bound to the upper one.
    pub span: Span,
}

/// The type of an attribute, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttrTypeLit {
    /// `text`: any string
    Text(Span),
    /// `bool`: `true` or `false`
    Bool(Span),
    /// `integer`: a JSON integer literal (no fraction, no exponent)
    Integer(Span),
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
    /// The subject's name (`ticket`), as clocks and `count(...)` refer to it.
    pub name: Ident,
    /// `anchor KIND`: the first event of this kind anchors the subject.
    pub anchor: Path,
    /// `anchor plan.scheduled at due`: the subject's period is given by this time attribute
    pub anchor_at: Option<Ident>,
    /// Its `flag` lines, in source order.
    pub flags: Vec<FlagDecl>,
    /// `lasts ...` lines (the checker wants at most one).
    pub lasts: Vec<Lasts>,
    /// From `subject` to the closing brace.
    pub span: Span,
}

/// How long a subject lasts; the span is the whole line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lasts {
    /// `lasts until outage.ended`: from the anchor to the first such event after it
    Until(Vec<EventMatch>, Span),
    /// `lasts from start until end`: between two time attributes of the anchor event
    Attrs(Ident, Ident, Span),
}

/// `flag resolved set on ticket.resolved, ticket.closed clear on ticket.reopened`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlagDecl {
    /// The flag's name, used bare in conditions (`not resolved`).
    pub name: Ident,
    /// `set on ...`: the events that set the flag; empty without `set on`.
    pub set: Vec<EventMatch>,
    /// `clear on ...`: the events that clear it; empty without `clear on`.
    pub clear: Vec<EventMatch>,
    /// The whole line.
    pub span: Span,
}

/// An event kind with an optional condition: `ticket.resolved where code == fixed`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventMatch {
    /// The event kind.
    pub kind: Path,
    /// `where COND`, on the event's own attributes.
    pub cond: Option<Cond>,
    /// The kind and its condition.
    pub span: Span,
}

// ------------------------------------------------------------------ indicators

/// `indicator id "中文" "English" { ... }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndicatorDecl {
    /// The indicator's id, as overrides and scorecards name it.
    pub id: Ident,
    /// Chinese title, the first string.
    pub title_zh: Option<Str>,
    /// English title, the second string.
    pub title_en: Option<Str>,
    /// The statements of the block, in source order (the checker allows each once).
    pub stmts: Vec<IndicatorStmt>,
    /// From `indicator` to the closing brace.
    pub span: Span,
}

/// One statement of an `indicator` block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndicatorStmt {
    /// `level process` (system | process | role)
    Level(Ident),
    /// `weight 15`
    Weight(Quantity),
    /// `report only`: scored and shown, but left out of every roll-up (instead of `weight`)
    ReportOnly(Span),
    /// `clock ticket { ... }`: one clock per subject, for `value rate(met)`
    Clock(ClockDecl),
    /// `value <expr>`
    Value(ValueExpr),
    /// `target >= 95%`
    Target(Target),
    /// `score ...`: how the value becomes a score from 0 to 100
    Score(Scoring),
    /// `filter product in [network.*]`: restricts every event the indicator reads
    Filter(Cond),
    /// `deduct 1 per breached clock, cap 10`: points for a points roll-up
    Points(PointsRule),
}

/// `clock ticket { stop on ...  pause on ...  deadline ...  calendar business }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClockDecl {
    /// The subject that gets a clock.
    pub subject: Ident,
    /// The statements of the block, in source order.
    pub stmts: Vec<ClockStmt>,
    /// From `clock` to the closing brace.
    pub span: Span,
}

/// One statement of a `clock` block; the span is the whole line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClockStmt {
    /// `start on k1, k2` (default: the subject's anchor)
    Start(Vec<EventMatch>, Span),
    /// `stop on k1, k2`: the first matching event stops the clock (required)
    Stop(Vec<EventMatch>, Span),
    /// `pause on k`: a running clock stops counting until resumed
    Pause(Vec<EventMatch>, Span),
    /// `resume on k`: a paused clock counts again
    Resume(Vec<EventMatch>, Span),
    /// `restart on k`: a stopped clock runs again, keeping the time already counted
    Restart(Vec<EventMatch>, Span),
    /// `reset on k`: the clock starts over from zero
    Reset(Vec<EventMatch>, Span),
    /// `deadline ...` (required)
    Deadline(Deadline),
    /// `calendar business` (the product's calendar) or `calendar NAME`
    Calendar(Ident),
}

/// How long a clock may count, or until when it must stop; the span is the whole `deadline`
/// line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// `deadline 15m`
    Fixed(Quantity, Span),
    /// `deadline by priority { P1 => 15m, ... }`
    ByAttr {
        /// The enum or text attribute of the anchor event that picks the deadline.
        attr: Ident,
        /// `(value, duration)` entries, in source order.
        table: Vec<(Ident, Quantity)>,
        /// `follow KIND [restart]`: the value from later events of that kind.
        follow: Option<Follow>,
        /// The whole line.
        span: Span,
    },
    /// `deadline at due`: an absolute instant from an anchor attribute, compared in wall time
    At(Ident, Span),
}

/// `follow ticket.reprioritized [restart]` in `deadline by ATTR`: the attribute of the same
/// name on the last such event, at or before the clock's stop (or `as_of`), picks the deadline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Follow {
    /// The event kind that changes the value.
    pub kind: Path,
    /// `restart`: each change of the value while the clock runs or is paused starts the clock
    /// over from that instant.
    pub restart: bool,
    /// From `follow` to the end.
    pub span: Span,
}

/// Value expressions: `rate(met)`, `ratio(count(ticket where resolved), count(ticket))`,
/// `mean(net.probe.latency_ms)`, `coverage(scan.completed, inventory asset.registered)`,
/// `percentile(95, net.probe.latency_ms)`, `count(security.incident)`, `distinct(scan.completed)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValueExpr {
    /// The function's name; the checker knows `rate`, `ratio`, `count`, `distinct`,
    /// `coverage`, `mean`, `sum` and `percentile`.
    pub func: Ident,
    /// The arguments, in order.
    pub args: Vec<Arg>,
    /// From the name to the closing parenthesis.
    pub span: Span,
}

/// One argument of a value function.
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
    /// `excluding maintenance_window where notice >= 24h`
    Excluding(Selection),
}

/// `PATH [where COND]`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    /// A subject, an event kind or `KIND.ATTR` (the checker decides which).
    pub path: Path,
    /// `where COND`.
    pub filter: Option<Cond>,
    /// The path and its condition.
    pub span: Span,
}

/// Conditions on an event's (or a subject's anchor event's) attributes and flags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cond {
    /// `latency_ms <= 2000ms`, `ok == true`, `priority != P4`
    Cmp {
        /// The attribute compared.
        attr: Ident,
        /// The comparison.
        op: CmpOp,
        /// What the attribute is compared with.
        value: Literal,
        /// The whole comparison.
        span: Span,
    },
    /// `source in [monitoring, inspection]`, `product in [network.*]`
    In {
        /// The attribute tested, or `product` for the event's product.
        attr: Ident,
        /// The values (for `product`, product patterns) it may equal; may be empty.
        values: Vec<Literal>,
        /// From the attribute to the closing bracket.
        span: Span,
    },
    /// a subject flag or a boolean attribute used bare: `resolved`
    Flag(Ident),
    /// `not COND`; the span starts at `not`
    Not(Box<Cond>, Span),
    /// `a and b ...`: two or more conditions that must all hold
    And(Vec<Cond>, Span),
    /// `a or b ...`: two or more conditions, at least one of which must hold
    Or(Vec<Cond>, Span),
}

/// A comparison operator, in conditions, targets, score bands and payment bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
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

/// The right-hand side of a condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    /// a string: `"office hours"`
    Str(Str),
    /// `true` or `false`
    Bool(bool, Span),
    /// a number with an optional unit: `2000ms`, `95%`, `3`
    Number(Quantity),
    /// a bare word or dotted path: `P1`, `monitoring`, `network.*`
    Path(Path),
    /// a date: parsed only so that the checker can refuse it with a clear message
    Date(DateLit),
}

/// `target >= 95%`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The comparison the value must pass.
    pub op: CmpOp,
    /// The bound, in the indicator's unit (`95%`, `50ms`, `0`).
    pub value: Quantity,
    /// The whole `target` line.
    pub span: Span,
}

/// `score ...`: how a value becomes a score from 0 to 100; the span is the whole line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scoring {
    /// `score linear 80% -> 0, 95% -> 100`
    Linear {
        /// `(value, score)` points as written; the checker wants exactly two, with
        /// different values.
        points: Vec<(Quantity, Quantity)>,
        /// The whole line.
        span: Span,
    },
    /// `score bands { >= 100% => 100, >= 90% => 60, else => 0 }`
    Bands {
        /// `(op, threshold, score)` per band, in order: the first band whose
        /// `value op threshold` holds gives its score.
        bands: Vec<(CmpOp, Quantity, Quantity)>,
        /// `else => score`, the last entry; `None` scores 0.
        otherwise: Option<Quantity>,
        /// The whole line.
        span: Span,
    },
    /// `score deduct 25 per 1 cap 100`
    Deduct {
        /// Points taken off per `per` of the value.
        points: Quantity,
        /// The amount of value that costs `points`, in the value's unit.
        per: Quantity,
        /// `cap N`: at most this many points are taken off.
        cap: Option<Quantity>,
        /// The whole line.
        span: Span,
    },
    /// `score zero-tolerance`: 100 when the target is met, else 0
    ZeroTolerance(Span),
}

/// `rollup points start 100, floor 0, ceiling 100`; the span is the whole line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RollupDecl {
    /// `rollup weighted`: the party score is the weighted mean of indicator scores (the
    /// default)
    Weighted(Span),
    /// `rollup points start B, floor F, ceiling C`: B plus the signed points of the
    /// indicators, kept within F ..= C
    Points {
        /// The points every assessee starts a period with.
        start: Quantity,
        /// The score never falls below it.
        floor: Option<Quantity>,
        /// The score never rises above it.
        ceiling: Option<Quantity>,
        /// The whole line.
        span: Span,
    },
}

impl RollupDecl {
    /// The whole line.
    pub fn span(&self) -> Span {
        match self {
            RollupDecl::Weighted(span) | RollupDecl::Points { span, .. } => *span,
        }
    }
}

/// Whether a points rule takes points off or adds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointsSign {
    /// `deduct`
    Deduct,
    /// `bonus`
    Bonus,
}

/// What a points rule gives points for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PointsBasis {
    /// `P per breached clock` / `P per met clock`
    Clocks {
        /// Points per clock.
        points: Quantity,
        /// `breached` (true) or `met`.
        breached: bool,
    },
    /// `P per started D late`: P for every started duration D each breached clock is late
    Late {
        /// Points per step.
        points: Quantity,
        /// The step, a duration.
        step: Quantity,
    },
    /// `P per started S below target`: P for every started step S the value is under the
    /// target
    Below {
        /// Points per step.
        points: Quantity,
        /// The step, in the value's unit.
        step: Quantity,
    },
    /// `P per started S above target`
    Above {
        /// Points per step.
        points: Quantity,
        /// The step, in the value's unit.
        step: Quantity,
    },
    /// `P each`: P times the value (a count)
    Each {
        /// Points per counted item.
        points: Quantity,
    },
    /// `by value { < 4 => 6, < 4.5 => 3, else => 0 }`: the first band that holds
    Bands {
        /// `(op, threshold, points)` per band, in order.
        bands: Vec<(CmpOp, Quantity, Quantity)>,
        /// `else => points`; `None` gives 0.
        otherwise: Option<Quantity>,
    },
}

/// `waive on waiver.granted { indicator from indicator  reason from reason  approver from
/// approved_by }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WaiveDecl {
    /// The event kind that grants a waiver.
    pub kind: Path,
    /// `indicator from ATTR`: the attribute naming the indicator waived (required).
    pub indicator: Option<Ident>,
    /// `reason from ATTR`: the attribute giving the reason (kept for explanations).
    pub reason: Option<Ident>,
    /// `approver from ATTR`: the attribute naming who approved it.
    pub approver: Option<Ident>,
    /// From `waive` to the closing brace.
    pub span: Span,
}

/// `flag NAME when score OP N [in K consecutive periods]` (or `when level L OP N ...`)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeriodFlagDecl {
    /// The flag's name, as scorecards list it.
    pub name: Ident,
    /// `level L`: a level's score instead of the party score.
    pub level: Option<Ident>,
    /// The comparison.
    pub op: CmpOp,
    /// The bound, a score.
    pub bound: Quantity,
    /// `in K consecutive periods`.
    pub run: Option<Quantity>,
    /// The whole line.
    pub span: Span,
}

/// `cap 15` or `cap 3 per ticket`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PointsCap {
    /// The most points.
    pub amount: Quantity,
    /// `per SUBJECT`: the cap applies to each subject's points.
    pub per: Option<Ident>,
    /// The cap, from `cap`.
    pub span: Span,
}

/// `deduct 1 per breached clock, cap 10`; the span is the whole line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PointsRule {
    /// `deduct` or `bonus`.
    pub sign: PointsSign,
    /// What the points are for.
    pub basis: PointsBasis,
    /// `cap N` (the rule gives at most N points) and `cap N per SUBJECT` (each subject at
    /// most N); the checker wants at most one of each.
    pub caps: Vec<PointsCap>,
    /// The whole line.
    pub span: Span,
}

// ------------------------------------------------------------------ assessments and payment

/// `assess netco, secco by prime { scope covered  override id { ... } }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssessDecl {
    /// The parties assessed, in order: one assessment each, with the same scope and
    /// overrides.
    pub assessees: Vec<Ident>,
    /// The party that assesses them.
    pub assessor: Ident,
    /// `scope ...`; `None`: `covered` for `sub` and `third` assessees, `all` otherwise.
    pub scope: Option<ScopeLit>,
    /// The `override` blocks, in source order.
    pub overrides: Vec<OverrideDecl>,
    /// From `assess` to the end of the declaration.
    pub span: Span,
}

/// `scope ...`: the events an assessment sees; the span is the whole line.
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
    /// The indicator whose terms are replaced.
    pub indicator: Ident,
    /// Replaces the indicator's `target`.
    pub target: Option<Target>,
    /// Replaces the indicator's `score`.
    pub score: Option<Scoring>,
    /// Replaces the indicator's weight (and counts a report-only indicator in the roll-ups).
    pub weight: Option<Quantity>,
    /// `report only`: the indicator leaves the roll-ups of these assessments
    pub report_only: Option<Span>,
    /// Points rules: when any is given, they replace all of the indicator's, in order.
    pub points: Vec<PointsRule>,
    /// From `override` to the closing brace.
    pub span: Span,
}

/// `payment { score >= 90 pays 100% ... cap deduction 30%  back-to-back }`
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaymentDecl {
    /// The `score ... pays ...` bands, in source order.
    pub rules: Vec<PayRule>,
    /// `cap deduction 30%`: the share paid never falls below 1 − cap
    pub cap: Option<Quantity>,
    /// `back-to-back`: the prime passes deductions on to the subcontractor responsible
    pub back_to_back: bool,
    /// From `payment` to the closing brace.
    pub span: Span,
}

/// The party scores a payment band applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScoreRange {
    /// `score >= 90`, `score < 60` (the checker accepts only `>=` and `<`)
    Cmp(CmpOp, Quantity),
    /// `score 60 .. 90`: lower bound inclusive, upper exclusive
    Between(Quantity, Quantity),
}

/// What a payment band pays, as a share of the fee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Share {
    /// `pays 100%`
    Fixed(Quantity),
    /// `pays 70% .. 100%`: linear across the score range
    Linear(Quantity, Quantity),
}

/// `score 60 .. 90 pays 70% .. 100%`: one payment band.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayRule {
    /// The party scores the band covers.
    pub range: ScoreRange,
    /// What it pays.
    pub share: Share,
    /// The whole line.
    pub span: Span,
}
