//! Formatter: canonical layout of a `.sla` file.
//!
//! [`format()`] parses the source, prints the syntax tree in canonical form (two-space
//! indentation, one statement per line, canonical spacing) and puts every `#` comment back
//! by position: a comment on a line of its own stays before the statement that follows it
//! (inside the block when it precedes a closing brace); a comment after code on the same
//! line stays at the end of that statement's line. Blank lines between statements are kept
//! (several collapse into one). A list in braces (a deadline table, score bands, an event's
//! attributes) prints on one line unless that line would be wider than [`WIDTH`] columns or a
//! comment sits inside the list; then it prints one entry a line, each comment on its entry's
//! row. [`print()`] prints a tree without a source (no comments).
//!
//! One file a little over 800 lines: the printer of every construct and the placing of
//! comments walk the same tree together.

use std::fmt::Write as _;

use crate::language::ast::{self, Cond, Item, Span};
use crate::language::diagnostic::Diagnostic;
use crate::language::syntax::{self, Piece};

/// The widest line a list in braces is kept on (in columns; a CJK character takes two).
pub const WIDTH: usize = 100;

/// Formats `.sla` source text into its canonical form.
pub fn format(src: &str) -> Result<String, Vec<Diagnostic>> {
    let file = syntax::parse(src)?;
    let mut p = Printer::new(Some(src), collect_comments(src));
    p.file(&file);
    Ok(p.finish())
}

/// Prints a syntax tree in canonical form (no comments; blank lines between groups).
pub fn print(file: &ast::File) -> String {
    let mut p = Printer::new(None, Vec::new());
    p.file(file);
    p.finish()
}

// ------------------------------------------------------------------ comments

#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    end: usize,
    text: String,
    /// code precedes the comment on its line
    trailing: bool,
}

fn collect_comments(src: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut line_has_code = false;
    for piece in crate::language::syntax::scan(src) {
        match piece {
            Piece::Byte(_, b'\n') => line_has_code = false,
            Piece::Byte(_, b' ' | b'\t' | b'\r') => {}
            Piece::Comment(start, end) => out.push(Comment {
                start,
                end,
                text: src.get(start..end).unwrap_or("#").trim_end().to_string(),
                trailing: line_has_code,
            }),
            Piece::Str | Piece::Byte(..) => line_has_code = true,
        }
    }
    out
}

// ------------------------------------------------------------------ printer

struct Printer<'s> {
    src: Option<&'s str>,
    comments: Vec<Comment>,
    next_comment: usize,
    out: String,
    indent: usize,
    /// source offset where the last emitted line ended
    last_end: Option<usize>,
    /// the last emitted line opened a block (or nothing was emitted yet)
    just_opened: bool,
    last_has_trailing: bool,
    last_was_comment: bool,
}

impl<'s> Printer<'s> {
    fn new(src: Option<&'s str>, comments: Vec<Comment>) -> Self {
        Printer {
            src,
            comments,
            next_comment: 0,
            out: String::new(),
            indent: 0,
            last_end: None,
            just_opened: true,
            last_has_trailing: false,
            last_was_comment: false,
        }
    }

    fn finish(mut self) -> String {
        self.flush(usize::MAX);
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.out
    }

    /// Emits the comments that start before `before`.
    fn flush(&mut self, before: usize) {
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.start >= before {
                break;
            }
            let c = c.clone();
            self.next_comment += 1;
            if c.trailing
                && !self.out.is_empty()
                && !self.last_has_trailing
                && !self.last_was_comment
            {
                self.out.pop();
                self.out.push_str("  ");
                self.out.push_str(&c.text);
                self.out.push('\n');
                self.last_has_trailing = true;
            } else {
                self.blank_from_source(c.start);
                self.push_indent();
                self.out.push_str(&c.text);
                self.out.push('\n');
                self.last_has_trailing = false;
                self.last_was_comment = true;
                self.just_opened = false;
            }
            self.last_end = Some(self.last_end.map_or(c.end, |e| e.max(c.end)));
        }
    }

    /// A blank line when the source has one between the last emitted line and `at`.
    fn blank_from_source(&mut self, at: usize) {
        if self.just_opened || self.out.is_empty() {
            return;
        }
        let (Some(src), Some(from)) = (self.src, self.last_end) else {
            return;
        };
        let gap = src.get(from..at).unwrap_or("");
        if gap.matches('\n').count() >= 2 {
            self.out.push('\n');
        }
    }

    /// A blank line in print mode (no source).
    fn blank_if(&mut self, want: bool) {
        if self.src.is_none() && want && !self.just_opened && !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn push_indent(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    /// One line for a node spanning `span` (None: no position known).
    fn line(&mut self, span: Option<Span>, text: &str) {
        if let Some(s) = span {
            self.flush(s.start);
            self.blank_from_source(s.start);
        }
        self.push_indent();
        self.out.push_str(text);
        self.out.push('\n');
        if let Some(s) = span {
            self.last_end = Some(s.end);
        }
        self.just_opened = false;
        self.last_has_trailing = false;
        self.last_was_comment = false;
    }

    /// The header line of a block `text {`.
    fn open(&mut self, start: usize, text: &str) {
        self.line(Some(Span::new(start, start)), &format!("{text} {{"));
        self.indent += 1;
        self.just_opened = true;
    }

    /// The closing brace of the block spanning `span`.
    fn close(&mut self, span: Span) {
        self.flush(span.end.saturating_sub(1));
        self.indent = self.indent.saturating_sub(1);
        self.push_indent();
        self.out.push_str("}\n");
        self.last_end = Some(span.end);
        self.just_opened = false;
        self.last_has_trailing = false;
        self.last_was_comment = false;
    }

    /// A statement `head { a, b, c }` spanning `span`, its entries with their spans: on one
    /// line, or one entry a line when that line is too wide or a comment sits in the list.
    fn braced(&mut self, span: Span, head: &str, entries: &[(Span, String)]) {
        let one = format!(
            "{head} {{ {} }}",
            join(entries.iter().map(|e| e.1.clone()), ", ")
        );
        let inner = self
            .comments
            .get(self.next_comment..)
            .unwrap_or(&[])
            .iter()
            .any(|c| c.start > span.start && c.start < span.end);
        if !inner && self.indent * 2 + crate::text::width(&one) <= WIDTH {
            self.line(Some(span), &one);
            return;
        }
        self.open(span.start, head);
        let last = entries.len().saturating_sub(1);
        for (i, (sp, text)) in entries.iter().enumerate() {
            let text = if i < last {
                format!("{text},")
            } else {
                text.clone()
            };
            self.line(Some(*sp), &text);
        }
        self.close(span);
    }

    /// A scoring statement (bands are a list in braces).
    fn scoring_stmt(&mut self, sc: &ast::Scoring) {
        match sc {
            ast::Scoring::Bands {
                bands,
                otherwise,
                span,
            } => {
                let mut entries: Vec<(Span, String)> = bands
                    .iter()
                    .map(|(op, a, b)| {
                        (
                            Span::new(a.span.start, b.span.end),
                            format!("{} {} => {}", op.as_str(), q(a), q(b)),
                        )
                    })
                    .collect();
                if let Some(o) = otherwise {
                    entries.push((o.span, format!("else => {}", q(o))));
                }
                self.braced(*span, "score bands", &entries);
            }
            _ => self.line(Some(scoring_span(sc)), &scoring(sc)),
        }
    }

    // -------------------------------------------------------------- file

    fn file(&mut self, f: &ast::File) {
        let c = &f.contract;
        self.open(c.span.start, &format!("contract {}", s(&c.name)));
        let mut prev: Option<std::mem::Discriminant<Item>> = None;
        for item in &c.items {
            let kind = std::mem::discriminant(item);
            self.blank_if(prev.is_some_and(|p| p != kind) || matches!(item, Item::Indicator(_)));
            prev = Some(kind);
            self.item(item);
        }
        self.close(c.span);
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Timezone(t) => self.line(Some(t.span), &format!("timezone {}", s(t))),
            Item::Currency(c) => self.line(Some(c.span), &format!("currency {}", c.name)),
            Item::Term { from, to, span } => {
                self.line(Some(*span), &format!("term {} .. {}", date(from), date(to)))
            }
            Item::Period(p) => self.line(Some(p.span), &format!("period {}", p.name)),
            Item::Round { what, places, span } => {
                self.line(Some(*span), &format!("round {} {}", what.name, q(places)))
            }
            Item::Rollup(r) => self.line(Some(rollup_span(r)), &rollup(r)),
            Item::PeriodFlag(f) => {
                let mut text = format!("flag {} when ", f.name.name);
                match &f.level {
                    Some(l) => {
                        let _ = write!(text, "level {}", l.name);
                    }
                    None => text.push_str("score"),
                }
                let _ = write!(text, " {} {}", f.op.as_str(), q(&f.bound));
                if let Some(r) = &f.run {
                    let _ = write!(text, " in {} consecutive periods", q(r));
                }
                self.line(Some(f.span), &text);
            }
            Item::Waive(w) => {
                self.open(w.span.start, &format!("waive on {}", w.kind.text()));
                for (what, a) in [
                    ("indicator", &w.indicator),
                    ("reason", &w.reason),
                    ("approver", &w.approver),
                ] {
                    if let Some(a) = a {
                        self.line(Some(a.span), &format!("{what} from {}", a.name));
                    }
                }
                self.close(w.span);
            }
            Item::Calendar(c) => self.calendar(c),
            Item::Party(p) => self.party(p),
            Item::Category(c) => self.category(c),
            Item::Event(e) if !e.attrs.is_empty() => {
                let entries: Vec<(Span, String)> =
                    e.attrs.iter().map(|a| (a.span, attr(a))).collect();
                self.braced(e.span, &format!("event {}", e.kind.text()), &entries);
            }
            Item::Event(e) => self.line(Some(e.span), &event(e)),
            Item::Subject(sd) => self.subject(sd),
            Item::Indicator(i) => self.indicator(i),
            Item::Assess(a) => self.assess(a),
            Item::Payment(p) => self.payment(p),
        }
    }

    fn calendar(&mut self, c: &ast::CalendarDecl) {
        let mut head = format!("calendar {}", c.name.name);
        if let Some(t) = &c.title {
            head.push(' ');
            head.push_str(&s(t));
        }
        self.open(c.span.start, &head);
        for st in &c.stmts {
            let (span, text) = match st {
                ast::CalendarStmt::Hours {
                    days,
                    intervals,
                    span,
                } => {
                    let days = match days {
                        ast::DaySel::Range(a, b) => format!("{}..{}", a.name, b.name),
                        ast::DaySel::List(l) => join(l.iter().map(|d| d.name.clone()), ", "),
                        ast::DaySel::Makeup(_) => "makeup".to_string(),
                    };
                    let iv = join(
                        intervals
                            .iter()
                            .map(|(a, b)| format!("{}-{}", time(a), time(b))),
                        ", ",
                    );
                    (*span, format!("hours {days} {iv}"))
                }
                ast::CalendarStmt::Always { span } => (*span, "hours 24x7".to_string()),
                ast::CalendarStmt::Holidays { table, span } => {
                    (*span, format!("holidays {}", table.name))
                }
                ast::CalendarStmt::Holiday { from, to, span } => match to {
                    Some(to) => (*span, format!("holiday {} .. {}", date(from), date(to))),
                    None => (*span, format!("holiday {}", date(from))),
                },
                ast::CalendarStmt::Workday { date: d, span } => {
                    (*span, format!("workday {}", date(d)))
                }
            };
            self.line(Some(span), &text);
        }
        self.close(c.span);
    }

    fn party(&mut self, p: &ast::PartyDecl) {
        let mut head = format!("party {} {}", p.name.name, p.role.name);
        if let Some(t) = &p.title {
            head.push(' ');
            head.push_str(&s(t));
        }
        if let Some(f) = &p.fee {
            let _ = write!(
                head,
                " fee {} {} / {}",
                q(&f.amount),
                f.currency.name,
                f.per.name
            );
        }
        if p.covers.is_empty() {
            self.line(Some(p.span), &head);
            return;
        }
        self.open(p.span.start, &head);
        let first = p.covers.first().map_or(p.span, |c| c.span);
        let last = p.covers.last().map_or(p.span, |c| c.span);
        self.line(
            Some(Span::new(first.start, last.end)),
            &format!(
                "covers {}",
                join(p.covers.iter().map(ast::Path::text), ", ")
            ),
        );
        self.close(p.span);
    }

    fn category(&mut self, c: &ast::CategoryDecl) {
        let head = titled(
            &format!("category {}", c.name.name),
            &c.title_zh,
            &c.title_en,
            &c.calendar,
        );
        self.open(c.span.start, &head);
        for it in &c.items {
            match it {
                ast::CatalogItem::Product(p) => self.product(p),
                ast::CatalogItem::Subcategory(sc) => {
                    let head = titled(
                        &format!("subcategory {}", sc.name.name),
                        &sc.title_zh,
                        &sc.title_en,
                        &sc.calendar,
                    );
                    self.open(sc.span.start, &head);
                    for p in &sc.products {
                        self.product(p);
                    }
                    self.close(sc.span);
                }
            }
        }
        self.close(c.span);
    }

    fn product(&mut self, p: &ast::ProductDecl) {
        let text = titled(
            &format!("product {}", p.name.name),
            &p.title_zh,
            &p.title_en,
            &p.calendar,
        );
        self.line(Some(p.span), &text);
    }

    fn subject(&mut self, sd: &ast::SubjectDecl) {
        self.open(sd.span.start, &format!("subject {}", sd.name.name));
        let mut text = format!("anchor {}", sd.anchor.text());
        let mut end = sd.anchor.span.end;
        if let Some(at) = &sd.anchor_at {
            let _ = write!(text, " at {}", at.name);
            end = at.span.end;
        }
        self.line(Some(Span::new(sd.anchor.span.start, end)), &text);
        for f in &sd.flags {
            let mut text = format!("flag {}", f.name.name);
            if !f.set.is_empty() {
                let _ = write!(text, " set on {}", matches(&f.set));
            }
            if !f.clear.is_empty() {
                let _ = write!(text, " clear on {}", matches(&f.clear));
            }
            self.line(Some(f.span), &text);
        }
        for l in &sd.lasts {
            match l {
                ast::Lasts::Until(m, sp) => {
                    self.line(Some(*sp), &format!("lasts until {}", matches(m)))
                }
                ast::Lasts::Attrs(a, b, sp) => self.line(
                    Some(*sp),
                    &format!("lasts from {} until {}", a.name, b.name),
                ),
            }
        }
        self.close(sd.span);
    }

    fn indicator(&mut self, i: &ast::IndicatorDecl) {
        let head = titled(
            &format!("indicator {}", i.id.name),
            &i.title_zh,
            &i.title_en,
            &None,
        );
        self.open(i.span.start, &head);
        for st in &i.stmts {
            match st {
                ast::IndicatorStmt::Level(l) => {
                    self.line(Some(l.span), &format!("level {}", l.name))
                }
                ast::IndicatorStmt::Weight(w) => {
                    self.line(Some(w.span), &format!("weight {}", q(w)))
                }
                ast::IndicatorStmt::ReportOnly(sp) => self.line(Some(*sp), "report only"),
                ast::IndicatorStmt::Clock(c) => self.clock(c),
                ast::IndicatorStmt::Value(v) => {
                    self.line(Some(v.span), &format!("value {}", value(v)))
                }
                ast::IndicatorStmt::Target(t) => self.line(Some(t.span), &target(t)),
                ast::IndicatorStmt::Score(sc) => self.scoring_stmt(sc),
                ast::IndicatorStmt::Filter(c) => {
                    self.line(Some(cond_span(c)), &format!("filter {}", cond(c)))
                }
                ast::IndicatorStmt::Points(r) => self.line(Some(r.span), &points_rule(r)),
            }
        }
        self.close(i.span);
    }

    fn clock(&mut self, c: &ast::ClockDecl) {
        self.open(c.span.start, &format!("clock {}", c.subject.name));
        for st in &c.stmts {
            if let ast::ClockStmt::Deadline(ast::Deadline::ByAttr {
                attr,
                table,
                follow,
                span,
            }) = st
            {
                let entries: Vec<(Span, String)> = table
                    .iter()
                    .map(|(k, v)| {
                        (
                            Span::new(k.span.start, v.span.end),
                            format!("{} => {}", k.name, q(v)),
                        )
                    })
                    .collect();
                self.braced(
                    *span,
                    &format!("deadline by {}{}", attr.name, follow_text(follow)),
                    &entries,
                );
                continue;
            }
            let (span, text) = match st {
                ast::ClockStmt::Start(m, sp) => (*sp, format!("start on {}", matches(m))),
                ast::ClockStmt::Stop(m, sp) => (*sp, format!("stop on {}", matches(m))),
                ast::ClockStmt::Pause(m, sp) => (*sp, format!("pause on {}", matches(m))),
                ast::ClockStmt::Resume(m, sp) => (*sp, format!("resume on {}", matches(m))),
                ast::ClockStmt::Restart(m, sp) => (*sp, format!("restart on {}", matches(m))),
                ast::ClockStmt::Reset(m, sp) => (*sp, format!("reset on {}", matches(m))),
                ast::ClockStmt::Calendar(id) => (id.span, format!("calendar {}", id.name)),
                ast::ClockStmt::Deadline(d) => match d {
                    ast::Deadline::Fixed(qty, sp) => (*sp, format!("deadline {}", q(qty))),
                    ast::Deadline::At(id, sp) => (*sp, format!("deadline at {}", id.name)),
                    ast::Deadline::ByAttr {
                        attr,
                        table,
                        follow,
                        span,
                    } => (
                        *span,
                        format!(
                            "deadline by {}{} {{ {} }}",
                            attr.name,
                            follow_text(follow),
                            join(
                                table.iter().map(|(k, v)| format!("{} => {}", k.name, q(v))),
                                ", "
                            )
                        ),
                    ),
                },
            };
            self.line(Some(span), &text);
        }
        self.close(c.span);
    }

    fn assess(&mut self, a: &ast::AssessDecl) {
        let head = format!(
            "assess {} by {}",
            join(a.assessees.iter().map(|x| x.name.clone()), ", "),
            a.assessor.name
        );
        if a.scope.is_none() && a.overrides.is_empty() {
            self.line(Some(a.span), &head);
            return;
        }
        self.open(a.span.start, &head);
        if let Some(sc) = &a.scope {
            let (span, text) = match sc {
                ast::ScopeLit::All(sp) => (*sp, "scope all".to_string()),
                ast::ScopeLit::Covered(sp) => (*sp, "scope covered".to_string()),
                ast::ScopeLit::Products(ps, sp) => (
                    *sp,
                    format!("scope {}", join(ps.iter().map(ast::Path::text), ", ")),
                ),
            };
            self.line(Some(span), &text);
        }
        for o in &a.overrides {
            self.open(o.span.start, &format!("override {}", o.indicator.name));
            if let Some(t) = &o.target {
                self.line(Some(t.span), &target(t));
            }
            if let Some(sc) = &o.score {
                self.scoring_stmt(sc);
            }
            if let Some(w) = &o.weight {
                self.line(Some(w.span), &format!("weight {}", q(w)));
            }
            if let Some(sp) = o.report_only {
                self.line(Some(sp), "report only");
            }
            for r in &o.points {
                self.line(Some(r.span), &points_rule(r));
            }
            self.close(o.span);
        }
        self.close(a.span);
    }

    fn payment(&mut self, p: &ast::PaymentDecl) {
        self.open(p.span.start, "payment");
        for r in &p.rules {
            let range = match &r.range {
                ast::ScoreRange::Cmp(op, v) => format!("{} {}", op.as_str(), q(v)),
                ast::ScoreRange::Between(a, b) => format!("{} .. {}", q(a), q(b)),
            };
            let share = match &r.share {
                ast::Share::Fixed(v) => q(v),
                ast::Share::Linear(a, b) => format!("{} .. {}", q(a), q(b)),
            };
            self.line(Some(r.span), &format!("score {range} pays {share}"));
        }
        if let Some(c) = &p.cap {
            self.line(Some(c.span), &format!("cap deduction {}", q(c)));
        }
        if p.back_to_back {
            self.line(None, "back-to-back");
        }
        self.close(p.span);
    }
}

// ------------------------------------------------------------------ text of nodes

fn join(parts: impl Iterator<Item = String>, sep: &str) -> String {
    parts.collect::<Vec<_>>().join(sep)
}

fn titled(
    head: &str,
    zh: &Option<ast::Str>,
    en: &Option<ast::Str>,
    cal: &Option<ast::Ident>,
) -> String {
    let mut out = head.to_string();
    for t in [zh, en].into_iter().flatten() {
        out.push(' ');
        out.push_str(&s(t));
    }
    if let Some(c) = cal {
        let _ = write!(out, " calendar {}", c.name);
    }
    out
}

/// A string literal with escapes.
fn s(v: &ast::Str) -> String {
    let mut out = String::with_capacity(v.value.len() + 2);
    out.push('"');
    for c in v.value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn unit(u: ast::UnitLit) -> &'static str {
    match u {
        ast::UnitLit::Percent => "%",
        ast::UnitLit::Millis => "ms",
        ast::UnitLit::Seconds => "s",
        ast::UnitLit::Minutes => "m",
        ast::UnitLit::Hours => "h",
        ast::UnitLit::Days => "d",
    }
}

fn q(v: &ast::Quantity) -> String {
    format!("{}{}", v.number, v.unit.map_or("", unit))
}

fn date(d: &ast::DateLit) -> String {
    d.date.format("%Y-%m-%d").to_string()
}

fn time(t: &ast::TimeLit) -> String {
    format!("{:02}:{:02}", t.seconds / 3600, (t.seconds % 3600) / 60)
}

fn event(e: &ast::EventDecl) -> String {
    let mut out = format!("event {}", e.kind.text());
    if !e.attrs.is_empty() {
        let attrs = join(e.attrs.iter().map(attr), ", ");
        let _ = write!(out, " {{ {attrs} }}");
    }
    out
}

/// One attribute of an event declaration: `source?: text`.
fn attr(a: &ast::AttrDecl) -> String {
    let ty = match &a.ty {
        ast::AttrTypeLit::Text(_) => "text".to_string(),
        ast::AttrTypeLit::Bool(_) => "bool".to_string(),
        ast::AttrTypeLit::Integer(_) => "integer".to_string(),
        ast::AttrTypeLit::Time(_) => "time".to_string(),
        ast::AttrTypeLit::Number(None, _) => "number".to_string(),
        ast::AttrTypeLit::Number(Some(u), _) => format!("number {}", unit(*u)),
        ast::AttrTypeLit::Enum(vs) => join(vs.iter().map(|v| v.name.clone()), " | "),
    };
    let range = match &a.range {
        Some(r) => format!(" {} .. {}", q(&r.min), q(&r.max)),
        None => String::new(),
    };
    format!(
        "{}{}: {}{range}",
        a.name.name,
        if a.optional { "?" } else { "" },
        ty
    )
}

fn matches(ms: &[ast::EventMatch]) -> String {
    join(
        ms.iter().map(|m| match &m.cond {
            Some(c) => format!("{} where {}", m.kind.text(), cond(c)),
            None => m.kind.text(),
        }),
        ", ",
    )
}

fn value(v: &ast::ValueExpr) -> String {
    let args = join(
        v.args.iter().map(|a| match a {
            ast::Arg::Call(c) => value(c),
            ast::Arg::Number(n) => q(n),
            ast::Arg::Select(sel) => selection(sel),
            ast::Arg::Inventory(sel) => format!("inventory {}", selection(sel)),
            ast::Arg::Excluding(sel) => format!("excluding {}", selection(sel)),
        }),
        ", ",
    );
    format!("{}({args})", v.func.name)
}

fn selection(sel: &ast::Selection) -> String {
    match &sel.filter {
        Some(c) => format!("{} where {}", sel.path.text(), cond(c)),
        None => sel.path.text(),
    }
}

fn target(t: &ast::Target) -> String {
    format!("target {} {}", t.op.as_str(), q(&t.value))
}

fn scoring(sc: &ast::Scoring) -> String {
    match sc {
        ast::Scoring::Linear { points, .. } => format!(
            "score linear {}",
            join(
                points.iter().map(|(a, b)| format!("{} -> {}", q(a), q(b))),
                ", "
            )
        ),
        ast::Scoring::Bands {
            bands, otherwise, ..
        } => {
            let mut parts: Vec<String> = bands
                .iter()
                .map(|(op, a, b)| format!("{} {} => {}", op.as_str(), q(a), q(b)))
                .collect();
            if let Some(o) = otherwise {
                parts.push(format!("else => {}", q(o)));
            }
            format!("score bands {{ {} }}", parts.join(", "))
        }
        ast::Scoring::Deduct {
            points, per, cap, ..
        } => {
            let mut out = format!("score deduct {} per {}", q(points), q(per));
            if let Some(c) = cap {
                let _ = write!(out, " cap {}", q(c));
            }
            out
        }
        ast::Scoring::ZeroTolerance(_) => "score zero-tolerance".to_string(),
    }
}

fn follow_text(f: &Option<ast::Follow>) -> String {
    match f {
        Some(f) if f.restart => format!(" follow {} restart", f.kind.text()),
        Some(f) => format!(" follow {}", f.kind.text()),
        None => String::new(),
    }
}

fn rollup(r: &ast::RollupDecl) -> String {
    match r {
        ast::RollupDecl::Weighted(_) => "rollup weighted".to_string(),
        ast::RollupDecl::Points {
            start,
            floor,
            ceiling,
            ..
        } => {
            let mut out = format!("rollup points start {}", q(start));
            if let Some(f) = floor {
                let _ = write!(out, ", floor {}", q(f));
            }
            if let Some(c) = ceiling {
                let _ = write!(out, ", ceiling {}", q(c));
            }
            out
        }
    }
}

fn rollup_span(r: &ast::RollupDecl) -> Span {
    match r {
        ast::RollupDecl::Weighted(span) | ast::RollupDecl::Points { span, .. } => *span,
    }
}

fn points_rule(r: &ast::PointsRule) -> String {
    let sign = match r.sign {
        ast::PointsSign::Deduct => "deduct",
        ast::PointsSign::Bonus => "bonus",
    };
    let mut out = match &r.basis {
        ast::PointsBasis::Clocks { points, breached } => format!(
            "{sign} {} per {} clock",
            q(points),
            if *breached { "breached" } else { "met" }
        ),
        ast::PointsBasis::Late { points, step } => {
            format!("{sign} {} per started {} late", q(points), q(step))
        }
        ast::PointsBasis::Below { points, step } => {
            format!("{sign} {} per started {} below target", q(points), q(step))
        }
        ast::PointsBasis::Above { points, step } => {
            format!("{sign} {} per started {} above target", q(points), q(step))
        }
        ast::PointsBasis::Each { points } => format!("{sign} {} each", q(points)),
        ast::PointsBasis::Bands { bands, otherwise } => {
            let mut parts: Vec<String> = bands
                .iter()
                .map(|(op, a, b)| format!("{} {} => {}", op.as_str(), q(a), q(b)))
                .collect();
            if let Some(o) = otherwise {
                parts.push(format!("else => {}", q(o)));
            }
            format!("{sign} by value {{ {} }}", parts.join(", "))
        }
    };
    for c in &r.caps {
        let _ = write!(out, ", cap {}", q(&c.amount));
        if let Some(per) = &c.per {
            let _ = write!(out, " per {}", per.name);
        }
    }
    out
}

fn scoring_span(sc: &ast::Scoring) -> Span {
    match sc {
        ast::Scoring::Linear { span, .. }
        | ast::Scoring::Bands { span, .. }
        | ast::Scoring::Deduct { span, .. }
        | ast::Scoring::ZeroTolerance(span) => *span,
    }
}

fn cond_span(c: &Cond) -> Span {
    match c {
        Cond::Cmp { span, .. }
        | Cond::In { span, .. }
        | Cond::Not(_, span)
        | Cond::And(_, span)
        | Cond::Or(_, span) => *span,
        Cond::Flag(id) => id.span,
    }
}

fn literal(l: &ast::Literal) -> String {
    match l {
        ast::Literal::Str(v) => s(v),
        ast::Literal::Bool(b, _) => b.to_string(),
        ast::Literal::Number(n) => q(n),
        ast::Literal::Path(p) => p.text(),
        ast::Literal::Date(d) => d.date.to_string(),
    }
}

/// A condition; `and` binds tighter than `or`, nested groups of the same kind keep their
/// parentheses so that the tree reads back unchanged.
fn cond(c: &Cond) -> String {
    let mut out = String::new();
    write_cond(c, &mut out);
    out
}

fn write_cond(c: &Cond, out: &mut String) {
    match c {
        Cond::Cmp {
            attr, op, value, ..
        } => {
            let _ = write!(out, "{} {} {}", attr.name, op.as_str(), literal(value));
        }
        Cond::In { attr, values, .. } => {
            let _ = write!(
                out,
                "{} in [{}]",
                attr.name,
                join(values.iter().map(literal), ", ")
            );
        }
        Cond::Flag(id) => out.push_str(&id.name),
        Cond::Not(inner, _) => {
            out.push_str("not ");
            write_grouped(inner, matches!(**inner, Cond::And(..) | Cond::Or(..)), out);
        }
        Cond::And(parts, _) => {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" and ");
                }
                write_grouped(p, matches!(p, Cond::And(..) | Cond::Or(..)), out);
            }
        }
        Cond::Or(parts, _) => {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(" or ");
                }
                write_grouped(p, matches!(p, Cond::Or(..)), out);
            }
        }
    }
}

fn write_grouped(c: &Cond, paren: bool, out: &mut String) {
    if paren {
        out.push('(');
        write_cond(c, out);
        out.push(')');
    } else {
        write_cond(c, out);
    }
}
