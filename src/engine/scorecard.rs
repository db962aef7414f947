//! The scorecard: what an evaluation reports, and its JSON, CSV and table forms.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::contract::{Level, Unit};
use crate::text::width;

/// Event counts over the whole input (whatever the period or `as_of`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventCounts {
    /// Events kept: valid, and the first with their `id`.
    pub accepted: u64,
    /// Valid events whose `id` was already accepted; dropped.
    pub duplicates: u64,
    /// Events refused (invalid, or past the evaluator's limits), each kept with its reason.
    pub rejected: u64,
}

impl EventCounts {
    /// What was counted since `before` (an earlier reading of the same counts).
    pub fn since(self, before: EventCounts) -> EventCounts {
        EventCounts {
            accepted: self.accepted.saturating_sub(before.accepted),
            duplicates: self.duplicates.saturating_sub(before.duplicates),
            rejected: self.rejected.saturating_sub(before.rejected),
        }
    }
}

/// Accepted events of a period that count nowhere (see
/// [`Evaluator::ignored`](crate::engine::eval::Evaluator::ignored), which lists them): over all
/// periods, each such event is counted once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ignored {
    /// events of a subject ordered before its anchor (in the period of the anchor)
    pub before_anchor: u64,
    /// events of subjects with no anchor at or before `as_of` (in the period of their `at`)
    pub without_anchor: u64,
}

impl Ignored {
    /// Both counts together.
    pub fn total(&self) -> u64 {
        self.before_anchor + self.without_anchor
    }
}

/// One period's scores for every assessment of the contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// The contract's name.
    pub contract: String,
    /// The period's key: `2026-10`, `2026-Q4` or `2026`.
    pub period: String,
    /// Unix seconds, `[start, end)`
    pub period_start: i64,
    /// Unix seconds, exclusive: local midnight starting the next period.
    pub period_end: i64,
    /// The evaluation instant, Unix seconds: events after it are left out and running
    /// clocks are judged as of it (default: the latest accepted `at`, or the period's end
    /// when nothing was accepted).
    pub as_of: i64,
    /// `as_of` in RFC 3339 in the contract's time zone
    pub as_of_text: String,
    /// Currency of every fee and amount on the card.
    pub currency: String,
    /// Counts over the whole input, not only this period.
    pub events: EventCounts,
    /// this period's accepted events that count nowhere
    pub ignored: Ignored,
    /// One card per assessment, in the contract's order.
    pub assessments: Vec<AssessmentCard>,
}

/// One assessment in one period: party and level scores, the fee and what is due of it, and
/// a card per indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentCard {
    /// The assessor's party id.
    pub assessor: String,
    /// The assessee's party id.
    pub assessee: String,
    /// The assessee's display name.
    pub assessee_title: Option<String>,
    /// party score, rounded; `None` when no indicator applies
    pub score: Option<Decimal>,
    /// score per level, in [`Level::ALL`] order
    pub levels: Vec<(Level, Option<Decimal>)>,
    /// The assessee's fee per period, rounded to 2 places; `None` when it has none.
    pub fee: Option<Decimal>,
    /// The share of the fee paid for the party score, from 0 to 1; `None` without a score.
    pub share: Option<Decimal>,
    /// Fee × share, rounded to 2 places (the whole fee when no indicator is scored);
    /// `None` without a fee or without evidence.
    pub fee_due: Option<Decimal>,
    /// deductions passed on from the prime's own assessment (back-to-back payment): an
    /// amount in the card's currency, rounded to 2 places, stated beside `fee_due` (not
    /// subtracted from it)
    pub passed_through: Option<Decimal>,
    /// `"weighted"` or `"points"`: how the party and level scores were made
    pub rollup: &'static str,
    /// flags set on the assessment in the period (`termination_right`), in declaration order
    pub flags: Vec<String>,
    /// the items the assessment's indicators measured in the period: clocks (pending ones
    /// too), subjects and events in denominators, counted events and subjects, samples,
    /// inventory items. With none, nothing was assessed: the party score, level scores,
    /// share, fee due and pass-through are `None` (see [`AssessmentCard::no_evidence`]).
    pub evidence: u64,
    /// One card per indicator of the contract, in the contract's order.
    pub indicators: Vec<IndicatorCard>,
}

/// One indicator in one assessment: its value, score and target, with what it was computed
/// over.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorCard {
    /// The indicator's id.
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// The level it counts in.
    pub level: Level,
    /// the unit of the value (how text and CSV print it)
    pub unit: Unit,
    /// weight in the roll-ups; zero when `report_only`
    pub weight: Decimal,
    /// `report only`: scored and shown, but left out of every roll-up
    pub report_only: bool,
    /// rounded value; `None` when not applicable
    pub value: Option<Decimal>,
    /// The score from 0 to 100 under this assessment's terms, rounded; `None` without a
    /// value, and under a points roll-up.
    pub score: Option<Decimal>,
    /// The signed points under a points roll-up, rounded (`0.00` without a value); `None`
    /// under a weighted roll-up.
    pub points: Option<Decimal>,
    /// The target as text, in the value's unit: `>= 95%`, `<= 50ms`, `<= 0`; empty when
    /// the indicator has none (a points indicator may have none).
    pub target: String,
    /// Does the rounded value meet the target? `None` without a value.
    pub target_met: Option<bool>,
    /// clock counts, for clock indicators
    pub clocks: Option<ClockCounts>,
    /// whether the contract declares waivers (then clock indicators report `waived`)
    pub waivable: bool,
    /// numerator and denominator, for ratios and coverage
    pub ratio: Option<(u64, u64)>,
    /// number of events or subjects the value was computed over
    pub samples: u64,
}

/// The clocks of a clock indicator by outcome, as of the scorecard's `as_of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockCounts {
    /// Stopped within the deadline.
    pub met: u64,
    /// Past the deadline, stopped or not.
    pub breached: u64,
    /// Not judged yet: not stopped and still within the deadline; in neither the
    /// numerator nor the denominator.
    pub pending: u64,
    /// Excused by a waiver: out of the value, and of every points rule.
    pub waived: u64,
}

fn dec(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

impl Scorecard {
    /// The JSON form: decimals as strings, non-applicable values as `null`.
    pub fn to_json(&self) -> Value {
        json!({
            "contract": self.contract,
            "period": self.period,
            "as_of": self.as_of_text,
            "currency": self.currency,
            "events": {
                "accepted": self.events.accepted,
                "duplicates": self.events.duplicates,
                "rejected": self.events.rejected,
            },
            "ignored": {
                "before_anchor": self.ignored.before_anchor,
                "without_anchor": self.ignored.without_anchor,
            },
            "assessments": self.assessments.iter().map(AssessmentCard::to_json).collect::<Vec<_>>(),
        })
    }

    /// One CSV row per assessment × indicator.
    pub fn to_csv(&self, out: &mut String, header: bool) {
        // a points roll-up adds its points (and flags) at the end, so that the columns of
        // weighted scorecards stay as they are
        let points = self.assessments.iter().any(|a| a.rollup == "points");
        if header {
            out.push_str("period,assessor,assessee,party_score,fee_due,indicator,level,weight,value,score,target,target_met,met,breached,pending,numerator,denominator,unit,evidence");
            out.push_str(if points { ",points,flags\n" } else { "\n" });
        }
        let s = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
        for a in &self.assessments {
            for i in &a.indicators {
                let c = i.clocks;
                let r = i.ratio;
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    self.period,
                    a.assessor,
                    a.assessee,
                    s(a.score),
                    s(a.fee_due),
                    i.id,
                    i.level.as_str(),
                    i.weight,
                    i.value.map(|v| plain_value(v, i.unit)).unwrap_or_default(),
                    s(i.score),
                    csv_field(&i.target),
                    i.target_met.map(|b| b.to_string()).unwrap_or_default(),
                    c.map(|c| c.met.to_string()).unwrap_or_default(),
                    c.map(|c| c.breached.to_string()).unwrap_or_default(),
                    c.map(|c| c.pending.to_string()).unwrap_or_default(),
                    r.map(|r| r.0.to_string()).unwrap_or_default(),
                    r.map(|r| r.1.to_string()).unwrap_or_default(),
                    unit_key(i.unit),
                    a.evidence,
                ));
                if points {
                    out.push_str(&format!(
                        ",{},{}",
                        s(i.points),
                        csv_field(&a.flags.join(" "))
                    ));
                }
                out.push('\n');
            }
        }
    }

    /// A readable table with Chinese and English indicator names.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "{} · period {} · as of {}\nevents: {} accepted, {} duplicates, {} rejected\n",
            self.contract,
            self.period,
            self.as_of_text,
            self.events.accepted,
            self.events.duplicates,
            self.events.rejected
        ));
        if self.ignored.total() > 0 {
            out.push_str(&format!(
                "ignored in {}: {} before their subject's anchor, {} of subjects with no anchor (they count nowhere; `--ignored FILE` lists them)\n",
                self.period, self.ignored.before_anchor, self.ignored.without_anchor
            ));
        }
        for a in &self.assessments {
            out.push('\n');
            let title = a
                .assessee_title
                .as_deref()
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            if a.no_evidence() {
                out.push_str(&format!(
                    "{} → {}{}   not assessed: no evidence (nothing in its scope was measured in {}): no score, no fee due\n",
                    a.assessor, a.assessee, title, self.period
                ));
            } else {
                out.push_str(&format!(
                    "{} → {}{}   score {}   fee due {}{}\n",
                    a.assessor,
                    a.assessee,
                    title,
                    opt(a.score),
                    a.fee_due
                        .map(|f| format!("{f} {}", self.currency))
                        .unwrap_or_else(|| "—".into()),
                    a.passed_through
                        .map(|p| format!("   passed through {p} {}", self.currency))
                        .unwrap_or_default(),
                ));
            }
            let levels: Vec<String> = a
                .levels
                .iter()
                .map(|(l, s)| format!("{} {}", l.as_str(), opt(*s)))
                .collect();
            out.push_str(&format!("  levels: {}\n", levels.join(" · ")));
            let rows: Vec<[String; 6]> = a
                .indicators
                .iter()
                .map(|i| {
                    let name = match (&i.title_zh, &i.title_en) {
                        (Some(z), Some(e)) => format!("{z} {e}"),
                        (Some(z), None) => z.clone(),
                        (None, Some(e)) => e.clone(),
                        (None, None) => i.id.clone(),
                    };
                    let detail = match (i.clocks, i.ratio) {
                        (Some(c), _) if i.waivable => format!(
                            "met {} breached {} pending {} waived {}",
                            c.met, c.breached, c.pending, c.waived
                        ),
                        (Some(c), _) => format!(
                            "met {} breached {} pending {}",
                            c.met, c.breached, c.pending
                        ),
                        (None, Some((n, d))) => format!("{n}/{d}"),
                        _ => format!("n={}", i.samples),
                    };
                    [
                        name,
                        if i.report_only {
                            "report".to_string()
                        } else if i.points.is_some() {
                            String::new()
                        } else {
                            i.weight.to_string()
                        },
                        i.value
                            .map(|v| value_text(v, i.unit))
                            .unwrap_or_else(|| "—".into()),
                        i.target.clone(),
                        match i.points {
                            Some(p) => p.to_string(),
                            None => opt(i.score),
                        },
                        detail,
                    ]
                })
                .collect();
            // a points roll-up has no weights, and points in place of scores
            let heads = if a.rollup == "points" {
                ["indicator", "", "value", "target", "points", "detail"]
            } else {
                ["indicator", "weight", "value", "target", "score", "detail"]
            };
            let mut widths = heads.map(width);
            for r in &rows {
                for (w, c) in widths.iter_mut().zip(r.iter()) {
                    *w = (*w).max(width(c));
                }
            }
            let line = |cells: &[String]| {
                let mut s = String::from("  ");
                for (i, (c, w)) in cells.iter().zip(widths.iter()).enumerate() {
                    let pad = w.saturating_sub(width(c));
                    if i == 0 || i == 5 {
                        s.push_str(c);
                        s.push_str(&" ".repeat(pad));
                    } else {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(c);
                    }
                    s.push_str("  ");
                }
                s.trim_end().to_string() + "\n"
            };
            out.push_str(&line(&heads.map(String::from)));
            for r in &rows {
                out.push_str(&line(r));
            }
        }
        out
    }
}

impl AssessmentCard {
    /// Did the assessment's indicators measure nothing in the period (no clock, no
    /// denominator, no counted event, no sample)? Then nothing was assessed, and no score
    /// or fee is reported.
    pub fn no_evidence(&self) -> bool {
        self.evidence == 0
    }

    fn to_json(&self) -> Value {
        let mut levels = serde_json::Map::new();
        for (l, s) in &self.levels {
            levels.insert(l.as_str().into(), dec(*s));
        }
        let mut out = json!({
            "assessor": self.assessor,
            "assessee": self.assessee,
            "score": dec(self.score),
            "fee": dec(self.fee),
            "share": dec(self.share),
            "fee_due": dec(self.fee_due),
            "passed_through": dec(self.passed_through),
            "evidence": self.evidence,
            "no_evidence": self.no_evidence(),
            "levels": levels,
            "indicators": self.indicators.iter().map(IndicatorCard::to_json).collect::<Vec<_>>(),
        });
        // keys of points roll-ups only, so that weighted scorecards read as they always have
        if let (Value::Object(m), "points") = (&mut out, self.rollup) {
            m.insert("rollup".into(), self.rollup.into());
            m.insert("flags".into(), self.flags.clone().into());
        }
        out
    }
}

impl IndicatorCard {
    fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("id".into(), self.id.clone().into());
        m.insert("level".into(), self.level.as_str().into());
        m.insert("unit".into(), unit_key(self.unit).into());
        if self.points.is_none() {
            m.insert("weight".into(), self.weight.to_string().into());
        }
        if self.report_only {
            m.insert("report_only".into(), true.into());
        }
        m.insert("value".into(), dec(self.value));
        match self.points {
            Some(p) => m.insert("points".into(), p.to_string().into()),
            None => m.insert("score".into(), dec(self.score)),
        };
        m.insert(
            "target".into(),
            if self.target.is_empty() {
                Value::Null
            } else {
                self.target.clone().into()
            },
        );
        m.insert(
            "target_met".into(),
            self.target_met.map_or(Value::Null, Value::Bool),
        );
        if let Some(c) = self.clocks {
            m.insert("met".into(), c.met.into());
            m.insert("breached".into(), c.breached.into());
            m.insert("pending".into(), c.pending.into());
            if self.waivable {
                m.insert("waived".into(), c.waived.into());
            }
        }
        if let Some((n, d)) = self.ratio {
            m.insert("numerator".into(), n.into());
            m.insert("denominator".into(), d.into());
        }
        m.insert("samples".into(), self.samples.into());
        Value::Object(m)
    }
}

/// A value as a person reads it: counts as integers, durations with their unit, shares and
/// plain numbers as rounded.
pub fn value_text(v: Decimal, unit: Unit) -> String {
    match unit {
        Unit::Millis => format!("{}ms", v.normalize()),
        Unit::Seconds => format!("{}s", v.normalize()),
        _ => plain_value(v, unit),
    }
}

/// A value for CSV: numbers only (the `unit` column names the unit); counts as integers,
/// durations without trailing zeros.
fn plain_value(v: Decimal, unit: Unit) -> String {
    match unit {
        Unit::Count | Unit::Millis | Unit::Seconds => v.normalize().to_string(),
        _ => v.to_string(),
    }
}

/// The name of a unit in JSON and CSV (`share`, `ms`, `s`, `count`, `number`).
pub fn unit_key(u: Unit) -> &'static str {
    match u {
        Unit::Fraction => "share",
        Unit::Millis => "ms",
        Unit::Seconds => "s",
        Unit::Count => "count",
        Unit::Number => "number",
    }
}

/// The unit a [`unit_key`] names.
pub fn unit_of_key(key: &str) -> Option<Unit> {
    [
        Unit::Fraction,
        Unit::Millis,
        Unit::Seconds,
        Unit::Count,
        Unit::Number,
    ]
    .into_iter()
    .find(|u| unit_key(*u) == key)
}

fn opt(d: Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Period-by-period summary per party: score and fee due for each period.
pub fn summary(cards: &[Scorecard]) -> String {
    let mut out = String::from("\nsummary (score / fee due)\n");
    let Some(first) = cards.first() else {
        return out;
    };
    for (ai, a) in first.assessments.iter().enumerate() {
        out.push_str(&format!("  {} → {}\n", a.assessor, a.assessee));
        for c in cards {
            if let Some(x) = c.assessments.get(ai) {
                out.push_str(&format!(
                    "    {}  {:>7}  {:>14}\n",
                    c.period,
                    opt(x.score),
                    opt(x.fee_due)
                ));
            }
        }
    }
    out
}
