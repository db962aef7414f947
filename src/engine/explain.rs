//! Explanations: why an indicator has the value and score it has, subject by subject.

use crate::engine::eval::Finding;
use crate::engine::scorecard::{AssessmentCard, IndicatorCard, Scorecard};

/// Formats seconds as `1h 05m 00s`, in hours however long: a clock counts working time
/// on its calendar, so "days" would read as business days where they are 24-hour units.
pub fn duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    if h > 0 {
        format!("{sign}{h}h {m:02}m {s:02}s")
    } else {
        format!("{sign}{m}m {s:02}s")
    }
}

/// A readable account of one indicator in one assessment and what counted against it.
pub fn render(
    card: &Scorecard,
    a: &AssessmentCard,
    ic: &IndicatorCard,
    findings: &[Finding],
) -> String {
    let mut out = String::new();
    let name = [ic.title_zh.as_deref(), ic.title_en.as_deref()]
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let opt =
        |d: Option<rust_decimal::Decimal>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    out.push_str(&format!(
        "{} → {} · {} · {} {}\n",
        a.assessor, a.assessee, card.period, ic.id, name
    ));
    let weight = if ic.report_only {
        "report only (not in the party score)".to_string()
    } else {
        format!("weight {}", ic.weight)
    };
    out.push_str(&format!(
        "  value {} (target {}), score {} of 100, {weight}\n",
        ic.value
            .map(|v| crate::engine::scorecard::value_text(v, ic.unit))
            .unwrap_or_else(|| "—".into()),
        ic.target,
        opt(ic.score),
    ));
    if let Some(c) = ic.clocks {
        out.push_str(&format!(
            "  clocks: {} met, {} breached, {} pending (pending clocks count in neither part)\n",
            c.met, c.breached, c.pending
        ));
    }
    if let Some((n, d)) = ic.ratio {
        out.push_str(&format!("  {n} of {d} counted in the numerator\n"));
    }
    if let (Some(s), Some(score), false) = (ic.score, a.score, ic.report_only) {
        let total: rust_decimal::Decimal = a
            .indicators
            .iter()
            .filter(|i| i.score.is_some() && !i.report_only)
            .map(|i| i.weight)
            .sum();
        if !total.is_zero() {
            let lost = (rust_decimal::Decimal::ONE_HUNDRED - s) * ic.weight / total;
            out.push_str(&format!(
                "  points lost on the party score ({}): {}\n",
                score,
                crate::engine::score::round(lost, 2)
            ));
        }
    }
    if findings.is_empty() {
        out.push_str("  nothing counted against this indicator\n");
    }
    for f in findings {
        let mut line = format!("  - {} [{}] {}", f.subject, f.product, f.status);
        if let (Some(e), Some(al)) = (f.elapsed, f.allowed) {
            line.push_str(&format!(
                ": {} counted, {} allowed",
                duration(e),
                duration(al)
            ));
        } else if let Some(e) = f.elapsed {
            line.push_str(&format!(": {} counted", duration(e)));
        }
        if let (Some(_), Some(cal)) = (f.elapsed, &f.calendar) {
            line.push_str(&format!(" (working time on calendar `{cal}`)"));
        }
        if let Some(d) = &f.due {
            line.push_str(&format!(": due {d}"));
        }
        if let Some(w) = &f.waiver {
            line.push_str(&format!(
                ": by waiver {}, approved by {}: {}",
                w.id,
                if w.approver.is_empty() {
                    "—"
                } else {
                    &w.approver
                },
                if w.reason.is_empty() {
                    "—"
                } else {
                    &w.reason
                }
            ));
        }
        out.push_str(&line);
        out.push('\n');
        for e in &f.events {
            let step = e
                .step
                .map(|s| format!("{s:?}").to_lowercase())
                .unwrap_or_default();
            out.push_str(&format!(
                "      {:<8} {}  {}  {}\n",
                step, e.at, e.kind, e.id
            ));
        }
    }
    out
}

/// The header of [`csv_rows`].
pub const CSV_HEADER: &str = "period,assessor,assessee,indicator,subject,product,status,counted_seconds,allowed_seconds,due,calendar,events\n";

/// One CSV row per finding (subject or event) of one indicator in one assessment; `events`
/// lists the finding's events as `step at kind id`, separated by `; `.
pub fn csv_rows(
    card: &Scorecard,
    a: &AssessmentCard,
    ic: &IndicatorCard,
    findings: &[Finding],
    out: &mut String,
) {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for f in findings {
        let events: Vec<String> = f
            .events
            .iter()
            .map(|e| {
                let step = e
                    .step
                    .map(|s| format!("{s:?}").to_lowercase())
                    .unwrap_or_else(|| "event".into());
                format!("{step} {} {} {}", e.at, e.kind, e.id)
            })
            .collect();
        let cells = [
            field(&card.period),
            field(&a.assessor),
            field(&a.assessee),
            field(&ic.id),
            field(&f.subject),
            field(&f.product),
            field(f.status.as_str()),
            n(f.elapsed),
            n(f.allowed),
            field(&f.due.map(|d| d.to_string()).unwrap_or_default()),
            field(f.calendar.as_deref().unwrap_or("")),
            field(&events.join("; ")),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
}
