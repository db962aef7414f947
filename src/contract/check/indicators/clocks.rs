//! An indicator's clock: its subject, the events that start, stop, pause, resume, restart and
//! reset it, its calendar, and its deadline (fixed, by attribute, or at a time attribute).

use std::collections::HashSet;

use super::twice;
use crate::contract::check::calendars::RESERVED_CALENDAR;
use crate::contract::check::{util, Ctx, Res};
use crate::contract::{AttrType, ClockCalendar, ClockDef, Deadline, EventMatch, KindId};
use crate::language::ast::{self, ClockStmt};
use crate::language::code::Code;
use crate::language::diagnostic::Diagnostic;

impl Ctx {
    pub(super) fn clock(
        &mut self,
        c: &ast::ClockDecl,
        filter: Option<&ast::Cond>,
    ) -> Option<ClockDef> {
        let errors = self.error_count();
        let subject = match self.subject_names.get(&c.subject.name) {
            Some(&s) => Some(s),
            None => {
                let d = Diagnostic::error(
                    Code::E0162,
                    format!("unknown subject `{}`", c.subject.name),
                    c.subject.span,
                )
                .with_label("not a declared subject");
                let fallback = if self.subject_order.is_empty() {
                    "declare it with `subject NAME { anchor KIND }`".to_string()
                } else {
                    format!("declared subjects: {}", util::list(&self.subject_order))
                };
                self.push(util::with_suggestion(
                    d,
                    &c.subject.name,
                    &self.subject_order,
                    &fallback,
                ));
                None
            }
        };
        let anchor = subject
            .and_then(|s| self.subjects.get(s))
            .and_then(Option::as_ref)
            .map(|s| s.anchor);
        let mut start: Option<Vec<EventMatch>> = None;
        let mut stop: Option<Vec<EventMatch>> = None;
        let mut pause: Option<Vec<EventMatch>> = None;
        let mut resume: Option<Vec<EventMatch>> = None;
        let mut restart: Option<Vec<EventMatch>> = None;
        let mut reset: Option<Vec<EventMatch>> = None;
        let mut deadline: Option<Option<Deadline>> = None;
        let mut calendar: Option<Res<ClockCalendar>> = None;
        for s in &c.stmts {
            let (slot, ms, span, what) = match s {
                ClockStmt::Start(ms, sp) => (&mut start, ms, sp, "start"),
                ClockStmt::Stop(ms, sp) => (&mut stop, ms, sp, "stop"),
                ClockStmt::Pause(ms, sp) => (&mut pause, ms, sp, "pause"),
                ClockStmt::Resume(ms, sp) => (&mut resume, ms, sp, "resume"),
                ClockStmt::Restart(ms, sp) => (&mut restart, ms, sp, "restart"),
                ClockStmt::Reset(ms, sp) => (&mut reset, ms, sp, "reset"),
                ClockStmt::Deadline(d) => {
                    if deadline.is_some() {
                        self.push(twice("deadline", deadline_span(d)));
                    } else {
                        deadline = Some(self.deadline(d, anchor));
                    }
                    continue;
                }
                ClockStmt::Calendar(name) => {
                    if calendar.is_some() {
                        self.push(twice("calendar", name.span));
                    } else if name.name == RESERVED_CALENDAR {
                        calendar = Some(Res::Ok(ClockCalendar::Business));
                    } else {
                        calendar = Some(match self.calendar_ref(name) {
                            Res::Ok(id) => Res::Ok(ClockCalendar::Named(id)),
                            _ => Res::Bad,
                        });
                    }
                    continue;
                }
            };
            if slot.is_some() {
                let d = twice(what, *span).with_help(format!(
                    "list every event of `{what}` in one line: `{what} on KIND1, KIND2`"
                ));
                self.diags.push(d);
                continue;
            }
            *slot = Some(self.event_matches(ms, None));
        }
        if stop.is_none() {
            self.push(
                Diagnostic::error(
                    Code::E0182,
                    format!("the clock on `{}` has no `stop`", c.subject.name),
                    c.subject.span,
                )
                .with_label("clock never stops")
                .with_help("add e.g. `stop on ticket.resolved`"),
            );
        }
        if deadline.is_none() {
            self.push(
                Diagnostic::error(
                    Code::E0182,
                    format!("the clock on `{}` has no `deadline`", c.subject.name),
                    c.subject.span,
                )
                .with_label("clock without a deadline")
                .with_help("add e.g. `deadline 15m`, `deadline by priority { P1 => 15m, .. }` or `deadline at due`"),
            );
        }
        // An indicator filter restricts which subjects count, judged on the anchor event and
        // the subject's flags.
        let mut clock_filter = None;
        if let (Some(f), Some(a)) = (filter, anchor) {
            if let Res::Ok(cond) = self.opt_cond(None, Some(f), a, subject) {
                clock_filter = cond;
            }
        }
        let start = start.unwrap_or_default();
        if self.error_count() > errors {
            return None;
        }
        let calendar = match calendar {
            None => ClockCalendar::Business,
            Some(Res::Ok(c)) => c,
            Some(_) => return None,
        };
        let follow = match c.stmts.iter().find_map(|s| match s {
            ClockStmt::Deadline(ast::Deadline::ByAttr {
                attr,
                follow: Some(f),
                ..
            }) => Some((attr, f)),
            _ => None,
        }) {
            Some((attr, f)) => Some(self.follow(attr, f, anchor)?),
            None => None,
        };
        Some(ClockDef {
            follow,
            subject: subject?,
            filter: clock_filter,
            start,
            stop: stop.unwrap_or_default(),
            pause: pause.unwrap_or_default(),
            resume: resume.unwrap_or_default(),
            restart: restart.unwrap_or_default(),
            reset: reset.unwrap_or_default(),
            deadline: deadline.flatten()?,
            calendar,
        })
    }

    /// A clock's deadline; `anchor` is the subject's anchor kind when it resolved (when it
    /// did not, checks that need the anchor's attributes are skipped: already reported).
    fn deadline(&mut self, d: &ast::Deadline, anchor: Option<KindId>) -> Option<Deadline> {
        match d {
            ast::Deadline::Fixed(q, _) => self.duration(q).map(Deadline::Fixed),
            ast::Deadline::At(attr, _) => {
                let kind = anchor?;
                let a = self.attr_ref(kind, attr)?;
                if self.attr_def(kind, a).map(|x| &x.ty) == Some(&AttrType::Time) {
                    return Some(Deadline::At(a));
                }
                let words = self.type_words(kind, a);
                self.push(
                    Diagnostic::error(
                        Code::E0179,
                        format!(
                            "`deadline at {}` needs a time attribute, but `{}` is {words}",
                            attr.name, attr.name
                        ),
                        attr.span,
                    )
                    .with_label("not a time attribute")
                    .with_help(format!(
                        "declare it as `{}: time` on `{}`",
                        attr.name,
                        self.kind_name(kind)
                    )),
                );
                None
            }
            ast::Deadline::ByAttr {
                attr, table, span, ..
            } => {
                // Durations are checked even when the attribute cannot be.
                let mut durations = Vec::new();
                let mut ok = true;
                for (_, q) in table {
                    match self.duration(q) {
                        Some(s) => durations.push(s),
                        None => ok = false,
                    }
                }
                let kind = anchor?;
                let a = self.attr_ref(kind, attr)?;
                let ty = self.attr_def(kind, a).map(|x| x.ty.clone());
                let values = match ty {
                    Some(AttrType::Enum(v)) => Some(v),
                    Some(AttrType::Text) => None,
                    _ => {
                        let words = self.type_words(kind, a);
                        self.push(
                            Diagnostic::error(
                                Code::E0179,
                                format!(
                                    "`deadline by {}` needs an enum or text attribute, but `{}` is {words}",
                                    attr.name, attr.name
                                ),
                                attr.span,
                            )
                            .with_label("not an enum or text attribute")
                            .with_help("declare it e.g. as `priority: P1 | P2 | P3 | P4`"),
                        );
                        return None;
                    }
                };
                let mut seen: HashSet<&str> = HashSet::new();
                let mut unknown: Vec<&ast::Ident> = Vec::new();
                for (key, _) in table {
                    if !seen.insert(key.name.as_str()) {
                        ok = false;
                        self.push(
                            Diagnostic::error(
                                Code::E0191,
                                format!("`{}` appears twice in the deadline table", key.name),
                                key.span,
                            )
                            .with_label("duplicate key")
                            .with_help("keep one deadline per value"),
                        );
                        continue;
                    }
                    if values.as_ref().is_some_and(|v| !v.contains(&key.name)) {
                        unknown.push(key);
                    }
                }
                if let Some(vals) = &values {
                    let missing: Vec<&String> =
                        vals.iter().filter(|v| !seen.contains(v.as_str())).collect();
                    let list = util::list(vals);
                    for key in &unknown {
                        ok = false;
                        // A misspelt key most likely means a value the table lacks.
                        let guess = util::suggest(&key.name, &missing)
                            .or_else(|| util::suggest(&key.name, vals));
                        let d = Diagnostic::error(
                            Code::E0181,
                            format!("`{}` is not a value of `{}`", key.name, attr.name),
                            key.span,
                        )
                        .with_label("not in the enum");
                        self.push(match guess {
                            Some(g) => d.with_help(format!("did you mean `{g}`? values: {list}")),
                            None => d.with_help(format!("values of `{}`: {list}", attr.name)),
                        });
                    }
                    // With misspelt keys, the missing values are already explained.
                    if !missing.is_empty() && unknown.is_empty() {
                        ok = false;
                        let mlist = util::list(&missing);
                        self.push(
                            Diagnostic::error(
                                Code::E0180,
                                format!(
                                    "the deadline table by `{}` has no deadline for {mlist}",
                                    attr.name
                                ),
                                *span,
                            )
                            .with_label(format!("missing {mlist}"))
                            .with_help(format!(
                                "add {} to the table",
                                missing
                                    .iter()
                                    .map(|m| format!("`{m} => DURATION`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        );
                    }
                }
                if !ok {
                    return None;
                }
                let table = table
                    .iter()
                    .zip(durations)
                    .map(|((k, _), s)| (k.name.clone(), s))
                    .collect();
                Some(Deadline::ByAttr { attr: a, table })
            }
        }
    }

    /// `follow KIND`: the kind has an attribute of the deadline attribute's name and type.
    fn follow(
        &mut self,
        attr: &ast::Ident,
        f: &ast::Follow,
        anchor: Option<KindId>,
    ) -> Option<crate::contract::Follow> {
        let kind = self.kind_ref(&f.kind)?;
        let anchor = anchor?;
        let anchor_attr = self.attr_ref(anchor, attr)?;
        let want = self.attr_def(anchor, anchor_attr).map(|a| a.ty.clone());
        let found = self.kinds.get(kind).and_then(|k| {
            k.attrs
                .iter_enumerated()
                .find(|(_, a)| a.name == attr.name)
                .map(|(id, a)| (id, a.ty.clone()))
        });
        let Some((a, ty)) = found else {
            self.push(
                Diagnostic::error(
                    Code::E0240,
                    format!(
                        "`follow {}`: the kind has no attribute `{}`",
                        f.kind.text(),
                        attr.name
                    ),
                    f.kind.span,
                )
                .with_label(format!("no `{}` here", attr.name))
                .with_help(format!(
                    "declare it: `event {} {{ {}: ... }}`, with the same values as on the anchor",
                    f.kind.text(),
                    attr.name
                )),
            );
            return None;
        };
        if want.as_ref() != Some(&ty) {
            let (theirs, ours) = (
                self.type_words(kind, a),
                self.type_words(anchor, anchor_attr),
            );
            self.push(
                Diagnostic::error(
                    Code::E0241,
                    format!(
                        "`follow {}`: its `{}` is {}, but the anchor's is {}",
                        f.kind.text(),
                        attr.name,
                        theirs,
                        ours
                    ),
                    f.kind.span,
                )
                .with_label("another type")
                .with_help("give both attributes the same type (the same enum values)"),
            );
            return None;
        }
        Some(crate::contract::Follow {
            on: EventMatch { kind, cond: None },
            attr: a,
            restart: f.restart,
        })
    }

    fn duration(&mut self, q: &ast::Quantity) -> Option<i64> {
        match util::duration_secs(q) {
            Ok(s) => Some(s),
            Err(why) => {
                self.push(
                    Diagnostic::error(
                        Code::E0183,
                        format!("invalid duration `{}`: {why}", util::quantity_text(q)),
                        q.span,
                    )
                    .with_label("invalid duration")
                    .with_help("write e.g. `90s`, `15m`, `4h` or `3d`"),
                );
                None
            }
        }
    }
}

fn deadline_span(d: &ast::Deadline) -> ast::Span {
    match d {
        ast::Deadline::Fixed(_, s)
        | ast::Deadline::ByAttr { span: s, .. }
        | ast::Deadline::At(_, s) => *s,
    }
}
