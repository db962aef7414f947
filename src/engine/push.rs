//! The push path: validated events interned and kept in their subjects' logs (or as
//! per-event records), rejections recorded with their reasons.

use std::sync::Arc;

use crate::contract::AttrId;
use crate::engine::eval::{Evaluator, Pushed};
use crate::engine::plan::Plan;
use crate::engine::scorecard::EventCounts;
use crate::engine::store::{Pool, Single, Slim};
use crate::event::{AttrValue, Event, EventRecord, EventRef, Reason, Rejection, Validator};

/// Stores the kept attribute values of an event; `None` when the pool is full.
fn keep_attrs(pool: &mut Pool, kept: &[AttrId], attrs: &[AttrValue]) -> Option<u32> {
    let at = u32::try_from(pool.len()).ok()?;
    if kept.is_empty() {
        return Some(at);
    }
    u32::try_from(pool.len() + kept.len()).ok()?;
    for a in kept {
        if pool
            // a validated event has one value per declared attribute of its kind
            .push(attrs.get(a.index()).unwrap_or(&AttrValue::Missing))
            .is_none()
        {
            pool.truncate(at as usize);
            return None;
        }
    }
    Some(at)
}

/// Items in flight in [`Evaluator::push_outcomes`]: how far ahead memory is fetched.
const AHEAD: usize = 16;

/// An item of [`Evaluator::push_outcomes`] on its way in, with its hashes.
struct Ahead<'a> {
    item: Result<EventRef<'a>, Rejection>,
    id: u64,
    subject: u64,
    /// the subject's likely index, once its table slot has been read
    candidate: Option<u32>,
}

/// Why an event could not be kept.
enum Refused {
    TooMany,
    Full,
}

impl Evaluator {
    /// Adds an event that has already been validated.
    pub fn push(&mut self, e: Event) -> Pushed {
        self.push_ref(e.as_ref())
    }

    /// Adds a validated event, borrowed (what reading a file does, without allocating).
    pub fn push_ref(&mut self, e: EventRef<'_>) -> Pushed {
        let id_hash = self.state.ids.hash(e.id);
        let subject_hash = self.state.subjects.hash(e.subject);
        self.push_ahead(e, id_hash, subject_hash)
    }

    /// The hot path: one probe of the id table (a new id is added where the probe ended),
    /// one of the subject table, then a push onto the subject's log.
    #[inline]
    fn try_push_hashed(
        &mut self,
        e: EventRef<'_>,
        id_hash: u64,
        subject_hash: u64,
    ) -> Result<Pushed, Refused> {
        let plan = &*self.plan;
        let st = &mut self.state;
        let vacant = match st.ids.lookup(id_hash, e.id) {
            Ok(_) => {
                st.counts.duplicates += 1;
                return Ok(Pushed::Duplicate);
            }
            Err(v) => v,
        };
        let tracked = Plan::is(&plan.tracked, e.kind);
        let single = Plan::is(&plan.per_event, e.kind);
        let mut subject = 0;
        if tracked || single {
            subject = match st.subjects.lookup(subject_hash, e.subject) {
                Ok(s) => s,
                Err(_) if tracked && st.tracked >= self.max_subjects => {
                    return Err(Refused::TooMany)
                }
                Err(v) => v.insert(e.subject).ok_or(Refused::Full)?,
            };
            if tracked {
                if !st.logs.has(subject) && st.tracked >= self.max_subjects {
                    return Err(Refused::TooMany);
                }
                // before anything is added, so that a full arena leaves no trace
                st.logs.make_room(subject).ok_or(Refused::Full)?;
            }
        }
        let kind = e.kind.filter(|_| tracked || single);
        let kept = kind
            .and_then(|k| plan.kept.get(k))
            .map_or(&[][..], Vec::as_slice);
        let attrs = keep_attrs(&mut st.pool, kept, e.attrs).ok_or(Refused::Full)?;
        let id = vacant.insert(e.id).ok_or(Refused::Full)?;
        st.counts.accepted += 1;
        st.max_at = Some(st.max_at.map_or(e.at, |m| m.max(e.at)));
        let Some(kind) = kind else {
            // a kind no measure reads: accepted and counted, nothing to keep
            return Ok(Pushed::Accepted);
        };
        let slim = Slim {
            at: e.at,
            id,
            kind,
            product: e.product,
            attrs,
        };
        if single {
            st.singles.push(Single { ev: slim, subject });
        }
        if tracked {
            st.insert_made_room(subject, slim);
        }
        Ok(Pushed::Accepted)
    }

    /// Adds validated events in order: the same as calling [`Evaluator::push_ref`] on each,
    /// but faster on large inputs (see [`Evaluator::push_outcomes`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # let src = include_str!("../../examples/egov-2026.sla");
    /// let plan = Arc::new(slagrade::engine::eval::Plan::compile(slagrade::contract::check::load(src).unwrap().contract));
    /// let v = slagrade::event::Validator::new(plan.contract());
    /// let line = br#"{"id":"e-1","at":"2026-10-09T10:00:00+08:00","kind":"ticket.opened","subject":"T-1","product":"app.business_support.oa","attrs":{"priority":"P2"}}"#;
    /// let events = vec![v.line(line).unwrap().unwrap(); 2];
    /// let mut ev = slagrade::engine::eval::Evaluator::new(&plan);
    /// let counts = ev.push_many(events.iter().map(|e| e.as_ref()));
    /// assert_eq!((counts.accepted, counts.duplicates), (1, 1));
    /// ```
    pub fn push_many<'a>(&mut self, events: impl IntoIterator<Item = EventRef<'a>>) -> EventCounts {
        self.push_outcomes(events.into_iter().map(Ok))
    }

    /// Adds validated events and records rejections, in order: exactly a sequence of
    /// [`Evaluator::push_ref`] and [`Evaluator::reject`] calls. The table slots, names and
    /// logs that the coming events will touch are fetched from memory a few events ahead,
    /// so that their cache misses overlap instead of following one another.
    pub fn push_outcomes<'a>(
        &mut self,
        items: impl IntoIterator<Item = Result<EventRef<'a>, Rejection>>,
    ) -> EventCounts {
        let before = self.state.counts;
        let mut items = items.into_iter();
        self.state.ids.reserve(items.size_hint().0);
        let mut ring: [Option<Ahead<'a>>; AHEAD] = std::array::from_fn(|_| None);
        let mut head = 0usize;
        let mut more = true;
        let mut in_flight = 0usize;
        while more || in_flight > 0 {
            // the oldest item, fetched AHEAD steps ago
            if let Some(a) = ring.get_mut(head).and_then(Option::take) {
                in_flight -= 1;
                match a.item {
                    Ok(e) => self.push_counted(e, a.id, a.subject),
                    Err(r) => self.reject(r),
                }
            }
            if more {
                match items.next() {
                    Some(item) => {
                        let st = &self.state;
                        let (id, subject) = match &item {
                            Ok(e) => (st.ids.hash(e.id), st.subjects.hash(e.subject)),
                            Err(_) => (0, 0),
                        };
                        if item.is_ok() {
                            st.ids.prefetch(id);
                            st.subjects.prefetch(subject);
                        }
                        if let Some(slot) = ring.get_mut(head) {
                            *slot = Some(Ahead {
                                item,
                                id,
                                subject,
                                candidate: None,
                            });
                            in_flight += 1;
                        }
                    }
                    None => more = false,
                }
            }
            // half-way: the subject's slot is in cache; fetch its name's offsets and log
            if let Some(Some(a)) = ring.get_mut((head + AHEAD / 2) % AHEAD) {
                if a.item.is_ok() {
                    let st = &self.state;
                    a.candidate = st.subjects.candidate(a.subject);
                    if let Some(s) = a.candidate {
                        st.subjects.prefetch_end(s);
                        st.logs.prefetch_head(s);
                    }
                }
            }
            // three quarters: fetch the name's bytes and the log's last event
            if let Some(Some(a)) = ring.get((head + AHEAD / 4) % AHEAD) {
                if let Some(s) = a.candidate {
                    let st = &self.state;
                    st.subjects.prefetch_name(s);
                    st.logs.prefetch_last(s);
                }
            }
            head = (head + 1) % AHEAD;
        }
        self.state.counts.since(before)
    }

    fn push_ahead(&mut self, e: EventRef<'_>, id_hash: u64, subject_hash: u64) -> Pushed {
        match self.try_push_hashed(e, id_hash, subject_hash) {
            Ok(p) => p,
            Err(reason) => self.refuse(reason, e.id),
        }
    }

    /// [`Evaluator::push_ahead`] for a batch, which only counts what happened.
    #[inline]
    fn push_counted(&mut self, e: EventRef<'_>, id_hash: u64, subject_hash: u64) {
        if let Err(reason) = self.try_push_hashed(e, id_hash, subject_hash) {
            self.refuse(reason, e.id);
        }
    }

    #[cold]
    fn refuse(&mut self, reason: Refused, id: &str) -> Pushed {
        let reason = match reason {
            Refused::TooMany => Reason::TooManySubjects {
                max: self.max_subjects,
            },
            Refused::Full => Reason::StorageFull,
        };
        self.reject(Rejection {
            line: None,
            reason: reason.clone(),
            text: id.to_string(),
        });
        Pushed::Rejected(reason)
    }

    /// Records a rejected event (counted, kept with its reason).
    pub fn reject(&mut self, r: Rejection) {
        self.state.counts.rejected += 1;
        self.state.rejected.push(r);
    }

    /// Validates and adds a caller's record.
    pub fn push_record(&mut self, r: &EventRecord) -> Pushed {
        let plan = Arc::clone(&self.plan);
        let v = Validator::new(plan.contract());
        self.push_checked(&v, r)
    }

    fn push_checked(&mut self, v: &Validator<'_>, r: &EventRecord) -> Pushed {
        match v.record(r) {
            Ok(e) => self.push(e),
            Err(reason) => {
                self.reject(Rejection {
                    line: None,
                    reason: reason.clone(),
                    text: serde_json::to_string(r).unwrap_or_default(),
                });
                Pushed::Rejected(reason)
            }
        }
    }

    /// Validates and adds a batch of records.
    pub fn push_batch(&mut self, records: &[EventRecord]) -> EventCounts {
        let before = self.state.counts;
        let plan = Arc::clone(&self.plan);
        let v = Validator::new(plan.contract());
        for r in records {
            self.push_checked(&v, r);
        }
        self.state.counts.since(before)
    }
}
