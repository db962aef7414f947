//! Golden tests of the checker's diagnostics: each case breaks a small valid contract in one
//! way, asserts the codes and positions explicitly, and snapshots the rendered text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slagrade::contract::check::load;
use slagrade::language::diagnostic::{line_col, render, to_json, Diagnostic, Severity};

mod common;

/// A small valid contract; every case below is a variation of it.
const MINI: &str = r#"contract "mini" {
  timezone "Asia/Shanghai"
  currency CNY
  term 2026-01-01 .. 2026-12-31
  period month

  calendar office {
    hours mon..fri 09:00-12:00, 13:30-17:30
    holidays cn-statutory
  }
  calendar always { hours 24x7 }

  party bureau client "市局"
  party prime prime "总包方" fee 1000.00 CNY / month
  party netco sub "网络分包方" fee 100.00 CNY / month {
    covers network.*
  }

  category app "应用系统运维" calendar office {
    subcategory desk "服务台" {
      product oa "协同办公"
    }
  }
  category network "网络接入服务" calendar always {
    product wan "电子政务外网"
  }

  event ticket.opened { priority: P1 | P2 | P3 | P4, source?: text, due: time }
  event ticket.acknowledged
  event ticket.resolved
  event net.probe { latency_ms: number ms, ok: bool }

  subject ticket {
    anchor ticket.opened
    flag resolved set on ticket.resolved
  }

  indicator response "服务响应及时率" {
    level process
    weight 60
    clock ticket {
      stop on ticket.acknowledged
      deadline by priority { P1 => 15m, P2 => 30m, P3 => 2h, P4 => 4h }
      calendar business
    }
    value rate(met)
    target >= 95%
    score linear 80% -> 0, 95% -> 100
  }

  indicator latency "平均响应时间" {
    level system
    weight 40
    value mean(net.probe.latency_ms where ok == true)
    target <= 50ms
    score linear 50ms -> 100, 200ms -> 0
  }

  assess prime by bureau { scope all }
  assess netco by prime {
    override response { target >= 97% }
  }

  payment {
    score >= 90 pays 100%
    score 60 .. 90 pays 70% .. 100%
    score < 60 pays 50%
  }
}
"#;

/// MINI with each `(old, new)` replaced once; `old` must occur exactly once.
fn mini(edits: &[(&str, &str)]) -> String {
    let mut s = MINI.to_string();
    for (old, new) in edits {
        assert_eq!(s.matches(old).count(), 1, "`{old}` must occur exactly once");
        s = s.replacen(old, new, 1);
    }
    s
}

/// All diagnostics of a source: the errors (and warnings) of a failed load, or the warnings
/// of a successful one.
fn diagnostics(src: &str) -> (bool, Vec<Diagnostic>) {
    match load(src) {
        Ok(c) => (true, c.warnings),
        Err(d) => (false, d.into_diagnostics()),
    }
}

/// Asserts exactly these `(code, line, column)`, in this order, then snapshots the rendering.
fn case(name: &str, src: &str, expected: &[(&str, usize, usize)]) -> Vec<Diagnostic> {
    let (ok, diags) = diagnostics(src);
    let got: Vec<(&str, usize, usize)> = diags
        .iter()
        .map(|d| {
            let (l, c) = line_col(src, d.span.start);
            (d.code.as_str(), l, c)
        })
        .collect();
    let text = render(&diags, src, &format!("{name}.sla"), false);
    assert_eq!(got, expected, "\n{text}");
    for d in &diags {
        assert_eq!(
            d.severity,
            d.code.severity(),
            "{}: an E code is an error, a W code a warning",
            d.code
        );
    }
    let has_errors = diags.iter().any(|d| d.severity == Severity::Error);
    assert_eq!(
        ok, !has_errors,
        "load succeeds exactly when there is no error"
    );
    insta::assert_snapshot!(name, text);
    diags
}

#[test]
fn mini_is_clean() {
    let (ok, diags) = diagnostics(MINI);
    assert!(
        ok && diags.is_empty(),
        "{}",
        render(&diags, MINI, "mini.sla", false)
    );
}

// ------------------------------------------------------------------ header

#[test]
fn unknown_timezone() {
    let src = mini(&[("\"Asia/Shanghai\"", "\"Asia/Shanghia\"")]);
    let d = case("unknown_timezone", &src, &[("E0101", 2, 12)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `Asia/Shanghai`?"));
}

#[test]
fn missing_timezone() {
    let src = mini(&[("  timezone \"Asia/Shanghai\"\n", "")]);
    let d = case("missing_timezone", &src, &[("E0100", 1, 10)]);
    assert!(d[0].help.as_deref().unwrap().contains("timezone"));
}

#[test]
fn inverted_term() {
    let src = mini(&[(
        "term 2026-01-01 .. 2026-12-31",
        "term 2026-12-31 .. 2026-01-01",
    )]);
    case("inverted_term", &src, &[("E0103", 4, 3)]);
}

#[test]
fn syntax_error_through_load() {
    let src = mini(&[(
        "  calendar always { hours 24x7 }\n",
        "  calendar always { hours 24x7 \n",
    )]);
    // The parser reports where it could go no further: the next item after the open brace.
    case("syntax_error", &src, &[("E0001", 13, 3)]);
}

// ------------------------------------------------------------------ calendars

#[test]
fn calendar_named_business_is_refused() {
    // `calendar business` in a clock means the product's calendar: the name is reserved
    let src = mini(&[
        (
            "calendar always { hours 24x7 }",
            "calendar business { hours 24x7 }",
        ),
        (
            "\"网络接入服务\" calendar always",
            "\"网络接入服务\" calendar business",
        ),
    ]);
    let d = case("calendar_named_business", &src, &[("E0122", 11, 12)]);
    assert!(d[0].help.as_deref().unwrap().contains("rename it"));
}

#[test]
fn inverted_hours() {
    let src = mini(&[("09:00-12:00", "12:00-09:00")]);
    let d = case("inverted_hours", &src, &[("E0113", 8, 20)]);
    assert!(d[0].message.contains("ends before it starts"));
}

#[test]
fn overlapping_hours_reported_once() {
    let src = mini(&[("13:30-17:30", "11:30-17:30")]);
    case("overlapping_hours", &src, &[("E0114", 8, 33)]);
}

#[test]
fn wrapping_day_range() {
    let src = mini(&[("mon..fri", "fri..mon")]);
    case("wrapping_day_range", &src, &[("E0112", 8, 11)]);
}

#[test]
fn hours_24x7_combined() {
    let src = mini(&[(
        "calendar always { hours 24x7 }",
        "calendar always { hours 24x7 hours sat 09:00-10:00 }",
    )]);
    case("hours_24x7_combined", &src, &[("E0115", 11, 21)]);
}

#[test]
fn unknown_holiday_table() {
    let src = mini(&[("holidays cn-statutory", "holidays cn-statuory")]);
    let d = case("unknown_holiday_table", &src, &[("E0116", 9, 14)]);
    assert!(d[0].help.as_deref().unwrap().contains("cn-statutory"));
}

#[test]
fn missing_holiday_table_year() {
    let src = mini(&[("2026-12-31", "2027-12-31")]);
    let d = case("missing_holiday_table_year", &src, &[("E0117", 9, 5)]);
    assert_eq!(
        d[0].message,
        "holiday table `cn-statutory` has no data for 2027"
    );
}

#[test]
fn makeup_day_on_a_weekday_warns() {
    let src = mini(&[(
        "    holidays cn-statutory\n",
        "    holidays cn-statutory\n    workday 2026-10-09\n",
    )]);
    let d = case("makeup_day_on_weekday", &src, &[("W0100", 10, 5)]);
    assert_eq!(d[0].severity, Severity::Warning);
}

#[test]
fn unknown_calendar_reported_once() {
    // The category's products inherit the bad name; they do not report again.
    let src = mini(&[(
        "calendar office {\n    subcategory",
        "calendar ofice {\n    subcategory",
    )]);
    let d = case("unknown_calendar", &src, &[("E0119", 19, 34)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `office`?"));
}

#[test]
fn product_without_calendar() {
    let src = mini(&[("\"网络接入服务\" calendar always {", "\"网络接入服务\" {")]);
    case("product_without_calendar", &src, &[("E0141", 25, 13)]);
}

// ------------------------------------------------------------------ parties

#[test]
fn duplicate_party() {
    let src = mini(&[(
        "  party bureau client \"市局\"\n",
        "  party bureau client \"市局\"\n  party bureau third \"审计\"\n",
    )]);
    case("duplicate_party", &src, &[("E0130", 14, 9)]);
}

#[test]
fn unknown_product_pattern() {
    let src = mini(&[("covers network.*", "covers netwrk.*")]);
    let d = case("unknown_product_pattern", &src, &[("E0134", 16, 12)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `network.*`?"));
}

#[test]
fn fee_currency_mismatch() {
    let src = mini(&[("100.00 CNY", "100.00 USD")]);
    case("fee_currency_mismatch", &src, &[("E0132", 15, 38)]);
}

#[test]
fn fee_period_mismatch() {
    let src = mini(&[("100.00 CNY / month", "100.00 CNY / year")]);
    case("fee_period_mismatch", &src, &[("E0133", 15, 44)]);
}

#[test]
fn no_prime_warns() {
    let src = mini(&[("party prime prime", "party prime third")]);
    case("no_prime", &src, &[("W0101", 1, 10)]);
}

#[test]
fn product_covered_by_two_subcontractors_warns() {
    let src = mini(&[(
        "    covers network.*\n  }\n",
        "    covers network.*\n  }\n  party netco2 sub \"二\" fee 1.00 CNY / month {\n    covers network.wan\n  }\n",
    )]);
    case("covered_twice", &src, &[("W0102", 19, 12)]);
}

// ------------------------------------------------------------------ events and subjects

#[test]
fn duplicate_event_kind() {
    let src = mini(&[(
        "  event ticket.resolved\n",
        "  event ticket.resolved\n  event ticket.resolved\n",
    )]);
    case("duplicate_event_kind", &src, &[("E0150", 31, 9)]);
}

#[test]
fn anchor_at_not_a_time() {
    let src = mini(&[("anchor ticket.opened", "anchor ticket.opened at priority")]);
    case("anchor_at_not_a_time", &src, &[("E0161", 34, 29)]);
}

#[test]
fn one_typo_one_error() {
    // The subject's anchor is misspelt: the deadline by priority, which needs the anchor's
    // attributes, is skipped rather than reported again.
    let src = mini(&[("anchor ticket.opened", "anchor ticket.opend")]);
    let d = case("one_typo_one_error", &src, &[("E0152", 34, 12)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `ticket.opened`?"));
}

// ------------------------------------------------------------------ indicators

#[test]
fn non_positive_weight() {
    let src = mini(&[("weight 60", "weight 0")]);
    case("non_positive_weight", &src, &[("E0172", 40, 12)]);
}

#[test]
fn weights_not_summing_to_100_warn() {
    let src = mini(&[("weight 40", "weight 30")]);
    let d = case("weights_not_100", &src, &[("W0103", 1, 10)]);
    assert!(d[0].message.contains("90"));
}

#[test]
fn linear_floor_equals_target() {
    let src = mini(&[(
        "score linear 80% -> 0, 95% -> 100",
        "score linear 95% -> 0, 95% -> 100",
    )]);
    case("linear_floor_equals_target", &src, &[("E0187", 48, 28)]);
}

#[test]
fn score_out_of_range() {
    let src = mini(&[("95% -> 100", "95% -> 120")]);
    case("score_out_of_range", &src, &[("E0188", 48, 35)]);
}

#[test]
fn deadline_table_missing_p4() {
    let src = mini(&[(", P4 => 4h }", " }")]);
    let d = case("deadline_missing_p4", &src, &[("E0180", 43, 7)]);
    assert!(d[0].message.contains("`P4`"));
}

#[test]
fn unknown_enum_value_in_deadline_table() {
    let src = mini(&[("P4 => 4h", "P5 => 4h")]);
    let d = case("deadline_unknown_value", &src, &[("E0181", 43, 62)]);
    assert!(d[0]
        .help
        .as_deref()
        .unwrap()
        .starts_with("did you mean `P4`?"));
}

#[test]
fn unknown_event_kind_in_clock() {
    let src = mini(&[("stop on ticket.acknowledged", "stop on ticket.acknowleged")]);
    let d = case("unknown_kind_in_clock", &src, &[("E0152", 42, 15)]);
    assert_eq!(
        d[0].help.as_deref(),
        Some("did you mean `ticket.acknowledged`?")
    );
}

#[test]
fn rate_met_without_clock() {
    let src = mini(&[(
        "    clock ticket {\n      stop on ticket.acknowledged\n      deadline by priority { P1 => 15m, P2 => 30m, P3 => 2h, P4 => 4h }\n      calendar business\n    }\n",
        "",
    )]);
    case("rate_without_clock", &src, &[("E0175", 41, 11)]);
}

#[test]
fn clock_without_rate_met() {
    let src = mini(&[(
        "value rate(met)",
        "value ratio(count(ticket where resolved), count(ticket))",
    )]);
    case("clock_without_rate", &src, &[("E0176", 41, 11)]);
}

#[test]
fn unknown_value_function() {
    let src = mini(&[("value rate(met)", "value rat(met)")]);
    case("unknown_value_function", &src, &[("E0177", 46, 11)]);
}

#[test]
fn unit_mismatch_in_target() {
    let src = mini(&[("target <= 50ms", "target <= 95%")]);
    let d = case("unit_mismatch_target", &src, &[("E0184", 55, 15)]);
    assert!(d[0].message.starts_with("unit mismatch"));
}

#[test]
fn unit_mismatch_in_target_of_a_share() {
    let src = mini(&[("target >= 95%", "target >= 50ms")]);
    let d = case("unit_mismatch_target_share", &src, &[("E0184", 47, 15)]);
    assert!(d[0].message.contains("expects a share such as `95%`"));
}

#[test]
fn unit_mismatch_in_linear() {
    let src = mini(&[("50ms -> 100", "50% -> 100")]);
    case("unit_mismatch_linear", &src, &[("E0184", 56, 18)]);
}

#[test]
fn unit_mismatch_in_condition() {
    let src = mini(&[("where ok == true", "where latency_ms <= 15m")]);
    case("unit_mismatch_condition", &src, &[("E0184", 54, 57)]);
}

#[test]
fn plain_number_in_attribute_unit_is_fine() {
    let src = mini(&[("where ok == true", "where latency_ms <= 2000")]);
    let (ok, d) = diagnostics(&src);
    assert!(ok && d.is_empty());
}

#[test]
fn unknown_attribute_in_condition() {
    let src = mini(&[("where ok == true", "where okk == true")]);
    let d = case("unknown_attribute_in_condition", &src, &[("E0153", 54, 43)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `ok`?"));
}

#[test]
fn bool_compared_with_text() {
    let src = mini(&[("where ok == true", "where ok == yes")]);
    case("bool_compared_with_text", &src, &[("E0185", 54, 49)]);
}

#[test]
fn enum_compared_with_unknown_value() {
    let src = mini(&[(
        "value rate(met)",
        "value rate(met)\n    filter priority != P9",
    )]);
    case("enum_unknown_value_in_filter", &src, &[("E0181", 47, 24)]);
}

#[test]
fn deduct_per_zero() {
    let src = mini(&[(
        "score linear 50ms -> 100, 200ms -> 0",
        "score deduct 25 per 0",
    )]);
    case("deduct_per_zero", &src, &[("E0189", 56, 25)]);
}

#[test]
fn deduct_per_unit_of_a_share_the_target_wants_high() {
    // "每次扣1分" read as `deduct 1 per 1`: on `rate(met)` it deducts for the clocks met
    let src = mini(&[(
        "score linear 80% -> 0, 95% -> 100",
        "score deduct 1 per 1 cap 10",
    )]);
    let d = case("deduct_on_a_high_share", &src, &[("E0193", 48, 5)]);
    assert!(d[0].message.contains("the share of clocks met"));
    assert!(d[0].help.as_deref().unwrap().contains("score linear"));
}

#[test]
fn deduct_in_an_override_on_a_share_the_target_wants_high() {
    let src = mini(&[(
        "override response { target >= 97% }",
        "override response { score deduct 5 per 1% }",
    )]);
    case(
        "deduct_on_a_high_share_override",
        &src,
        &[("E0193", 61, 25)],
    );
}

/// The latency indicator turned into a failure share that should stay low.
const FAILURE_SHARE: &str = "value ratio(count(net.probe where not ok), count(net.probe))\n    target <= 1%\n    score deduct 10 per ";

#[test]
fn deduct_on_a_low_share_needs_a_percentage() {
    let src = mini(&[(
        "value mean(net.probe.latency_ms where ok == true)\n    target <= 50ms\n    score linear 50ms -> 100, 200ms -> 0",
        &format!("{FAILURE_SHARE}1"),
    )]);
    let d = case(
        "deduct_on_a_low_share_per_plain",
        &src,
        &[("E0193", 56, 25)],
    );
    assert!(d[0].message.contains("per 100%"), "{}", d[0].message);
    // the same step as a fraction is fine
    let src = mini(&[(
        "value mean(net.probe.latency_ms where ok == true)\n    target <= 50ms\n    score linear 50ms -> 100, 200ms -> 0",
        &format!("{FAILURE_SHARE}0.01"),
    )]);
    let (ok, d) = diagnostics(&src);
    assert!(ok && d.is_empty(), "{}", render(&d, &src, "x.sla", false));
    let src = mini(&[(
        "value mean(net.probe.latency_ms where ok == true)\n    target <= 50ms\n    score linear 50ms -> 100, 200ms -> 0",
        &format!("{FAILURE_SHARE}1%"),
    )]);
    let (ok, d) = diagnostics(&src);
    assert!(ok && d.is_empty(), "{}", render(&d, &src, "x.sla", false));
}

#[test]
fn flag_in_a_clock_filter_is_read() {
    let src = mini(&[(
        "value rate(met)",
        "value rate(met)\n    filter not resolved",
    )]);
    let (ok, d) = diagnostics(&src);
    assert!(ok && d.is_empty(), "{}", render(&d, &src, "x.sla", false));
}

#[test]
fn flag_in_a_condition_on_single_events() {
    let src = mini(&[(
        "value mean(net.probe.latency_ms where ok == true)",
        "filter resolved\n    value mean(net.probe.latency_ms where ok == true)",
    )]);
    let d = case("flag_on_single_events", &src, &[("E0186", 54, 12)]);
    assert!(d[0].message.contains("is a flag of subject `ticket`"));
}

#[test]
fn bare_condition_that_is_not_a_bool_attribute() {
    let src = mini(&[("where ok == true", "where okay")]);
    let d = case("bare_condition_not_a_bool", &src, &[("E0186", 54, 43)]);
    assert_eq!(
        d[0].message,
        "`okay` is not a bool attribute of `net.probe`"
    );
    assert_eq!(d[0].help.as_deref(), Some("available: `ok`"));
}

#[test]
fn bare_condition_on_a_subject() {
    let src = mini(&[("value rate(met)", "value rate(met)\n    filter resolvd")]);
    let d = case("bare_condition_on_a_subject", &src, &[("E0186", 47, 12)]);
    assert_eq!(
        d[0].message,
        "`resolvd` is neither a flag of subject `ticket` nor a bool attribute of `ticket.opened`"
    );
    assert_eq!(d[0].help.as_deref(), Some("did you mean `resolved`?"));
}

#[test]
fn date_in_a_condition() {
    let src = mini(&[(
        "value rate(met)",
        "value rate(met)\n    filter at < 2026-07-01",
    )]);
    let d = case("date_in_condition", &src, &[("E0194", 47, 17)]);
    assert!(d[0]
        .message
        .starts_with("dates are not allowed in conditions"));
}

#[test]
fn report_only_and_weight_together() {
    let src = mini(&[("weight 60", "weight 60\n    report only")]);
    case("report_only_with_weight", &src, &[("E0195", 41, 5)]);
}

#[test]
fn report_only_indicator_leaves_the_weight_sum() {
    // latency is report only: the weights sum to 60 (response alone)
    let src = mini(&[("weight 40", "report only")]);
    let d = case("report_only_weights", &src, &[("W0103", 1, 10)]);
    assert_eq!(d[0].message, "indicator weights sum to 60, not 100");
}

#[test]
fn report_only_in_an_override() {
    let src = mini(&[(
        "override response { target >= 97% }",
        "override response { report only }",
    )]);
    let (ok, d) = diagnostics(&src);
    assert!(ok && d.is_empty(), "{}", render(&d, &src, "x.sla", false));
    let src = mini(&[(
        "override response { target >= 97% }",
        "override response { report only weight 5 }",
    )]);
    case(
        "report_only_with_weight_override",
        &src,
        &[("E0195", 61, 25)],
    );
}

// ------------------------------------------------------------------ assessments and payment

#[test]
fn unknown_indicator_in_override() {
    let src = mini(&[("override response", "override respnse")]);
    let d = case("unknown_indicator_in_override", &src, &[("E0192", 61, 14)]);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `response`?"));
}

#[test]
fn duplicate_override() {
    let src = mini(&[(
        "    override response { target >= 97% }\n",
        "    override response { target >= 97% }\n    override response { weight 10 }\n",
    )]);
    case("duplicate_override", &src, &[("E0202", 62, 14)]);
}

#[test]
fn unit_mismatch_in_override() {
    let src = mini(&[("target >= 97%", "target >= 97ms")]);
    case("unit_mismatch_override", &src, &[("E0184", 61, 35)]);
}

#[test]
fn assessee_is_assessor() {
    let src = mini(&[("assess prime by bureau", "assess prime by prime")]);
    case("assessee_is_assessor", &src, &[("E0200", 59, 10)]);
}

#[test]
fn scope_covered_without_coverage() {
    let src = mini(&[("    covers network.*\n", "")]);
    case("scope_covered_without_coverage", &src, &[("E0201", 59, 10)]);
}

#[test]
fn payment_gap() {
    let src = mini(&[("score 60 .. 90", "score 60 .. 85")]);
    let d = case("payment_gap", &src, &[("E0210", 65, 5)]);
    assert!(d[0].message.contains("85"));
}

#[test]
fn payment_overlap() {
    let src = mini(&[("score < 60", "score < 70")]);
    case("payment_overlap", &src, &[("E0211", 67, 5)]);
}

#[test]
fn contract_without_assessments_warns() {
    let src = mini(&[(
        "  assess prime by bureau { scope all }\n  assess netco by prime {\n    override response { target >= 97% }\n  }\n",
        "",
    )]);
    let d = case("no_assess", &src, &[("W0104", 1, 10)]);
    assert_eq!(d[0].severity, Severity::Warning);
}

// ------------------------------------------------------------------ several findings

#[test]
fn two_independent_errors_sorted_by_position() {
    // Introduced in reverse file order; reported in file order.
    let src = mini(&[
        ("override response", "override respnse"),
        ("\"Asia/Shanghai\"", "\"Mars/Olympus\""),
    ]);
    case(
        "two_independent_errors",
        &src,
        &[("E0101", 2, 12), ("E0192", 61, 14)],
    );
}

#[test]
fn to_json_fields() {
    let src = mini(&[("weight 60", "weight 0")]);
    let (_, d) = diagnostics(&src);
    let json = to_json(&d, &src);
    let arr = json.as_array().unwrap();
    assert_eq!(arr.len(), 1);
    let o = arr[0].as_object().unwrap();
    for key in [
        "code",
        "severity",
        "message",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
    ] {
        assert!(o.contains_key(key), "missing {key}");
    }
    assert_eq!(o["code"], "E0172");
    assert_eq!(o["severity"], "error");
    assert_eq!(o["line"], 40);
    assert_eq!(o["column"], 12);
    assert_eq!(o["end_line"], 40);
    assert_eq!(o["end_column"], 13);
}

#[test]
fn line_col_counts_characters() {
    let src = "ab\n市局x";
    assert_eq!(line_col(src, 0), (1, 1));
    assert_eq!(line_col(src, 3), (2, 1));
    assert_eq!(line_col(src, 9), (2, 3));
    assert_eq!(line_col(src, 4), (2, 1), "inside a character: its start");
    assert_eq!(line_col(src, 999), (2, 4));
}

/// The table of codes in docs/language.md is the registry's, row for row; and every code of the
/// registry is emitted somewhere in the parser or the checker.
#[test]
fn code_table_in_docs_is_the_registry() {
    use slagrade::language::code::Code;
    let root = common::root();
    let doc = std::fs::read_to_string(root.join("docs/language.md")).unwrap();
    let start = doc
        .find("| code | meaning |")
        .expect("docs/language.md has the code table");
    let table: String = doc[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        table,
        Code::table(),
        "docs/language.md differs from the registry (src/language/code.rs): paste Code::table()"
    );
    let mut sources = String::new();
    // the files of these folders and of the folders under them
    let mut dirs: Vec<std::path::PathBuf> = ["src/language", "src/contract/check"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("code.rs") {
                sources.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
    }
    for c in Code::ALL {
        assert!(
            sources.contains(&format!("Code::{c}")),
            "{c} is in the registry but nothing emits it"
        );
    }
}
