//! Payment: fee due from the party score, and back-to-back pass-through of deductions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::event::{read_jsonl, Limits, LineOutcome};

const CONTRACT: &str = r#"
contract "b2b" {
  timezone "Asia/Shanghai"
  currency CNY
  term 2026-01-01 .. 2026-12-31
  calendar always { hours 24x7 }
  party city client "City"
  party prime prime "Prime" fee 1000.00 CNY / month
  party netco sub "Net" fee 400.00 CNY / month {
    covers network.*
  }
  category network "网络" calendar always {
    product wan "外网"
  }
  category infra "基础设施" calendar always {
    product servers "服务器"
  }
  event security.incident
  event outage
  indicator incidents "安全事件次数" {
    level system
    weight 75
    value count(security.incident)
    target <= 0
    score deduct 50 per 1 cap 100
  }
  indicator outages "中断次数" {
    level system
    weight 25
    value count(outage)
    target <= 0
    score deduct 100 per 1 cap 100
  }
  assess prime by city {
    scope all
  }
  assess netco by prime {
    scope covered
  }
  payment {
    score >= 90 pays 100%
    score < 90 pays 80%
    back-to-back
  }
}
"#;

#[test]
fn deductions_pass_to_the_subcontractor_that_caused_them() {
    let checked = slagrade::contract::check::load(CONTRACT).unwrap_or_else(|d| {
        panic!(
            "{}",
            slagrade::language::diagnostic::render(&d, CONTRACT, "b2b.sla", false)
        )
    });
    let plan = Arc::new(Plan::compile(checked.contract));
    let events = concat!(
        r#"{"id":"1","at":"2026-10-05T10:00:00+08:00","kind":"security.incident","subject":"I1","product":"network.wan"}"#,
        "\n",
        r#"{"id":"2","at":"2026-10-06T10:00:00+08:00","kind":"outage","subject":"O1","product":"infra.servers"}"#,
        "\n"
    );
    let mut ev = Evaluator::new(&plan);
    read_jsonl(
        plan.contract(),
        events.as_bytes(),
        Limits::default(),
        |o| match o {
            LineOutcome::Accepted(e) => {
                ev.push(e);
            }
            LineOutcome::Rejected(r) => panic!("{r:?}"),
        },
    )
    .unwrap();
    let p = ev.default_period(None).unwrap();
    let card = ev.scorecard(&p, None).unwrap();
    let prime = &card.assessments[0];
    // incidents: 100 − 50 × 1 = 50; outages: 100 − 100 × 1 = 0;
    // party score (75 × 50 + 25 × 0) / 100 = 37.50 < 90 → 80 % of 1000.00 = 800.00
    assert_eq!(prime.score.unwrap().to_string(), "37.50");
    assert_eq!(prime.fee_due.unwrap().to_string(), "800.00");
    let net = &card.assessments[1];
    // the prime lost 75 × 50 / 100 = 37.5 points on incidents (all on netco's network.wan) and
    // 25 × 100 / 100 = 25 points on outages (infra, the prime's own): netco bears
    // 200.00 × 37.5 / 62.5 = 120.00 of the prime's 200.00 deduction
    assert_eq!(net.passed_through.unwrap().to_string(), "120.00");
    // in its own assessment netco saw one incident only: 100 − 50 = 50 on incidents and 100
    // on outages → (75 × 50 + 25 × 100) / 100 = 62.50 → 80 % of 400.00
    assert_eq!(net.score.unwrap().to_string(), "62.50");
    assert_eq!(net.fee_due.unwrap().to_string(), "320.00");
    assert_eq!(prime.passed_through, None);
}

/// The scorecard of `src` on the two events above (a netco incident, an infra outage).
fn card_of(src: &str) -> slagrade::engine::scorecard::Scorecard {
    let checked = slagrade::contract::check::load(src).unwrap_or_else(|d| {
        panic!(
            "{}",
            slagrade::language::diagnostic::render(&d, src, "b2b.sla", false)
        )
    });
    let plan = Arc::new(Plan::compile(checked.contract));
    let events = concat!(
        r#"{"id":"1","at":"2026-10-05T10:00:00+08:00","kind":"security.incident","subject":"I1","product":"network.wan"}"#,
        "\n",
        r#"{"id":"2","at":"2026-10-06T10:00:00+08:00","kind":"outage","subject":"O1","product":"infra.servers"}"#,
        "\n"
    );
    let mut ev = Evaluator::new(&plan);
    read_jsonl(
        plan.contract(),
        events.as_bytes(),
        Limits::default(),
        |o| match o {
            LineOutcome::Accepted(e) => {
                ev.push(e);
            }
            LineOutcome::Rejected(r) => panic!("{r:?}"),
        },
    )
    .unwrap();
    let p = ev.default_period(None).unwrap();
    ev.scorecard(&p, None).unwrap()
}

#[test]
fn a_report_only_indicator_passes_nothing_on() {
    let outages = "    weight 25\n    value count(outage)";
    assert_eq!(CONTRACT.matches(outages).count(), 1);
    let card = card_of(&CONTRACT.replace(outages, "    report only\n    value count(outage)"));
    let prime = &card.assessments[0];
    // outages still shows its value and score: 1 outage → 100 − 100 = 0
    let o = &prime.indicators[1];
    assert!(o.report_only);
    assert_eq!(o.value.unwrap().to_string(), "1.0000");
    assert_eq!(o.score.unwrap().to_string(), "0.00");
    // the table shows `report` where a weight would be
    let table = card.to_table();
    let row = table.lines().find(|l| l.contains("中断次数")).unwrap();
    assert!(row.contains(" report "), "{table}");
    // party score: incidents alone, 50.00 < 90 → 80 % of 1000.00 = 800.00
    assert_eq!(prime.score.unwrap().to_string(), "50.00");
    assert_eq!(prime.fee_due.unwrap().to_string(), "800.00");
    // every lost point is on incidents, all on netco's network.wan: netco bears the whole
    // 200.00 deduction (120.00 when outages counted, see above)
    let net = &card.assessments[1];
    assert_eq!(net.passed_through.unwrap().to_string(), "200.00");
    // netco's own score: incidents 50 → 50.00 → 80 % of 400.00
    assert_eq!(net.score.unwrap().to_string(), "50.00");
    assert_eq!(net.fee_due.unwrap().to_string(), "320.00");

    // exactly the numbers of the same contract without the indicator
    let start = CONTRACT.find("  indicator outages").unwrap();
    let end = start + CONTRACT[start..].find("  }\n").unwrap() + 4;
    let without = card_of(&CONTRACT.replace(&CONTRACT[start..end], ""));
    for (a, b) in card.assessments.iter().zip(&without.assessments) {
        assert_eq!(
            (a.score, a.levels.clone(), a.fee_due, a.passed_through),
            (b.score, b.levels.clone(), b.fee_due, b.passed_through)
        );
    }
}
