//! Parser tests: the reference contract, every construct, syntax errors with their positions,
//! and hostile inputs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use slagrade::language::ast::{self, Cond, Item};
use slagrade::language::diagnostic::Diagnostic;
use slagrade::language::syntax::parse;

mod common;
use common::reference_src;

/// Every construct the language has, beyond what the reference contract shows.
const CONSTRUCTS: &str = r#"
contract "all-constructs" {
  timezone "Asia/Shanghai"
  calendar office {
    hours mon..fri 09:00-12:00, 13:30-17:30
    hours sat 10:00-12:00
    hours mon, wed 18:00-24:00
    hours makeup 09:00-17:00
    holidays cn-statutory
    holiday 2026-10-01 .. 2026-10-07
    holiday 2026-12-24
    workday 2026-10-10
  }
  party x third "第三方 \"引号\" \\ \n \u{4e2d}"
  party y sub
  category infra {
    subcategory only_sub "子类" {
      product p1 "产品" "Product" calendar office
    }
  }
  event search.request { ok: bool, latency_ms: number ms, at: time, note?: text, share: number % }
  subject ticket {
    anchor ticket.opened
    flag resolved set on ticket.resolved where code == fixed, ticket.closed clear on ticket.reopened
    flag bare
  }
  indicator i1 {
    filter product in [network.*] and not (priority == P4 or source != "user")
    clock ticket {
      start on ticket.opened
      stop on ticket.resolved where priority < P3
      reset on ticket.reopened
      deadline 15m
      deadline at due
      calendar business
    }
    value percentile(95, net.probe.latency_ms)
    value sum(net.probe.latency_ms where latency_ms > 10ms)
    value distinct(scan.completed)
    value coverage(scan.completed, inventory asset.registered where ok == false)
    target <= 0
    score zero-tolerance
    score deduct 10 per 1
    score bands { else => 0 }
  }
  assess x by y {
    scope network.*, security.mgmt
    override i1 {
      weight 20
    }
  }
  assess y by x
  payment {
    score >= 90 pays 100%
    cap deduction 30%
  }
}
"#;

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

fn err(src: &str) -> Diagnostic {
    let errs = parse(src).expect_err("expected a syntax error");
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs.into_iter().next().unwrap()
}

/// Asserts the code and the 1-based line:column of the single diagnostic, returns it.
fn check(src: &str, code: &str, line: usize, col: usize) -> Diagnostic {
    let d = err(src);
    assert_eq!(d.code, code, "{d:?}");
    assert_eq!(line_col(src, d.span.start), (line, col), "{d:?}");
    d
}

fn wrap(body: &str) -> String {
    format!("contract \"c\" {{\n{body}\n}}\n")
}

#[test]
fn reference_contract_parses() {
    let f = parse(reference_src()).expect("the reference contract parses");
    let c = &f.contract;
    assert_eq!(c.name.value, "egov-2026");
    let indicators = c
        .items
        .iter()
        .filter(|i| matches!(i, Item::Indicator(_)))
        .count();
    assert_eq!(indicators, 12);
    let parties = c
        .items
        .iter()
        .filter(|i| matches!(i, Item::Party(_)))
        .count();
    assert_eq!(parties, 5);
    // spans point into the source
    if let Some(Item::Timezone(s)) = c.items.first() {
        assert_eq!(
            &reference_src()[s.span.start..s.span.end],
            "\"Asia/Shanghai\""
        );
        assert_eq!(s.value, "Asia/Shanghai");
    } else {
        panic!("first item is the timezone");
    }
}

#[test]
fn every_construct_parses() {
    let f = match parse(CONSTRUCTS) {
        Ok(f) => f,
        Err(e) => panic!("{e:?}"),
    };
    let items = &f.contract.items;
    let Some(Item::Party(p)) = items.get(2) else {
        panic!("party expected")
    };
    assert_eq!(
        p.title.as_ref().map(|t| t.value.as_str()),
        Some("第三方 \"引号\" \\ \n 中")
    );
    let Some(Item::Indicator(ind)) = items.iter().find(|i| matches!(i, Item::Indicator(_))) else {
        panic!("indicator expected")
    };
    let ast::IndicatorStmt::Filter(Cond::And(parts, _)) = &ind.stmts[0] else {
        panic!("filter with `and` expected: {:?}", ind.stmts[0])
    };
    assert!(matches!(parts[0], Cond::In { .. }));
    assert!(matches!(&parts[1], Cond::Not(inner, _) if matches!(**inner, Cond::Or(..))));
}

#[test]
fn empty_file() {
    let d = check("", "E0001", 1, 1);
    assert!(
        d.message.contains("contract \"name\" { ... }"),
        "{}",
        d.message
    );
    let d = check("   \n# only a comment\n", "E0001", 3, 1);
    assert!(d.message.contains("end of file"), "{}", d.message);
}

#[test]
fn duration_without_unit() {
    let src = wrap("  indicator i {\n    clock t {\n      deadline 15 minutes\n    }\n  }");
    let d = check(&src, "E0001", 4, 16);
    assert!(
        d.message.contains("a duration such as `15m`"),
        "{}",
        d.message
    );
    assert!(d.message.contains("found `15 minutes`"), "{}", d.message);
    assert!(d.help.unwrap().contains("`15m`"));
}

#[test]
fn single_equals_in_condition() {
    let src = wrap("  indicator i {\n    filter priority = P1\n  }");
    let d = check(&src, "E0001", 3, 21);
    assert!(d.help.unwrap().contains("`==`"));
}

#[test]
fn missing_closing_brace() {
    // the block is left open: the next statement is where the parser stops
    let src = "contract \"c\" {\n  calendar office {\n    hours 24x7\n\n  party a client\n}\n";
    let d = check(src, "E0001", 5, 3);
    assert!(d.message.contains("`}`"), "{}", d.message);
    let help = d.help.unwrap();
    assert!(help.contains("line 2, column 19"), "{help}");
    // the file ends inside a block
    let src = "contract \"c\" {\n  calendar office {\n    hours 24x7\n  }\n";
    let d = check(src, "E0001", 5, 1);
    assert!(d.message.contains("found end of file"), "{}", d.message);
    let help = d.help.unwrap();
    assert!(help.contains("line 1, column 14"), "{help}");
}

#[test]
fn invalid_date() {
    let d = check(&wrap("  term 2026-02-30 .. 2026-12-31"), "E0002", 2, 8);
    assert!(d.message.contains("2026-02-30"));
}

#[test]
fn invalid_time() {
    let d = check(
        &wrap("  calendar c {\n    hours mon..fri 09:00-25:00\n  }"),
        "E0002",
        3,
        26,
    );
    assert!(d.message.contains("25:00"));
}

#[test]
fn number_out_of_range() {
    check(
        &wrap("  indicator i {\n    weight 123456789012345678901234567890123\n  }"),
        "E0002",
        3,
        12,
    );
}

#[test]
fn unknown_statement() {
    let d = check(&wrap("  timezone \"UTC\"\n  colour blue"), "E0001", 3, 3);
    assert!(d.message.contains("`indicator`"), "{}", d.message);
    assert!(d.message.contains("found `colour`"), "{}", d.message);
}

#[test]
fn missing_on_after_stop() {
    let d = check(
        &wrap("  indicator i {\n    clock t {\n      stop at ticket.resolved\n    }\n  }"),
        "E0001",
        4,
        12,
    );
    assert!(d.message.contains("expected `on`"), "{}", d.message);
}

#[test]
fn unterminated_string() {
    let d = check("contract \"egov {\n}\n", "E0001", 1, 10);
    assert!(d.help.unwrap().contains('"'));
}

#[test]
fn bad_escape() {
    check(&wrap("  timezone \"Asia\\qShanghai\""), "E0002", 2, 17);
}

#[test]
fn arrow_instead_of_fat_arrow() {
    let src = wrap("  indicator i {\n    score bands { >= 90% -> 60 }\n  }");
    let d = check(&src, "E0001", 3, 26);
    assert!(d.help.unwrap().contains("`=>`"));
}

#[test]
fn trailing_text_after_contract() {
    check("contract \"c\" {\n}\nextra", "E0001", 3, 1);
}

#[test]
fn bad_time_shape() {
    let d = check(
        &wrap("  calendar c {\n    hours mon 9:00-12:00\n  }"),
        "E0001",
        3,
        15,
    );
    assert!(d.message.contains("time such as `09:00`"), "{}", d.message);
}

#[test]
fn else_not_last() {
    check(
        &wrap("  indicator i {\n    score bands { else => 0, >= 90% => 60 }\n  }"),
        "E0001",
        3,
        30,
    );
}

#[test]
fn duplicate_scope() {
    check(
        &wrap("  assess a by b {\n    scope all\n    scope covered\n  }"),
        "E0001",
        4,
        5,
    );
}

// ------------------------------------------------------------------ hostile inputs

fn quick<F: FnOnce()>(limit: Duration, f: F) {
    let t = Instant::now();
    f();
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
}

#[test]
fn garbage_bytes() {
    let mut bytes = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..100_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        bytes.push((x >> 16) as u8);
    }
    let src = String::from_utf8_lossy(&bytes);
    quick(Duration::from_secs(5), || {
        assert!(parse(&src).is_err());
    });
    // garbage after a valid start
    let src = format!("contract \"c\" {{ {}", String::from_utf8_lossy(&bytes));
    assert!(parse(&src).is_err());
}

#[test]
fn nul_byte() {
    let d = check("contract \"c\" {\0}", "E0001", 1, 15);
    assert!(d.message.contains("\\0"), "{}", d.message);
    assert!(parse("\0").is_err());
}

#[test]
fn ten_megabytes_of_comment() {
    let src = format!("#{}", "x".repeat(10 << 20));
    quick(Duration::from_secs(10), || {
        let d = err(&src);
        assert_eq!(d.code, "E0001");
        assert_eq!(d.span.start, src.len());
    });
    let src = format!(
        "{}contract \"c\" {{\n}}\n",
        "# comment line\n".repeat(700_000)
    );
    quick(Duration::from_secs(20), || {
        assert!(parse(&src).is_ok());
    });
}

#[test]
fn ten_megabytes_of_open_braces() {
    let src = "{".repeat(10 << 20);
    quick(Duration::from_secs(5), || {
        assert_eq!(err(&src).code, "E0001");
    });
    let src = format!("contract \"c\" {}", "{".repeat(10 << 20));
    quick(Duration::from_secs(5), || {
        assert_eq!(err(&src).code, "E0001");
    });
}

#[test]
fn deep_parentheses() {
    let deep = |n: usize| {
        wrap(&format!(
            "  indicator i {{\n    filter {}ok{}\n  }}",
            "(".repeat(n),
            ")".repeat(n)
        ))
    };
    quick(Duration::from_secs(5), || {
        let d = err(&deep(1000));
        assert_eq!(d.code, "E0001");
        assert!(d.message.contains("too deep"), "{}", d.message);
    });
    // the accepted limit does not overflow the stack
    let src = deep(60);
    let h = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || parse(&src).is_ok())
        .unwrap();
    assert!(h.join().unwrap());
    let nots = wrap(&format!(
        "  indicator i {{\n    filter {}ok\n  }}",
        "not ".repeat(100_000)
    ));
    assert_eq!(err(&nots).code, "E0001");
}

#[test]
fn many_statements_is_linear() {
    let body = "  event e.x { a: text }\n".repeat(50_000);
    let src = wrap(&body);
    quick(Duration::from_secs(20), || {
        let f = parse(&src).unwrap();
        assert_eq!(f.contract.items.len(), 50_000);
    });
}
