//! A scorecard read back from its JSON form (`Scorecard.to_dict`, `slagrade eval --format
//! json`), for `Scorecard.from_dict` and unpickling. The form holds every number and count;
//! what it leaves out (titles, the period's bounds) comes from the contract when one is given.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use slagrade::contract::{Contract, Level};
use slagrade::engine::scorecard::{
    AssessmentCard, ClockCounts, EventCounts, Ignored, IndicatorCard, Scorecard as CoreScorecard,
};

type Obj = Map<String, Value>;

/// An object at `path`, none of whose keys is outside `keys`.
fn object<'a>(v: &'a Value, path: &str, keys: &[&str]) -> Result<&'a Obj, String> {
    let Value::Object(m) = v else {
        return Err(format!("{path}: expected an object"));
    };
    if let Some(k) = m.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(format!("{path}: unknown key `{k}`"));
    }
    Ok(m)
}

fn at(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn field<'a>(m: &'a Obj, path: &str, key: &str) -> Result<&'a Value, String> {
    m.get(key).ok_or_else(|| match path {
        "" => format!("missing `{key}`"),
        p => format!("{p}: missing `{key}`"),
    })
}

fn text(m: &Obj, path: &str, key: &str) -> Result<String, String> {
    match field(m, path, key)? {
        Value::String(s) => Ok(s.clone()),
        _ => Err(format!("{}: expected text", at(path, key))),
    }
}

fn count(m: &Obj, path: &str, key: &str) -> Result<u64, String> {
    field(m, path, key)?
        .as_u64()
        .ok_or_else(|| format!("{}: expected a count", at(path, key)))
}

/// A decimal as the JSON form writes it (text, keeping its scale), or `null`.
fn decimal(m: &Obj, path: &str, key: &str) -> Result<Option<Decimal>, String> {
    let bad = |t: &str| format!("{}: `{t}` is not a decimal", at(path, key));
    match field(m, path, key)? {
        Value::Null => Ok(None),
        Value::String(s) => Decimal::from_str(s).map(Some).map_err(|_| bad(s)),
        // a `Decimal` given in place of its text arrives as a number of the same digits
        Value::Number(n) => {
            let t = n.to_string();
            Decimal::from_str(&t).map(Some).map_err(|_| bad(&t))
        }
        other => Err(bad(&other.to_string())),
    }
}

fn level(name: &str, path: &str) -> Result<Level, String> {
    Level::ALL
        .into_iter()
        .find(|l| l.as_str() == name)
        .ok_or_else(|| format!("{path}: `{name}` is not a level (system, process or role)"))
}

fn indicator(v: &Value, path: &str) -> Result<IndicatorCard, String> {
    const KEYS: [&str; 17] = [
        "waived",
        "id",
        "level",
        "unit",
        "report_only",
        "weight",
        "value",
        "score",
        "points",
        "target",
        "target_met",
        "met",
        "breached",
        "pending",
        "numerator",
        "denominator",
        "samples",
    ];
    let m = object(v, path, &KEYS)?;
    let clocks = if m.contains_key("met") {
        Some(ClockCounts {
            met: count(m, path, "met")?,
            breached: count(m, path, "breached")?,
            pending: count(m, path, "pending")?,
            waived: if m.contains_key("waived") {
                count(m, path, "waived")?
            } else {
                0
            },
        })
    } else {
        None
    };
    let ratio = if m.contains_key("numerator") {
        Some((count(m, path, "numerator")?, count(m, path, "denominator")?))
    } else {
        None
    };
    let points = if m.contains_key("points") {
        Some(
            decimal(m, path, "points")?
                .ok_or_else(|| format!("{}: expected a decimal", at(path, "points")))?,
        )
    } else {
        None
    };
    Ok(IndicatorCard {
        waivable: m.contains_key("waived"),
        id: text(m, path, "id")?,
        title_zh: None,
        title_en: None,
        level: level(&text(m, path, "level")?, &at(path, "level"))?,
        unit: {
            let u = text(m, path, "unit")?;
            slagrade::engine::scorecard::unit_of_key(&u)
                .ok_or_else(|| format!("{}: `{u}` is not a unit", at(path, "unit")))?
        },
        report_only: match m.get("report_only") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(format!(
                    "{}: expected true or false",
                    at(path, "report_only")
                ))
            }
        },
        // a points card has `points` in place of `weight` and `score`
        weight: if points.is_some() {
            Decimal::ZERO
        } else {
            decimal(m, path, "weight")?
                .ok_or_else(|| format!("{}: expected a decimal", at(path, "weight")))?
        },
        value: decimal(m, path, "value")?,
        score: if points.is_some() {
            None
        } else {
            decimal(m, path, "score")?
        },
        points,
        target: match field(m, path, "target")? {
            Value::Null => String::new(),
            _ => text(m, path, "target")?,
        },
        target_met: match field(m, path, "target_met")? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            _ => {
                return Err(format!(
                    "{}: expected true, false or null",
                    at(path, "target_met")
                ))
            }
        },
        clocks,
        ratio,
        samples: count(m, path, "samples")?,
    })
}

fn assessment(v: &Value, path: &str) -> Result<AssessmentCard, String> {
    const KEYS: [&str; 13] = [
        "rollup",
        "flags",
        "assessor",
        "assessee",
        "evidence",
        "no_evidence",
        "score",
        "fee",
        "share",
        "fee_due",
        "passed_through",
        "levels",
        "indicators",
    ];
    let m = object(v, path, &KEYS)?;
    let lpath = at(path, "levels");
    let names: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
    let lm = object(field(m, path, "levels")?, &lpath, &names)?;
    // in `Level::ALL` order, as the scorecard lists them
    let mut levels = Vec::new();
    for l in Level::ALL {
        if lm.contains_key(l.as_str()) {
            levels.push((l, decimal(lm, &lpath, l.as_str())?));
        }
    }
    let ipath = at(path, "indicators");
    let Value::Array(items) = field(m, path, "indicators")? else {
        return Err(format!("{ipath}: expected a list"));
    };
    let indicators = items
        .iter()
        .enumerate()
        .map(|(k, x)| indicator(x, &format!("{ipath}[{k}]")))
        .collect::<Result<_, _>>()?;
    Ok(AssessmentCard {
        assessor: text(m, path, "assessor")?,
        assessee: text(m, path, "assessee")?,
        assessee_title: None,
        score: decimal(m, path, "score")?,
        levels,
        fee: decimal(m, path, "fee")?,
        share: decimal(m, path, "share")?,
        fee_due: decimal(m, path, "fee_due")?,
        passed_through: decimal(m, path, "passed_through")?,
        rollup: match m.get("rollup") {
            None => "weighted",
            Some(Value::String(r)) if r == "points" => "points",
            Some(Value::String(r)) if r == "weighted" => "weighted",
            Some(_) => {
                return Err(format!(
                    "{}: expected \"points\" or \"weighted\"",
                    at(path, "rollup")
                ))
            }
        },
        flags: match m.get("flags") {
            None => Vec::new(),
            Some(Value::Array(fs)) => fs
                .iter()
                .map(|f| match f {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(format!("{}: expected a list of names", at(path, "flags"))),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(format!("{}: expected a list", at(path, "flags"))),
        },
        evidence: count(m, path, "evidence")?,
        indicators,
    })
}

/// The scorecard of a JSON form. Titles are left out and the period's bounds are 0 (the
/// form does not hold them: see [`fill_from_contract`]). `Err` says where the form is wrong.
pub fn scorecard(v: &Value) -> Result<CoreScorecard, String> {
    const KEYS: [&str; 7] = [
        "contract",
        "period",
        "as_of",
        "currency",
        "events",
        "ignored",
        "assessments",
    ];
    let m = object(v, "", &KEYS)?;
    let em = object(
        field(m, "", "events")?,
        "events",
        &["accepted", "duplicates", "rejected"],
    )?;
    let im = object(
        field(m, "", "ignored")?,
        "ignored",
        &["before_anchor", "without_anchor"],
    )?;
    let as_of_text = text(m, "", "as_of")?;
    let as_of = slagrade::event::parse_instant(&as_of_text).map_err(|e| format!("as_of: {e}"))?;
    let Value::Array(items) = field(m, "", "assessments")? else {
        return Err("assessments: expected a list".into());
    };
    let assessments = items
        .iter()
        .enumerate()
        .map(|(k, x)| assessment(x, &format!("assessments[{k}]")))
        .collect::<Result<_, _>>()?;
    Ok(CoreScorecard {
        contract: text(m, "", "contract")?,
        period: text(m, "", "period")?,
        period_start: 0,
        period_end: 0,
        as_of,
        as_of_text,
        currency: text(m, "", "currency")?,
        events: EventCounts {
            accepted: count(em, "events", "accepted")?,
            duplicates: count(em, "events", "duplicates")?,
            rejected: count(em, "events", "rejected")?,
        },
        ignored: Ignored {
            before_anchor: count(im, "ignored", "before_anchor")?,
            without_anchor: count(im, "ignored", "without_anchor")?,
        },
        assessments,
    })
}

/// Fills in what the JSON form leaves out from the contract it was evaluated under: the
/// period's bounds, the assessees' and indicators' titles. `Err` when the card is not one of
/// this contract's.
pub fn fill_from_contract(card: &mut CoreScorecard, c: &Contract) -> Result<(), String> {
    if card.contract != c.name() {
        return Err(format!(
            "the dict is a scorecard of contract `{}`, not of `{}`",
            card.contract,
            c.name()
        ));
    }
    let p = slagrade::time::period::parse(c.period(), c.timezone(), &card.period)
        .map_err(|e| format!("period: {e}"))?;
    card.period_start = p.start;
    card.period_end = p.end;
    for a in &mut card.assessments {
        let party = c
            .parties()
            .iter()
            .find(|p| p.id == a.assessee)
            .ok_or_else(|| format!("`{}` is not a party of `{}`", a.assessee, c.name()))?;
        a.assessee_title = party.title.clone();
        for i in &mut a.indicators {
            let ind = c
                .indicators()
                .iter()
                .find(|x| x.id == i.id)
                .ok_or_else(|| format!("`{}` is not an indicator of `{}`", i.id, c.name()))?;
            i.title_zh = ind.title_zh.clone();
            i.title_en = ind.title_en.clone();
        }
    }
    Ok(())
}
