//! What-if: the same events scored under two contract versions.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::engine::eval::Findings;
use crate::engine::scorecard::Scorecard;

/// One indicator of one assessment under both versions.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDiff {
    /// The indicator's id.
    pub id: String,
    /// the unit of the values (of the new version where both have the indicator)
    pub unit: crate::contract::Unit,
    /// Rounded value under the old version; `None` when not applicable or not there.
    pub old_value: Option<Decimal>,
    /// Rounded value under the new version; `None` when not applicable or not there.
    pub new_value: Option<Decimal>,
    /// Score under the old version.
    pub old_score: Option<Decimal>,
    /// Score under the new version.
    pub new_score: Option<Decimal>,
    /// (subject, old status, new status); `None` = not counted against
    pub changed: Vec<(String, Option<String>, Option<String>)>,
}

/// One assessment, matched by assessor and assessee, under both versions.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentDiff {
    /// The assessor's party id.
    pub assessor: String,
    /// The assessee's party id.
    pub assessee: String,
    /// Party score under the old version.
    pub old_score: Option<Decimal>,
    /// Party score under the new version.
    pub new_score: Option<Decimal>,
    /// Fee due under the old version.
    pub old_fee_due: Option<Decimal>,
    /// Fee due under the new version.
    pub new_fee_due: Option<Decimal>,
    /// Every indicator of either version, the old version's first.
    pub indicators: Vec<IndicatorDiff>,
}

/// One period scored under two contract versions: what changes, assessment by assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// The period's key.
    pub period: String,
    /// Every assessment of either version, the old version's first.
    pub assessments: Vec<AssessmentDiff>,
}

type Explained = (Scorecard, Findings);

/// Compares two explained scorecards of the same period. Assessments and indicators are
/// matched by party and indicator id; ones present in only one version show `None` there.
pub fn diff(old: &Explained, new: &Explained) -> Diff {
    let mut out = Vec::new();
    let find = |x: &Explained, assessor: &str, assessee: &str| {
        x.0.assessments
            .iter()
            .position(|a| a.assessor == assessor && a.assessee == assessee)
    };
    let mut keys: Vec<(String, String)> = Vec::new();
    for a in old.0.assessments.iter().chain(&new.0.assessments) {
        let k = (a.assessor.clone(), a.assessee.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for (assessor, assessee) in keys {
        let oa = find(old, &assessor, &assessee);
        let na = find(new, &assessor, &assessee);
        let ocard = oa.and_then(|i| old.0.assessments.get(i));
        let ncard = na.and_then(|i| new.0.assessments.get(i));
        let mut ids: Vec<String> = Vec::new();
        for c in [ocard, ncard].into_iter().flatten() {
            for i in &c.indicators {
                if !ids.contains(&i.id) {
                    ids.push(i.id.clone());
                }
            }
        }
        let mut inds = Vec::new();
        for id in ids {
            let side = |card: Option<&crate::engine::scorecard::AssessmentCard>,
                        ai: Option<usize>,
                        x: &Explained| {
                let ii = card.and_then(|c| c.indicators.iter().position(|i| i.id == id));
                let ic = card.zip(ii).and_then(|(c, ii)| c.indicators.get(ii));
                let f: BTreeMap<String, String> = ai
                    .zip(ii)
                    .and_then(|(a, i)| x.1.get(a).and_then(|v| v.get(i)))
                    .map(|v| {
                        v.iter()
                            .map(|f| (f.subject.clone(), f.status.to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                (
                    ic.and_then(|i| i.value),
                    ic.and_then(|i| i.score),
                    f,
                    ic.map(|i| i.unit),
                )
            };
            let (ov, os, of, ou) = side(ocard, oa, old);
            let (nv, ns, nf, nu) = side(ncard, na, new);
            let mut changed = Vec::new();
            let subjects: std::collections::BTreeSet<&String> =
                of.keys().chain(nf.keys()).collect();
            for s in subjects {
                let (o, n) = (of.get(s), nf.get(s));
                if o != n {
                    changed.push((s.clone(), o.cloned(), n.cloned()));
                }
            }
            inds.push(IndicatorDiff {
                id,
                unit: nu.or(ou).unwrap_or(crate::contract::Unit::Number),
                old_value: ov,
                new_value: nv,
                old_score: os,
                new_score: ns,
                changed,
            });
        }
        out.push(AssessmentDiff {
            assessor,
            assessee,
            old_score: ocard.and_then(|c| c.score),
            new_score: ncard.and_then(|c| c.score),
            old_fee_due: ocard.and_then(|c| c.fee_due),
            new_fee_due: ncard.and_then(|c| c.fee_due),
            indicators: inds,
        });
    }
    Diff {
        period: new.0.period.clone(),
        assessments: out,
    }
}

fn s(d: Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn j(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

impl Diff {
    /// The JSON form: decimals as strings, `null` where a version has no value.
    pub fn to_json(&self) -> Value {
        json!({
            "period": self.period,
            "assessments": self.assessments.iter().map(|a| json!({
                "assessor": a.assessor,
                "assessee": a.assessee,
                "old_score": j(a.old_score),
                "new_score": j(a.new_score),
                "old_fee_due": j(a.old_fee_due),
                "new_fee_due": j(a.new_fee_due),
                "indicators": a.indicators.iter().map(|i| json!({
                    "id": i.id,
                    "old_value": j(i.old_value),
                    "new_value": j(i.new_value),
                    "old_score": j(i.old_score),
                    "new_score": j(i.new_score),
                    "changed": i.changed.iter().map(|(s, o, n)| json!({"subject": s, "old": o, "new": n})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// Lists only what changed: assessments whose score, fee or indicators differ.
    pub fn to_table(&self) -> String {
        let mut out = format!("period {}\n", self.period);
        let mut any = false;
        for a in &self.assessments {
            let inds: Vec<&IndicatorDiff> = a
                .indicators
                .iter()
                .filter(|i| {
                    i.old_value != i.new_value
                        || i.old_score != i.new_score
                        || !i.changed.is_empty()
                })
                .collect();
            if inds.is_empty() && a.old_score == a.new_score && a.old_fee_due == a.new_fee_due {
                continue;
            }
            any = true;
            out.push_str(&format!(
                "{} → {}: score {} → {}, fee due {} → {}\n",
                a.assessor,
                a.assessee,
                s(a.old_score),
                s(a.new_score),
                s(a.old_fee_due),
                s(a.new_fee_due)
            ));
            for i in inds {
                let v = |d: Option<Decimal>| {
                    d.map(|d| crate::engine::scorecard::value_text(d, i.unit))
                        .unwrap_or_else(|| "—".into())
                };
                out.push_str(&format!(
                    "  {}: value {} → {}, score {} → {}\n",
                    i.id,
                    v(i.old_value),
                    v(i.new_value),
                    s(i.old_score),
                    s(i.new_score)
                ));
                for (subj, o, n) in &i.changed {
                    out.push_str(&format!(
                        "    {subj}: {} → {}\n",
                        o.as_deref().unwrap_or("ok"),
                        n.as_deref().unwrap_or("ok")
                    ));
                }
            }
        }
        if !any {
            out.push_str("no differences\n");
        }
        out
    }
}
