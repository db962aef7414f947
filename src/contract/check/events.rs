//! Event kinds, subjects and conditions.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{util, Ctx, Res};
use crate::contract::{
    AttrDef, AttrId, AttrType, Cond, EventKind, EventMatch, FlagDef, FlagId, KindId, Literal,
    Subject, SubjectId, Table, Unit,
};
use crate::language::ast::{self, AttrTypeLit, CmpOp, UnitLit};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

impl Ctx {
    pub(crate) fn events_pass(&mut self, events: &[&ast::EventDecl]) {
        for e in events {
            let name = e.kind.text();
            if self.kind_names.contains_key(&name) {
                self.push(
                    Diagnostic::error(
                        Code::E0150,
                        format!("event kind `{name}` is declared twice"),
                        e.kind.span,
                    )
                    .with_label("second declaration")
                    .with_help("list all attributes of a kind in one `event` line"),
                );
                continue;
            }
            let mut attrs: Vec<AttrDef> = Vec::new();
            for a in &e.attrs {
                if attrs.iter().any(|x| x.name == a.name.name) {
                    self.push(
                        Diagnostic::error(
                            Code::E0151,
                            format!("attribute `{}` of `{name}` is declared twice", a.name.name),
                            a.name.span,
                        )
                        .with_label("second declaration")
                        .with_help("remove one of the two"),
                    );
                    continue;
                }
                let errors = self.error_count();
                let ty = self.attr_type(&a.ty);
                // a range is judged only on a type without an error of its own
                let range = match &a.range {
                    Some(r) if self.error_count() == errors => self.attr_range(&a.name, &ty, r),
                    _ => None,
                };
                attrs.push(AttrDef {
                    name: a.name.name.clone(),
                    ty,
                    required: !a.optional,
                    range,
                });
            }
            let Some(id) = self.kinds.push(EventKind {
                name: name.clone(),
                attrs: Table::from_vec(attrs),
            }) else {
                self.push(super::too_many(e.kind.span));
                continue;
            };
            self.kind_names.insert(name, id);
        }
    }

    fn attr_type(&mut self, ty: &AttrTypeLit) -> AttrType {
        match ty {
            AttrTypeLit::Text(_) => AttrType::Text,
            AttrTypeLit::Bool(_) => AttrType::Bool,
            AttrTypeLit::Integer(_) => AttrType::Integer,
            AttrTypeLit::Time(_) => AttrType::Time,
            AttrTypeLit::Number(u, span) => {
                AttrType::Number(match u {
                    None => Unit::Number,
                    Some(UnitLit::Millis) => Unit::Millis,
                    Some(UnitLit::Seconds) => Unit::Seconds,
                    Some(UnitLit::Percent) => Unit::Fraction,
                    Some(other) => {
                        self.push(
                        Diagnostic::error(
                            Code::E0154,
                            format!(
                                "`number {}` is not a supported attribute unit",
                                util::unit_symbol(*other)
                            ),
                            *span,
                        )
                        .with_label("unsupported unit")
                        .with_help("attribute numbers are `number`, `number ms`, `number s` or `number %`"),
                    );
                        Unit::Number
                    }
                })
            }
            AttrTypeLit::Enum(values) => {
                let mut out: Vec<String> = Vec::new();
                for v in values {
                    if out.contains(&v.name) {
                        self.push(
                            Diagnostic::error(
                                Code::E0155,
                                format!("enum value `{}` is listed twice", v.name),
                                v.span,
                            )
                            .with_label("duplicate value")
                            .with_help("remove one of the two"),
                        );
                    } else {
                        out.push(v.name.clone());
                    }
                }
                AttrType::Enum(out)
            }
        }
    }

    /// The range of attribute `name` of type `ty` in the attribute's unit: E0157 on a type
    /// that takes none, E0156 for bounds not in the unit, not whole for `integer`, beyond
    /// 10^18 (the bound of every number an event carries) or in the wrong order.
    fn attr_range(
        &mut self,
        name: &ast::Ident,
        ty: &AttrType,
        r: &ast::RangeLit,
    ) -> Option<(Decimal, Decimal)> {
        let Some(unit) = ty.number_unit() else {
            let words = match ty {
                AttrType::Text => "a `text`",
                AttrType::Bool => "a `bool`",
                AttrType::Time => "a `time`",
                _ => "an enum",
            };
            self.push(
                Diagnostic::error(
                    Code::E0157,
                    format!("`{}` is {words} attribute, which takes no range", name.name),
                    r.span,
                )
                .with_label("a range on a type that takes none")
                .with_help(
                    "ranges apply to `integer` and `number` attributes: `rating: integer 1 .. 5`",
                ),
            );
            return None;
        };
        let integer = *ty == AttrType::Integer;
        // numbers in events are at most 10^18 in magnitude (`event::MAX_NUMBER`)
        let bound = Decimal::from(1_000_000_000_000_000_000u64);
        let mut out = Vec::new();
        for q in [&r.min, &r.max] {
            let text = util::quantity_text(q);
            let problem = match util::convert(q, unit) {
                None => Some((
                    format!(
                        "the range of `{}` is in {}, found `{text}`",
                        name.name,
                        util::unit_words(unit)
                    ),
                    format!("write its bounds as {}", util::unit_example(unit)),
                )),
                Some(v) if integer && !v.fract().is_zero() => Some((
                    format!(
                        "the range of integer `{}` needs whole bounds, found `{text}`",
                        name.name
                    ),
                    "write whole numbers, e.g. `integer 1 .. 5`".to_string(),
                )),
                Some(v) if v.abs() > bound => Some((
                    format!("the bound `{text}` of `{}` is beyond 10^18", name.name),
                    "event numbers are at most 10^18 in magnitude".to_string(),
                )),
                Some(v) => {
                    out.push(v);
                    None
                }
            };
            if let Some((message, help)) = problem {
                self.push(
                    Diagnostic::error(Code::E0156, message, q.span)
                        .with_label("invalid bound")
                        .with_help(help),
                );
            }
        }
        let [min, max] = out[..] else {
            return None;
        };
        if min > max {
            self.push(
                Diagnostic::error(
                    Code::E0156,
                    format!(
                        "the range of `{}` starts above its end (`{}` > `{}`)",
                        name.name,
                        util::quantity_text(&r.min),
                        util::quantity_text(&r.max)
                    ),
                    r.span,
                )
                .with_label("empty range")
                .with_help("write the lower bound first: `MIN .. MAX`, both included"),
            );
            return None;
        }
        Some((min, max))
    }

    pub(crate) fn subjects_pass(&mut self, subjects: &[&ast::SubjectDecl]) {
        for s in subjects {
            if self.subject_names.contains_key(&s.name.name) {
                self.push(
                    Diagnostic::error(
                        Code::E0160,
                        format!("subject `{}` is declared twice", s.name.name),
                        s.name.span,
                    )
                    .with_label("second declaration")
                    .with_help("rename or remove one of the two"),
                );
                continue;
            }
            let Some(id) = self.subjects.next_id() else {
                self.push(super::too_many(s.name.span));
                continue;
            };
            self.subject_names.insert(s.name.name.clone(), id);
            self.subject_order.push(s.name.name.clone());
            let subj = self.subject(s);
            self.subjects.push(subj);
        }
    }

    fn subject(&mut self, s: &ast::SubjectDecl) -> Option<Subject> {
        let errors = self.error_count();
        let anchor = self.kind_ref(&s.anchor);
        let mut anchor_at = None;
        if let (Some(k), Some(at)) = (anchor, &s.anchor_at) {
            if let Some(a) = self.attr_ref(k, at) {
                if self.attr_def(k, a).map(|d| &d.ty) != Some(&AttrType::Time) {
                    self.push(
                        Diagnostic::error(
                            Code::E0161,
                            format!(
                                "`anchor ... at {}` needs a `time` attribute, but `{}` is {}",
                                at.name,
                                at.name,
                                self.type_words(k, a)
                            ),
                            at.span,
                        )
                        .with_label("not a time attribute")
                        .with_help(format!(
                            "declare it as `{}: time` on the anchor event",
                            at.name
                        )),
                    );
                } else {
                    anchor_at = Some(a);
                }
            }
        }
        let mut flags: Vec<FlagDef> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for f in &s.flags {
            if !seen.insert(f.name.name.clone()) {
                self.push(
                    Diagnostic::error(
                        Code::E0163,
                        format!("flag `{}` is declared twice", f.name.name),
                        f.name.span,
                    )
                    .with_label("second declaration")
                    .with_help("put all its events in one `flag` line"),
                );
                continue;
            }
            let set = self.event_matches(&f.set, None);
            let clear = self.event_matches(&f.clear, None);
            flags.push(FlagDef {
                name: f.name.name.clone(),
                set,
                clear,
            });
        }
        let lasts = match (s.lasts.as_slice(), anchor) {
            ([], _) | (_, None) => None,
            ([l, rest @ ..], Some(k)) => {
                if let Some(second) = rest.first() {
                    let span = match second {
                        ast::Lasts::Until(_, sp) | ast::Lasts::Attrs(_, _, sp) => *sp,
                    };
                    self.push(
                        Diagnostic::error(Code::E0165, "a subject has two `lasts`", span)
                            .with_label("second `lasts`")
                            .with_help("keep one"),
                    );
                }
                match l {
                    ast::Lasts::Until(ms, _) => {
                        Some(crate::contract::Lasts::Until(self.event_matches(ms, None)))
                    }
                    ast::Lasts::Attrs(a, b, _) => {
                        let time = |cx: &mut Ctx, x: &ast::Ident| {
                            let id = cx.attr_ref(k, x)?;
                            if cx.attr_def(k, id).map(|d| &d.ty) == Some(&AttrType::Time) {
                                return Some(id);
                            }
                            let words = cx.type_words(k, id);
                            cx.push(
                                Diagnostic::error(
                                    Code::E0164,
                                    format!("`lasts from ... until ...` needs `time` attributes, but `{}` is {words}", x.name),
                                    x.span,
                                )
                                .with_label("not a time attribute")
                                .with_help(format!("declare it as `{}: time` on the anchor event", x.name)),
                            );
                            None
                        };
                        let from = time(self, a);
                        let until = time(self, b);
                        Some(crate::contract::Lasts::Attrs {
                            from: from?,
                            until: until?,
                        })
                    }
                }
            }
        };
        if self.error_count() > errors {
            return None;
        }
        Some(Subject {
            name: s.name.name.clone(),
            anchor: anchor?,
            anchor_at,
            flags: Table::from_vec(flags),
            lasts,
        })
    }

    pub(crate) fn attr_def(&self, kind: KindId, attr: AttrId) -> Option<&AttrDef> {
        self.kinds.get(kind).and_then(|k| k.attrs.get(attr))
    }

    pub(crate) fn kind_name(&self, kind: KindId) -> String {
        self.kinds
            .get(kind)
            .map(|k| k.name.clone())
            .unwrap_or_default()
    }

    /// `a number in milliseconds`, `an enum (P1, P2)`, for messages.
    pub(crate) fn type_words(&self, kind: KindId, attr: AttrId) -> String {
        match self.attr_def(kind, attr).map(|d| &d.ty) {
            Some(AttrType::Text) => "text".into(),
            Some(AttrType::Bool) => "a bool".into(),
            Some(AttrType::Integer) => "an integer".into(),
            Some(AttrType::Time) => "a time".into(),
            Some(AttrType::Number(u)) => match u {
                Unit::Number | Unit::Count => "a number".into(),
                u => format!("a number in {}", util::unit_words(*u)),
            },
            Some(AttrType::Enum(v)) => format!("an enum ({})", v.join(" | ")),
            None => "unknown".into(),
        }
    }

    /// Resolves a declared event kind; reports an unknown one.
    pub(crate) fn kind_ref(&mut self, path: &ast::Path) -> Option<KindId> {
        let name = path.text();
        if let Some(&k) = self.kind_names.get(&name) {
            return Some(k);
        }
        let d = Diagnostic::error(
            Code::E0152,
            format!("unknown event kind `{name}`"),
            path.span,
        )
        .with_label("not a declared event kind");
        let names: Vec<String> = self.kinds.iter().map(|k| k.name.clone()).collect();
        self.push(util::with_suggestion(
            d,
            &name,
            &names,
            &format!("declare it with `event {name}`"),
        ));
        None
    }

    /// Resolves an attribute of a kind; reports an unknown one.
    pub(crate) fn attr_ref(&mut self, kind: KindId, name: &ast::Ident) -> Option<AttrId> {
        let k = self.kinds.get(kind)?;
        if let Some(i) = k.attrs.position(|a| a.name == name.name) {
            return Some(i);
        }
        let kname = k.name.clone();
        let names: Vec<String> = k.attrs.iter().map(|a| a.name.clone()).collect();
        let d = Diagnostic::error(
            Code::E0153,
            format!("event kind `{kname}` has no attribute `{}`", name.name),
            name.span,
        )
        .with_label("unknown attribute");
        let fallback = if names.is_empty() {
            format!("`{kname}` declares no attributes")
        } else {
            format!("attributes of `{kname}`: {}", util::list(&names))
        };
        self.push(util::with_suggestion(d, &name.name, &names, &fallback));
        None
    }

    /// `KIND.ATTR`: the longest prefix that is a declared kind, then one attribute.
    pub(crate) fn attr_path(&mut self, path: &ast::Path) -> Option<(KindId, AttrId)> {
        let n = path.parts.len();
        for cut in (1..n).rev() {
            let (Some(head), Some(tail)) = (path.parts.get(..cut), path.parts.get(cut..)) else {
                continue;
            };
            let kname = head.join(".");
            if let Some(&k) = self.kind_names.get(&kname) {
                let [attr] = tail else {
                    self.push(
                        Diagnostic::error(
                            Code::E0153,
                            format!("event kind `{kname}` has no attribute `{}`", tail.join(".")),
                            path.span,
                        )
                        .with_label("unknown attribute")
                        .with_help("attributes are single names: `KIND.ATTR`"),
                    );
                    return None;
                };
                let ident = ast::Ident {
                    name: attr.clone(),
                    span: last_part_span(path),
                };
                return self.attr_ref(k, &ident).map(|a| (k, a));
            }
        }
        let text = path.text();
        if n < 2 || self.kind_names.contains_key(&text) {
            self.push(
                Diagnostic::error(
                    Code::E0178,
                    format!("expected `KIND.ATTR` (an event kind and one of its attributes), found `{text}`"),
                    path.span,
                )
                .with_label("needs an attribute")
                .with_help("e.g. `net.probe.latency_ms`"),
            );
            return None;
        }
        // Report the kind part (all but the last segment).
        let kname = path
            .parts
            .get(..n - 1)
            .map(|h| h.join("."))
            .unwrap_or_default();
        let d = Diagnostic::error(
            Code::E0152,
            format!("unknown event kind `{kname}`"),
            path.span,
        )
        .with_label("not a declared event kind");
        let names: Vec<String> = self.kinds.iter().map(|k| k.name.clone()).collect();
        self.push(util::with_suggestion(
            d,
            &kname,
            &names,
            &format!("declare it with `event {kname}`"),
        ));
        None
    }

    /// Event matches of a flag or clock. `None` entries are dropped (reported).
    pub(crate) fn event_matches(
        &mut self,
        ms: &[ast::EventMatch],
        extra: Option<&ast::Cond>,
    ) -> Vec<EventMatch> {
        let mut out = Vec::new();
        for m in ms {
            let Some(kind) = self.kind_ref(&m.kind) else {
                continue;
            };
            if let Res::Ok(cond) = self.opt_cond(m.cond.as_ref(), extra, kind, None) {
                out.push(EventMatch { kind, cond });
            }
        }
        out
    }

    /// The conjunction of an optional condition and an optional indicator filter, resolved
    /// against one kind (and a subject's flags). `Res::Bad` when reported.
    pub(crate) fn opt_cond(
        &mut self,
        cond: Option<&ast::Cond>,
        extra: Option<&ast::Cond>,
        kind: KindId,
        subject: Option<SubjectId>,
    ) -> Res<Option<Cond>> {
        let mut parts = Vec::new();
        let mut bad = false;
        for c in [cond, extra].into_iter().flatten() {
            match self.cond(c, kind, subject) {
                Some(c) => parts.push(c),
                None => bad = true,
            }
        }
        if bad {
            return Res::Bad;
        }
        Res::Ok(match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Cond::And(parts)),
        })
    }

    /// Resolves a condition against a kind's attributes (and a subject's flags).
    pub(crate) fn cond(
        &mut self,
        c: &ast::Cond,
        kind: KindId,
        subject: Option<SubjectId>,
    ) -> Option<Cond> {
        match c {
            ast::Cond::Not(inner, _) => self
                .cond(inner, kind, subject)
                .map(|c| Cond::Not(Box::new(c))),
            ast::Cond::And(cs, _) | ast::Cond::Or(cs, _) => {
                let resolved: Vec<Option<Cond>> =
                    cs.iter().map(|x| self.cond(x, kind, subject)).collect();
                let all: Option<Vec<Cond>> = resolved.into_iter().collect();
                let all = all?;
                Some(if matches!(c, ast::Cond::And(..)) {
                    Cond::And(all)
                } else {
                    Cond::Or(all)
                })
            }
            ast::Cond::Flag(name) => self.bare_cond(name, kind, subject),
            ast::Cond::In { attr, values, span } => {
                if self.dates_refused(values) {
                    return None;
                }
                if attr.name == "product" && !self.has_attr(kind, "product") {
                    return self.product_cond(values, false);
                }
                let a = self.attr_ref(kind, attr)?;
                let mut out = Vec::new();
                let mut ok = true;
                for v in values {
                    match self.literal(kind, a, attr, CmpOp::Eq, v, *span) {
                        Some(l) => out.push(l),
                        None => ok = false,
                    }
                }
                ok.then_some(Cond::In {
                    attr: a,
                    values: out,
                })
            }
            ast::Cond::Cmp {
                attr,
                op,
                value,
                span,
            } => {
                if self.dates_refused(std::slice::from_ref(value)) {
                    return None;
                }
                if attr.name == "product"
                    && !self.has_attr(kind, "product")
                    && matches!(op, CmpOp::Eq | CmpOp::Ne)
                {
                    return self.product_cond(std::slice::from_ref(value), *op == CmpOp::Ne);
                }
                let a = self.attr_ref(kind, attr)?;
                let l = self.literal(kind, a, attr, *op, value, *span)?;
                Some(Cond::Cmp {
                    attr: a,
                    op: *op,
                    value: l,
                })
            }
        }
    }

    /// E0194 for every date among the literals of a condition; true when there was one.
    fn dates_refused(&mut self, values: &[ast::Literal]) -> bool {
        let mut found = false;
        for v in values {
            if let ast::Literal::Date(d) = v {
                found = true;
                self.push(
                    Diagnostic::error(
                        Code::E0194,
                        format!("dates are not allowed in conditions, found `{}`", d.date),
                        d.span,
                    )
                    .with_label("a date")
                    .with_help("conditions compare attributes with numbers, names and strings, not with dates or times (an event's `at` is not an attribute); which events count is decided by their period within the `term`"),
                );
            }
        }
        found
    }

    fn has_attr(&self, kind: KindId, name: &str) -> bool {
        self.kinds
            .get(kind)
            .is_some_and(|k| k.attrs.iter().any(|a| a.name == name))
    }

    fn product_cond(&mut self, values: &[ast::Literal], negate: bool) -> Option<Cond> {
        let mut ids = Vec::new();
        let mut ok = true;
        for v in values {
            let path = match v {
                ast::Literal::Path(p) => p.clone(),
                ast::Literal::Str(s) => {
                    let (text, wildcard) = match s.value.strip_suffix(".*") {
                        Some(t) => (t, true),
                        None => (s.value.as_str(), false),
                    };
                    ast::Path {
                        parts: text.split('.').map(str::to_string).collect(),
                        wildcard,
                        span: s.span,
                    }
                }
                other => {
                    ok = false;
                    self.push(
                        Diagnostic::error(
                            Code::E0185,
                            "`product` is compared with product ids or patterns",
                            literal_span(other),
                        )
                        .with_label("not a product id")
                        .with_help("write e.g. `product in [network.*, app.om_mgmt.desk]`"),
                    );
                    continue;
                }
            };
            match self.product_pattern(&path) {
                Some(v) => ids.extend(v),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        ids.sort_unstable();
        ids.dedup();
        let c = Cond::Product(ids);
        Some(if negate { Cond::Not(Box::new(c)) } else { c })
    }

    fn bare_cond(
        &mut self,
        name: &ast::Ident,
        kind: KindId,
        subject: Option<SubjectId>,
    ) -> Option<Cond> {
        let subj: Option<(String, Vec<String>)> = subject
            .and_then(|s| self.subjects.get(s))
            .and_then(Option::as_ref)
            .map(|s| {
                (
                    s.name.clone(),
                    s.flags.iter().map(|f| f.name.clone()).collect(),
                )
            });
        if let Some((_, flags)) = &subj {
            if let Some(f) = flags
                .iter()
                .position(|f| *f == name.name)
                .and_then(FlagId::new)
            {
                return Some(Cond::Flag(f));
            }
        }
        let k = self.kinds.get(kind)?;
        if let Some(a) = k.attrs.position(|a| a.name == name.name) {
            if k.attrs.get(a).map(|d| &d.ty) == Some(&AttrType::Bool) {
                return Some(Cond::BoolAttr(a));
            }
            let words = self.type_words(kind, a);
            self.push(
                Diagnostic::error(
                    Code::E0179,
                    format!(
                        "`{}` is {words}, not a bool; it cannot stand alone as a condition",
                        name.name
                    ),
                    name.span,
                )
                .with_label("not a bool")
                .with_help(format!("compare it, e.g. `{} == VALUE`", name.name)),
            );
            return None;
        }
        let kname = k.name.clone();
        let mut cands: Vec<String> = k
            .attrs
            .iter()
            .filter(|a| a.ty == AttrType::Bool)
            .map(|a| a.name.clone())
            .collect();
        if subj.is_none() {
            // A flag of some subject, used where no subject is known: say so.
            let owners: Vec<String> = self
                .subjects
                .iter()
                .flatten()
                .filter(|s| s.flags.iter().any(|f| f.name == name.name))
                .map(|s| s.name.clone())
                .collect();
            if let Some(owner) = owners.first() {
                self.push(
                    Diagnostic::error(
                        Code::E0186,
                        format!(
                            "`{}` is a flag of subject `{owner}`, but this condition is on single `{kname}` events, which have no flags",
                            name.name
                        ),
                        name.span,
                    )
                    .with_label("a flag cannot be read here")
                    .with_help(format!(
                        "flags are read in conditions on subjects: `count({owner} where {})`, or the `filter` of an indicator with `clock {owner}`; an event's condition reads only its attributes",
                        name.name
                    )),
                );
                return None;
            }
        }
        let has_subject = subj.is_some();
        let (message, label) = match subj {
            Some((sname, flags)) => {
                cands.extend(flags);
                (
                    format!(
                        "`{}` is neither a flag of subject `{sname}` nor a bool attribute of `{kname}`",
                        name.name
                    ),
                    "unknown flag or attribute",
                )
            }
            None => (
                format!("`{}` is not a bool attribute of `{kname}`", name.name),
                "unknown attribute",
            ),
        };
        let d = Diagnostic::error(Code::E0186, message, name.span).with_label(label);
        let fallback = if cands.is_empty() && has_subject {
            "declare a flag on the subject (`flag NAME set on KIND`) or a bool attribute"
                .to_string()
        } else if cands.is_empty() {
            format!(
                "declare it on the event kind: `event {kname} {{ {}: bool }}`",
                name.name
            )
        } else {
            format!("available: {}", util::list(&cands))
        };
        self.push(util::with_suggestion(d, &name.name, &cands, &fallback));
        None
    }

    /// A literal compared with attribute `a` of `kind`, in the attribute's base unit.
    fn literal(
        &mut self,
        kind: KindId,
        a: AttrId,
        attr: &ast::Ident,
        op: CmpOp,
        lit: &ast::Literal,
        cond_span: ast::Span,
    ) -> Option<Literal> {
        let ty = self.attr_def(kind, a)?.ty.clone();
        let equality = matches!(op, CmpOp::Eq | CmpOp::Ne);
        let span = literal_span(lit);
        let words = self.type_words(kind, a);
        let type_error = |found: &str| {
            Diagnostic::error(
                Code::E0185,
                format!(
                    "`{}` is {words} and cannot be compared with {found}",
                    attr.name
                ),
                span,
            )
            .with_label("wrong type")
        };
        match &ty {
            AttrType::Bool | AttrType::Text | AttrType::Enum(_) if !equality => {
                self.push(
                    Diagnostic::error(
                        Code::E0185,
                        format!(
                            "`{}` is {words}; only `==`, `!=` and `in` apply, not `{}`",
                            attr.name,
                            op.as_str()
                        ),
                        cond_span,
                    )
                    .with_label("unsupported comparison")
                    .with_help("use `==`, `!=` or `in [..]`"),
                );
                None
            }
            AttrType::Time => {
                self.push(
                    Diagnostic::error(
                        Code::E0179,
                        format!(
                            "`{}` is a time attribute; conditions cannot compare times",
                            attr.name
                        ),
                        attr.span,
                    )
                    .with_label("time attribute")
                    .with_help("use it as `anchor ... at` or `deadline at` instead"),
                );
                None
            }
            AttrType::Bool => match lit {
                ast::Literal::Bool(b, _) => Some(Literal::Bool(*b)),
                other => {
                    self.push(type_error(&literal_words(other)).with_help(format!(
                        "write `{} == true` or `{} == false`",
                        attr.name, attr.name
                    )));
                    None
                }
            },
            AttrType::Text => match lit {
                ast::Literal::Str(s) => Some(Literal::Text(s.value.clone())),
                ast::Literal::Path(p) if !p.wildcard => Some(Literal::Text(p.text())),
                other => {
                    self.push(
                        type_error(&literal_words(other))
                            .with_help("compare text with a word or a quoted string"),
                    );
                    None
                }
            },
            AttrType::Enum(values) => {
                let text = match lit {
                    ast::Literal::Str(s) => s.value.clone(),
                    ast::Literal::Path(p) if !p.wildcard => p.text(),
                    other => {
                        self.push(type_error(&literal_words(other)).with_help(format!(
                            "values of `{}`: {}",
                            attr.name,
                            util::list(values)
                        )));
                        return None;
                    }
                };
                if values.contains(&text) {
                    Some(Literal::Text(text))
                } else {
                    let d = Diagnostic::error(
                        Code::E0181,
                        format!("`{text}` is not a value of `{}`", attr.name),
                        span,
                    )
                    .with_label("not in the enum");
                    let list = util::list(values);
                    let d = match util::suggest(&text, values) {
                        Some(s) => d.with_help(format!("did you mean `{s}`? values: {list}")),
                        None => d.with_help(format!("values of `{}`: {list}", attr.name)),
                    };
                    self.push(d);
                    None
                }
            }
            AttrType::Number(_) | AttrType::Integer => {
                let unit = ty.number_unit().unwrap_or(Unit::Number);
                match lit {
                    ast::Literal::Number(q) => match util::convert(q, unit) {
                        Some(v) => Some(Literal::Number(v)),
                        None => {
                            self.push(util::unit_mismatch(q, unit, &format!("`{}`", attr.name)));
                            None
                        }
                    },
                    other => {
                        self.push(
                            type_error(&literal_words(other))
                                .with_help(format!("compare it with {}", util::unit_example(unit))),
                        );
                        None
                    }
                }
            }
        }
    }
}

fn last_part_span(path: &ast::Path) -> ast::Span {
    let last_len = path.parts.last().map_or(0, String::len);
    let end = path.span.end;
    ast::Span::new(end.saturating_sub(last_len).max(path.span.start), end)
}

pub(crate) fn literal_span(l: &ast::Literal) -> ast::Span {
    match l {
        ast::Literal::Str(s) => s.span,
        ast::Literal::Bool(_, s) => *s,
        ast::Literal::Number(q) => q.span,
        ast::Literal::Path(p) => p.span,
        ast::Literal::Date(d) => d.span,
    }
}

fn literal_words(l: &ast::Literal) -> String {
    match l {
        ast::Literal::Str(s) => format!("the string \"{}\"", s.value),
        ast::Literal::Bool(b, _) => format!("`{b}`"),
        ast::Literal::Number(q) => format!("the number `{}`", util::quantity_text(q)),
        ast::Literal::Path(p) => format!("`{}`", p.text()),
        ast::Literal::Date(d) => format!("the date `{}`", d.date),
    }
}
