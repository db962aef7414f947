//! Integer attributes and ranges (`rating: integer 1 .. 5`, `latency_ms: number ms 0 ..
//! 60000ms`): how they parse, format and check, which lines of a hostile stream are accepted
//! and why the others are rejected (read from a file, from a reader and as columns), and a
//! mean over integer ratings. The contract is `tests/data/integers.sla`, the stream
//! `tests/data/integers.jsonl`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use slagrade::engine::eval::{Evaluator, Plan};
use slagrade::input::columns::{Attrs, Column, Entries, Fields, Named, Slot, Table};
use slagrade::language::ast::{AttrTypeLit, Item};
use slagrade::{Events, Options};

fn src() -> String {
    std::fs::read_to_string(common::root().join("tests/data/integers.sla")).unwrap()
}

fn plan() -> Arc<Plan> {
    slagrade::load(&src()).unwrap().compile()
}

fn stream_path() -> std::path::PathBuf {
    common::root().join("tests/data/integers.jsonl")
}

/// The contract of `tests/data/integers.sla` with its `event` lines replaced by `events`.
fn with_events(events: &str) -> String {
    let src = src();
    let start = src.find("  event survey.rated").unwrap();
    let end = src.find("  indicator satisfaction").unwrap();
    format!("{}{events}\n\n{}", &src[..start], &src[end..])
}

/// The codes of the diagnostics of `src` (empty when it loads without one).
fn codes(src: &str) -> Vec<String> {
    match slagrade::load(src) {
        Ok(c) => c
            .warnings
            .iter()
            .map(|d| d.code.as_str().to_string())
            .collect(),
        Err(e) => e.iter().map(|d| d.code.as_str().to_string()).collect(),
    }
}

#[test]
fn integer_parses_before_an_enum_and_round_trips() {
    let file = slagrade::language::syntax::parse(&with_events(
        "  event a.b { r: integer 1 .. 5, n: integer, e: integer | float, f: float | integer, l: number ms 0 .. 60000ms, p: number 0 .. 1 }",
    ))
    .unwrap();
    let ev = file
        .contract
        .items
        .iter()
        .find_map(|i| match i {
            Item::Event(e) => Some(e),
            _ => None,
        })
        .unwrap();
    let types: Vec<String> = ev
        .attrs
        .iter()
        .map(|a| match &a.ty {
            AttrTypeLit::Integer(_) => "integer".to_string(),
            AttrTypeLit::Number(..) => "number".to_string(),
            AttrTypeLit::Enum(vs) => format!("enum of {}", vs.len()),
            _ => "other".to_string(),
        })
        .collect();
    assert_eq!(
        types,
        [
            "integer",
            "integer",
            "enum of 2",
            "enum of 2",
            "number",
            "number"
        ]
    );
    assert!(ev.attrs[0].range.is_some() && ev.attrs[1].range.is_none());
    let printed = slagrade::language::format::print(&file);
    for a in [
        "r: integer 1 .. 5,",
        "n: integer,",
        "e: integer | float,",
        "f: float | integer,",
        "l: number ms 0 .. 60000ms,",
        "p: number 0 .. 1",
    ] {
        assert!(printed.contains(a), "{a} in {printed}");
    }
    assert_eq!(
        slagrade::language::format::print(&slagrade::language::syntax::parse(&printed).unwrap()),
        printed
    );
}

#[test]
fn ranges_are_checked() {
    let ok = |events: &str| {
        assert_eq!(
            codes(&with_events(events)),
            Vec::<String>::new(),
            "{events}"
        )
    };
    ok("  event survey.rated { rating: integer 1 .. 5 }\n  event net.probe { latency_ms: number ms 0 .. 60000 }");
    ok("  event survey.rated { rating: integer 3 .. 3 }\n  event net.probe { latency_ms: number ms 0ms .. 60000ms, share?: number % 0% .. 100%, s?: number s 0.5 .. 30s }");
    let bad = |events: &str, code: &str| {
        assert_eq!(
            codes(&with_events(events)),
            vec![code.to_string()],
            "{events}"
        );
    };
    // bounds not whole for `integer`, in a unit, in the wrong order, beyond 10^18
    bad("  event survey.rated { rating: integer 1 .. 4.5 }\n  event net.probe { latency_ms: number ms }", "E0156");
    bad("  event survey.rated { rating: integer 1% .. 5 }\n  event net.probe { latency_ms: number ms }", "E0156");
    bad("  event survey.rated { rating: integer 5 .. 1 }\n  event net.probe { latency_ms: number ms }", "E0156");
    bad("  event survey.rated { rating: integer 0 .. 2000000000000000000 }\n  event net.probe { latency_ms: number ms }", "E0156");
    bad("  event survey.rated { rating: integer }\n  event net.probe { latency_ms: number ms 0 .. 60s }", "E0156");
    bad("  event survey.rated { rating: integer }\n  event net.probe { latency_ms: number ms 0 .. 60000ms, share: number % 0 .. 5 }", "E0156");
    // a range on a type that takes none
    for ty in ["text", "bool", "time", "A | B"] {
        bad(
            &format!("  event survey.rated {{ rating: integer, x?: {ty} 1 .. 5 }}\n  event net.probe {{ latency_ms: number ms }}"),
            "E0157",
        );
    }
    // an integer is a plain number: `mean` reads it, conditions compare it with plain numbers
    let src = with_events("  event survey.rated { rating: integer 1 .. 5 }\n  event net.probe { latency_ms: number ms }")
        .replace("rating <= 2)", "rating <= 2ms)");
    assert_eq!(codes(&src), ["E0184"]);
    // the message says what is wrong
    let e = slagrade::load(&with_events(
        "  event survey.rated { rating: integer 1 .. 4.5 }\n  event net.probe { latency_ms: number ms }",
    ))
    .unwrap_err();
    assert!(
        e[0].message.contains("whole bounds") && e[0].message.contains("4.5"),
        "{}",
        e[0].message
    );
}

/// The outcome of every line of the hostile stream that is not accepted, by line number.
fn expected_rejections() -> BTreeMap<u64, String> {
    let range = "`survey.rated` attribute `rating` must be from 1 to 5, found";
    let not_int = "`survey.rated` attribute `rating` must be an integer, found";
    let wrong = "`survey.rated` attribute `rating` must be an integer from 1 to 5, found";
    let missing = "`survey.rated` needs attribute `rating` (an integer from 1 to 5)";
    let latency = "`net.probe` attribute `latency_ms` must be from 0 to 60000, found";
    [
        (6, format!("{range} `0`")),
        (7, format!("{range} `6`")),
        (8, format!("{range} `-1`")),
        (9, format!("{range} `-0`")),
        (10, format!("{not_int} `4.5`")),
        (11, format!("{not_int} `5.0`")),
        // as serde_json reads it: `E` written `e`
        (12, format!("{not_int} `5e0`")),
        (13, format!("{not_int} `5e0`")),
        (14, format!("{wrong} true")),
        (15, format!("{wrong} \"5\"")),
        (16, missing.to_string()),
        (17, missing.to_string()),
        (18, format!("{range} `99999999999999999999999999999`")),
        // line 19 is a duplicate of line 1, line 20 is blank
        (21, "not JSON".to_string()),
        (22, "not JSON".to_string()),
        (26, format!("{latency} `60001`")),
        (27, format!("{latency} `-0.5`")),
    ]
    .into_iter()
    .collect()
}

fn rejections(events: &Events) -> BTreeMap<u64, String> {
    events
        .rejected()
        .iter()
        .map(|r| {
            let reason = r.reason.to_string();
            // the parser's own words after `not JSON`
            let reason = if reason.starts_with("not JSON:") {
                "not JSON".to_string()
            } else {
                reason
            };
            (r.line.unwrap(), reason)
        })
        .collect()
}

#[test]
fn hostile_lines_are_accepted_or_rejected_with_their_reason() {
    let plan = plan();
    let text = std::fs::read_to_string(stream_path()).unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    assert_eq!(lines, 29);
    for threads in [1, 2] {
        let options = Options {
            threads,
            ..Options::default()
        };
        let from_file = Events::open(&plan, stream_path(), &options).unwrap();
        let from_reader = Events::from_reader(&plan, text.as_bytes(), &options).unwrap();
        for events in [&from_file, &from_reader] {
            assert_eq!(rejections(events), expected_rejections());
            let c = events.counts();
            assert_eq!((c.accepted, c.duplicates, c.rejected), (11, 1, 17));
            assert_eq!(c.accepted + c.duplicates + c.rejected, lines);
        }
    }
    // what was accepted is measured: ratings 1, 2, 3, 4, 5, 4, 4, 2 (mean 3.125; three at
    // most 2), probes 1500, 60000.0 and 1e3 ms (two of three within 2000 ms)
    let events = Events::open(&plan, stream_path(), &Options::default()).unwrap();
    let period = slagrade::time::period::parse(
        plan.contract().period(),
        plan.contract().timezone(),
        "2026-10",
    )
    .unwrap();
    let card = events.scorecards(&[period], None).unwrap()[0].to_json();
    let values: Vec<(&str, &str)> = card["assessments"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        values,
        [
            ("satisfaction", "3.1250"),
            ("low_ratings", "3.0000"),
            ("probe_latency", "0.6667")
        ]
    );
}

fn survey(id: &str, rating: Value) -> Value {
    json!({"id": id, "at": "2026-10-12T10:00:00+08:00", "kind": "survey.rated", "subject": id,
           "product": "app.desk", "attrs": {"rating": rating}})
}

#[test]
fn the_mean_of_integer_ratings() {
    let plan = plan();
    let events: Vec<Value> = [5, 4, 4, 4]
        .iter()
        .enumerate()
        .map(|(k, r)| survey(&format!("s{k}"), json!(r)))
        .collect();
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    let events = Events::from_reader(&plan, text.as_bytes(), &Options::default()).unwrap();
    assert_eq!(events.counts().accepted, 4);
    let c = plan.contract();
    let period = slagrade::time::period::parse(c.period(), c.timezone(), "2026-10").unwrap();
    let card = events.scorecards(&[period], None).unwrap()[0].to_json();
    let sat = &card["assessments"][0]["indicators"][0];
    assert_eq!(sat["id"], "satisfaction");
    // (5 + 4 + 4 + 4) / 4 = 4.25; linear 3 -> 0, 5 -> 100: 62.5
    assert_eq!(sat["value"], "4.2500");
    assert_eq!(sat["score"], "62.50");
}

// ------------------------------------------------------------------------------ columns

fn fields(rows: &[Value]) -> Fields {
    let col = |k: &str| Column::Values(rows.iter().map(|r| Ok(r[k].clone())).collect());
    Fields {
        id: col("id"),
        at: col("at"),
        kind: col("kind"),
        subject: col("subject"),
        product: col("product"),
        party: Column::Absent,
    }
}

fn outcome(ev: &Evaluator) -> (String, Vec<(Option<u64>, String)>) {
    let rejected = ev
        .rejected()
        .iter()
        .map(|r| (r.line, r.reason.to_string()))
        .collect();
    (format!("{:?}", ev.counts()), rejected)
}

/// Ratings given as columns are judged as the same JSON: an integer value is an integer
/// literal, a float never is (not even 5.0), whether the values are JSON values, entries
/// of integers and floats (as a DataFrame's cells), or a column of their own.
#[test]
fn columns_judge_ratings_as_their_json() {
    let plan = plan();
    let given: Vec<(&str, Slot)> = vec![
        ("1", Slot::int(1)),
        ("5", Slot::int(5)),
        ("0", Slot::int(0)),
        ("6", Slot::int(6)),
        ("-1", Slot::int(-1)),
        ("4.5", Slot::float(4.5)),
        ("5.0", Slot::float(5.0)),
        ("-0.0", Slot::float(-0.0)),
        ("1e20", Slot::float(1e20)),
        ("true", Slot::bool(true)),
        ("null", Slot::NULL),
        ("9223372036854775807", Slot::int(i64::MAX)),
    ];
    // the JSON values a binding gives for these cells (a float is written as serde_json
    // writes it: `5.0`, `1e20`)
    let json_of = |text: &str| -> Value {
        match text {
            "4.5" | "5.0" | "-0.0" | "1e20" => json!(text.parse::<f64>().unwrap()),
            _ => serde_json::from_str(text).unwrap(),
        }
    };
    let rows: Vec<Value> = given
        .iter()
        .enumerate()
        .map(|(k, (text, _))| survey(&format!("c{k}"), json_of(text)))
        .collect();
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    let mut expected = Evaluator::new(&plan);
    slagrade::event::read_jsonl_with(
        plan.contract(),
        text.as_bytes(),
        slagrade::event::Limits::default(),
        |o| match o {
            slagrade::event::LineRef::Accepted(e) => {
                expected.push_ref(e);
            }
            slagrade::event::LineRef::Rejected(r) => expected.reject(r),
        },
    )
    .unwrap();
    let expected = outcome(&expected);
    assert!(expected.0.contains("accepted: 2"), "{expected:?}");
    let reasons: Vec<&str> = expected.1.iter().map(|(_, r)| r.as_str()).collect();
    assert!(reasons.contains(&"`survey.rated` attribute `rating` must be an integer, found `5.0`"));
    assert!(reasons.contains(&"`survey.rated` attribute `rating` must be an integer, found `-0.0`"));
    assert!(reasons.contains(
        &"`survey.rated` attribute `rating` must be from 1 to 5, found `9223372036854775807`"
    ));

    let feed = |t: &Table| {
        let mut ev = Evaluator::new(&plan);
        t.feed(&mut ev);
        outcome(&ev)
    };
    // `attrs` as JSON values
    let attrs = Attrs::Values(Column::Values(
        rows.iter().map(|r| Ok(r["attrs"].clone())).collect(),
    ));
    let t = Table::new(rows.len(), fields(&rows), attrs, Named::new(vec![])).unwrap();
    assert_eq!(feed(&t), expected);
    // `attrs` as entries of integers, floats and booleans
    let mut e = Entries::with_capacity(rows.len());
    for (_, slot) in &given {
        let start = e.begin_map();
        let key = e.intern("rating");
        e.entry(key, *slot);
        e.end_map(start, Ok(()));
    }
    let t = Table::new(
        rows.len(),
        fields(&rows),
        Attrs::Entries(e),
        Named::new(vec![]),
    )
    .unwrap();
    assert_eq!(feed(&t), expected);
    // `rating` as a column of its own
    let rating = Column::Values(
        rows.iter()
            .map(|r| Ok(r["attrs"]["rating"].clone()))
            .collect(),
    );
    let t = Table::new(
        rows.len(),
        fields(&rows),
        Attrs::Values(Column::Absent),
        Named::new(vec![("rating".into(), rating)]),
    )
    .unwrap();
    assert_eq!(feed(&t), expected);
}
