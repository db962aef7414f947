//! The reference contract checks clean and resolves to exactly the rules of
//! REFERENCE-CONTRACT.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::str::FromStr;

use chrono::{NaiveDate, TimeZone};
use rust_decimal::Decimal;
use slagrade::contract::check::{fnv1a64, load};
use slagrade::contract::{
    ClockCalendar, Contract, Counted, Deadline, Level, Measure, PayShare, PeriodKind, Role, Scope,
    Scoring, Unit,
};
use slagrade::language::diagnostic::render;

mod common;
use common::reference_src;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn contract() -> Contract {
    match load(reference_src()) {
        Ok(c) => {
            assert!(
                c.warnings.is_empty(),
                "{}",
                render(&c.warnings, reference_src(), "egov-2026.sla", false)
            );
            c.contract
        }
        Err(diags) => panic!(
            "{}",
            render(&diags, reference_src(), "egov-2026.sla", false)
        ),
    }
}

fn ts(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> i64 {
    chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, m, day, h, min, s)
        .unwrap()
        .timestamp()
}

#[test]
fn header() {
    let c = contract();
    assert_eq!(c.name(), "egov-2026");
    assert_eq!(c.timezone(), chrono_tz::Asia::Shanghai);
    assert_eq!(c.currency(), "CNY");
    assert_eq!(
        c.term(),
        (
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        )
    );
    assert_eq!(c.period(), PeriodKind::Month);
    assert_eq!((c.round_value(), c.round_score()), (4, 2));
    // the fingerprint is the hash of the canonical form
    let canonical = slagrade::language::format::print(
        &slagrade::language::syntax::parse(reference_src()).unwrap(),
    );
    assert_eq!(c.fingerprint(), fnv1a64(canonical.as_bytes()));
    assert_ne!(c.fingerprint(), 0);
}

#[test]
fn fingerprint_follows_meaning_not_layout() {
    let fp = |src: &str| load(src).unwrap().contract.fingerprint();
    let base = fp(reference_src());
    // a comment and different spacing: the same contract
    let relaid = reference_src()
        .replacen("  timezone", "  # the bureau's zone\n  timezone", 1)
        .replace("weight 15", "weight   15");
    assert_ne!(relaid, reference_src());
    assert_eq!(fp(&relaid), base);
    // a changed deadline: another contract
    let edited = reference_src().replacen("P1 => 4h", "P1 => 5h", 1);
    assert_ne!(edited, reference_src());
    assert_ne!(fp(&edited), base);
    // a tree checked without its text has the same fingerprint
    let file = slagrade::language::syntax::parse(reference_src()).unwrap();
    let checked = slagrade::contract::check::check(&file).unwrap();
    assert_eq!(checked.contract.fingerprint(), base);
}

#[test]
fn parties() {
    let c = contract();
    let got: Vec<(&str, Role, Option<Decimal>)> = c
        .parties()
        .iter()
        .map(|p| (p.id.as_str(), p.role, p.fee))
        .collect();
    assert_eq!(
        got,
        vec![
            ("bureau", Role::Client, None),
            ("prime", Role::Prime, Some(d("1200000.00"))),
            ("netco", Role::Sub, Some(d("200000.00"))),
            ("secco", Role::Sub, Some(d("150000.00"))),
            ("appco", Role::Sub, Some(d("300000.00"))),
        ]
    );
    let ids = |party: usize| -> Vec<&str> {
        c.parties().as_slice()[party]
            .covered
            .iter()
            .map(|&p| c.product(p).unwrap().id.as_str())
            .collect()
    };
    assert!(ids(0).is_empty());
    assert_eq!(ids(1).len(), 13, "the prime covers every product");
    assert_eq!(ids(2), vec!["network.egov_wan", "network.internet"]);
    assert_eq!(ids(3), vec!["app.security_ops.waf", "security.mgmt"]);
    assert_eq!(
        ids(4),
        vec![
            "app.business_support.oa",
            "app.system_assurance.db",
            "app.app_support.portal",
            "app.endpoint.desktop"
        ]
    );
    assert_eq!(c.parties().as_slice()[2].covers, vec!["network.*"]);
}

#[test]
fn catalog_and_calendars() {
    let c = contract();
    let got: Vec<(&str, &str)> = c
        .products()
        .iter()
        .map(|p| (p.id.as_str(), c.calendar(p.calendar).unwrap().name.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("infra.servers", "always"),
            ("infra.storage", "always"),
            ("infra.datacenter", "always"),
            ("app.om_mgmt.desk", "office"),
            ("app.business_support.oa", "office"),
            ("app.system_assurance.db", "office"),
            ("app.app_support.portal", "office"),
            ("app.security_ops.waf", "office"),
            ("app.endpoint.desktop", "office"),
            ("content.portal_info", "office"),
            ("network.egov_wan", "always"),
            ("network.internet", "always"),
            ("security.mgmt", "always"),
        ]
    );
    let cats: Vec<&str> = c.categories().iter().map(|x| x.id.as_str()).collect();
    assert_eq!(cats, vec!["infra", "app", "content", "network", "security"]);
    assert_eq!(
        c.products().as_slice()[3].subcategory.as_deref(),
        Some("om_mgmt")
    );
    assert_eq!(
        c.products().as_slice()[3].title_zh.as_deref(),
        Some("服务台与运维管理")
    );

    let office = &c.calendars().as_slice()[0];
    assert_eq!(office.name, "office");
    assert_eq!(office.title.as_deref(), Some("办公时间"));
    let cal = &office.calendar;
    // Wed Sep 30 17:00 → Thu Oct 8 09:30 across the National Day holiday (Oct 1–7):
    // 30 min on Sep 30, nothing Oct 1–7, 30 min on Oct 8.
    assert_eq!(
        cal.working_between(ts(2026, 9, 30, 17, 0, 0), ts(2026, 10, 8, 9, 30, 0))
            .unwrap(),
        3600
    );
    // Make-up Saturday Oct 10 counts a full office day (3 h + 4 h).
    assert_eq!(
        cal.working_between(ts(2026, 10, 10, 0, 0, 0), ts(2026, 10, 11, 0, 0, 0))
            .unwrap(),
        7 * 3600
    );
    // Years around the term resolve (a clock running into 2027).
    assert!(cal
        .working_between(ts(2026, 12, 31, 17, 0, 0), ts(2027, 1, 4, 9, 30, 0))
        .is_ok());
    assert!(c.calendars().as_slice()[1].calendar.is_always());
}

#[test]
fn indicators() {
    let c = contract();
    let got: Vec<(&str, Level, Decimal, Unit)> = c
        .indicators()
        .iter()
        .map(|i| (i.id.as_str(), i.level, i.terms.weight, i.unit))
        .collect();
    use Level::*;
    assert_eq!(
        got,
        vec![
            ("anomaly_report_timeliness", Role, d("10"), Unit::Fraction),
            ("maintenance_on_time", Process, d("10"), Unit::Fraction),
            ("hazard_discovery_rate", System, d("5"), Unit::Fraction),
            ("problem_resolution_rate", Process, d("10"), Unit::Fraction),
            ("response_timeliness", Process, d("15"), Unit::Fraction),
            ("repair_timeliness", Process, d("15"), Unit::Fraction),
            ("search_success_rate", System, d("5"), Unit::Fraction),
            (
                "content_response_timeliness",
                System,
                d("5"),
                Unit::Fraction
            ),
            ("network_mean_response", System, d("10"), Unit::Millis),
            ("vuln_scan_coverage", System, d("5"), Unit::Fraction),
            ("security_report_timeliness", Role, d("5"), Unit::Fraction),
            ("security_incidents", System, d("5"), Unit::Count),
        ]
    );
    let sum: Decimal = c.indicators().iter().map(|i| i.terms.weight).sum();
    assert_eq!(sum, d("100"));

    // #5: clock by priority on the product calendar.
    let rt = &c.indicators().as_slice()[4];
    let Measure::ClockRate(clock) = &rt.measure else {
        panic!("response_timeliness is a clock rate")
    };
    assert_eq!(c.subject(clock.subject).unwrap().name, "ticket");
    assert_eq!(clock.calendar, ClockCalendar::Business);
    let stops: Vec<&str> = clock
        .stop
        .iter()
        .map(|m| c.kind(m.kind).unwrap().name.as_str())
        .collect();
    assert_eq!(stops, vec!["ticket.acknowledged", "ticket.resolved"]);
    let Deadline::ByAttr { attr, table } = &clock.deadline else {
        panic!("deadline by priority")
    };
    let anchor = c.subject(clock.subject).unwrap().anchor;
    assert_eq!(
        c.kind(anchor).unwrap().attrs.get(*attr).unwrap().name,
        "priority"
    );
    assert_eq!(
        table,
        &vec![
            ("P1".to_string(), 900),
            ("P2".to_string(), 1800),
            ("P3".to_string(), 7200),
            ("P4".to_string(), 14400)
        ]
    );
    assert_eq!(rt.terms.target.as_ref().unwrap().value, d("0.95"));
    assert_eq!(
        rt.terms.scoring.clone().unwrap(),
        Scoring::Linear {
            x0: d("0.80"),
            y0: d("0"),
            x1: d("0.95"),
            y1: d("100")
        }
    );

    // #1 on the `always` calendar, 15 minutes.
    let Measure::ClockRate(alert) = &c.indicators().as_slice()[0].measure else {
        panic!()
    };
    assert!(matches!(alert.calendar, ClockCalendar::Named(id) if id.index() == 1));
    assert!(matches!(alert.deadline, Deadline::Fixed(900)));
    // #2 deadline at `due`.
    let Measure::ClockRate(plan) = &c.indicators().as_slice()[1].measure else {
        panic!()
    };
    assert!(matches!(plan.deadline, Deadline::At(a) if a.index() == 0));
    // #4 counts subjects with the `resolved` flag.
    let Measure::Ratio { num, den } = &c.indicators().as_slice()[3].measure else {
        panic!()
    };
    assert!(matches!(
        num,
        Counted::Subjects {
            filter: Some(_),
            ..
        }
    ));
    assert!(matches!(den, Counted::Subjects { filter: None, .. }));
    // #8 latency bound in milliseconds.
    let Measure::Ratio {
        num: Counted::Events(sel),
        ..
    } = &c.indicators().as_slice()[7].measure
    else {
        panic!()
    };
    assert!(matches!(
        &sel.filter,
        Some(slagrade::contract::Cond::Cmp { value: slagrade::contract::Literal::Number(n), .. }) if *n == d("2000")
    ));
    // #9: mean of milliseconds; target and linear points in ms.
    let nm = &c.indicators().as_slice()[8];
    assert!(matches!(nm.measure, Measure::Mean { .. }));
    assert_eq!(nm.terms.target.as_ref().unwrap().value, d("50"));
    assert_eq!(
        nm.terms.scoring.clone().unwrap(),
        Scoring::Linear {
            x0: d("50"),
            y0: d("100"),
            x1: d("200"),
            y1: d("0")
        }
    );
    assert!(matches!(
        c.indicators().as_slice()[9].measure,
        Measure::Coverage { .. }
    ));
    assert_eq!(
        c.indicators().as_slice()[10].terms.scoring.clone().unwrap(),
        Scoring::Bands {
            bands: vec![
                (slagrade::language::ast::CmpOp::Ge, d("1"), d("100")),
                (slagrade::language::ast::CmpOp::Ge, d("0.9"), d("60"))
            ],
            otherwise: d("0")
        }
    );
    assert_eq!(
        c.indicators().as_slice()[11]
            .terms
            .target
            .as_ref()
            .unwrap()
            .value,
        d("0")
    );
    assert_eq!(
        c.indicators().as_slice()[11].terms.scoring.clone().unwrap(),
        Scoring::Deduct {
            points: d("25"),
            per: d("1"),
            cap: Some(d("100"))
        }
    );
}

#[test]
fn assessments() {
    let c = contract();
    let pairs: Vec<(&str, &str)> = c
        .assessments()
        .iter()
        .map(|a| {
            (
                c.party(a.assessor).unwrap().id.as_str(),
                c.party(a.assessee).unwrap().id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("bureau", "prime"),
            ("prime", "netco"),
            ("prime", "secco"),
            ("prime", "appco")
        ]
    );
    assert!(matches!(c.assessments()[0].scope, Scope::All));
    for (i, a) in c.assessments().iter().enumerate() {
        assert_eq!(a.terms.len(), 12);
        let rt = &a.terms.as_slice()[4];
        if i == 0 {
            assert_eq!(rt.target.as_ref().unwrap().value, d("0.95"));
            assert_eq!(
                rt.scoring.clone().unwrap(),
                Scoring::Linear {
                    x0: d("0.80"),
                    y0: d("0"),
                    x1: d("0.95"),
                    y1: d("100")
                }
            );
        } else {
            assert_eq!(rt.target.as_ref().unwrap().value, d("0.97"));
            assert_eq!(
                rt.scoring.clone().unwrap(),
                Scoring::Linear {
                    x0: d("0.85"),
                    y0: d("0"),
                    x1: d("0.97"),
                    y1: d("100")
                }
            );
            let Scope::Products(ps) = &a.scope else {
                panic!("subcontractors are scoped to what they cover")
            };
            assert_eq!(ps, &c.party(a.assessee).unwrap().covered);
        }
        // Everything else is the indicators' own terms.
        for (j, t) in a.terms.iter().enumerate() {
            if j != 4 {
                assert_eq!(t.target, c.indicators().as_slice()[j].terms.target);
                assert_eq!(t.scoring, c.indicators().as_slice()[j].terms.scoring);
                assert_eq!(t.weight, c.indicators().as_slice()[j].terms.weight);
            }
        }
    }
}

#[test]
fn payment() {
    let c = contract();
    let p = &c.payment();
    assert!(p.back_to_back);
    assert_eq!(p.min_share, None);
    assert_eq!(p.bands.len(), 3);
    assert_eq!((p.bands[0].lower, p.bands[0].upper), (Some(d("90")), None));
    assert!(matches!(p.bands[0].share, PayShare::Fixed(s) if s == d("1")));
    assert_eq!(
        (p.bands[1].lower, p.bands[1].upper),
        (Some(d("60")), Some(d("90")))
    );
    assert!(
        matches!(p.bands[1].share, PayShare::Linear { from, to } if from == d("0.7") && to == d("1"))
    );
    assert_eq!((p.bands[2].lower, p.bands[2].upper), (None, Some(d("60"))));
    assert!(matches!(p.bands[2].share, PayShare::Fixed(s) if s == d("0.5")));
}

fn load_edited(old: &str, new: &str) -> Contract {
    assert_eq!(
        reference_src().matches(old).count(),
        1,
        "`{old}` must occur once"
    );
    let src = reference_src().replacen(old, new, 1);
    match load(&src) {
        Ok(c) => c.contract,
        Err(d) => panic!("{}", render(&d, &src, "edited.sla", false)),
    }
}

#[test]
fn indicator_filter_restricts_every_selection() {
    use slagrade::contract::Cond;
    let c = load_edited(
        "    weight 5\n    value ratio(count(search.request where latency_ms",
        "    weight 5\n    filter product in [content.*]\n    value ratio(count(search.request where latency_ms",
    );
    let Measure::Ratio {
        num: Counted::Events(num),
        den: Counted::Events(den),
    } = &c.indicators().as_slice()[7].measure
    else {
        panic!()
    };
    assert!(
        matches!(&num.filter, Some(Cond::And(v)) if matches!(v[1], Cond::Product(ref p) if p.iter().map(|x| x.index()).eq([9])))
    );
    assert!(matches!(&den.filter, Some(Cond::Product(p)) if p.iter().map(|x| x.index()).eq([9])));
}

#[test]
fn report_only_resolves_to_no_weight_in_every_assessment_it_applies_to() {
    let c = load_edited(
        "\"Security incidents\" {\n    level system\n    weight 5",
        "\"Security incidents\" {\n    level system\n    report only",
    );
    let si = c
        .indicators()
        .iter()
        .position(|i| i.id == "security_incidents")
        .unwrap();
    let t = &c.indicators().as_slice()[si].terms;
    assert!(t.report_only);
    assert_eq!(t.weight, Decimal::ZERO);
    assert!(c
        .indicators()
        .iter()
        .filter(|i| i.id != "security_incidents")
        .all(|i| !i.terms.report_only));
    // the declared terms hold in every assessment (none overrides it)
    assert!(c
        .assessments()
        .iter()
        .all(|a| a.terms.as_slice()[si].report_only));

    let c = load_edited(
        "      target >= 97%\n      score linear 85% -> 0, 97% -> 100\n",
        "      report only\n",
    );
    let rt = c
        .indicators()
        .iter()
        .position(|i| i.id == "response_timeliness")
        .unwrap();
    assert!(!c.indicators().as_slice()[rt].terms.report_only);
    assert_eq!(c.indicators().as_slice()[rt].terms.weight, d("15"));
    // bureau → prime keeps the declared terms; prime → each subcontractor has it report only
    assert!(!c.assessments()[0].terms.as_slice()[rt].report_only);
    for a in &c.assessments()[1..] {
        assert!(a.terms.as_slice()[rt].report_only);
        assert_eq!(a.terms.as_slice()[rt].weight, Decimal::ZERO);
    }
}

#[test]
fn no_payment_block_pays_in_full() {
    let start = reference_src().find("  payment {").unwrap();
    let end = start + reference_src()[start..].find("\n  }\n").unwrap() + 5;
    let c = load_edited(&reference_src()[start..end], "");
    assert_eq!(c.payment().bands.len(), 1);
    let b = &c.payment().bands[0];
    assert_eq!((b.lower, b.upper), (None, None));
    assert!(matches!(b.share, PayShare::Fixed(s) if s == Decimal::ONE));
    assert!(!c.payment().back_to_back);
}
