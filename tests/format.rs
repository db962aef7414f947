//! Formatter tests: the reference contract is canonical and stable, comments survive in place,
//! and random syntax trees print to text that parses back to the same tree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use rust_decimal::Decimal;

use slagrade::language::ast::*;
use slagrade::language::format::{format, print};
use slagrade::language::syntax::parse;

mod common;
use common::reference_src;

#[test]
fn reference_contract_is_canonical_and_stable() {
    let once = format(reference_src()).unwrap();
    assert_eq!(
        once,
        reference_src(),
        "the reference contract is in canonical form"
    );
    assert_eq!(format(&once).unwrap(), once);
    assert!(eq_ignoring_spans(
        &parse(&once).unwrap(),
        &parse(reference_src()).unwrap()
    ));
}

#[test]
fn reference_contract_comments_are_kept() {
    let out = format(reference_src()).unwrap();
    for line in reference_src()
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
    {
        assert!(out.contains(line), "lost comment {line:?}");
    }
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.contains(
                "# ---------------------------------------------------------------- calendars",
            )
        })
        .unwrap();
    assert!(lines[at + 1].starts_with("  calendar office"));
    assert_eq!(
        lines[0],
        "# egov-2026: operation and maintenance of the municipal e-government systems."
    );
}

#[test]
fn messy_layout_becomes_canonical_with_comments_in_place() {
    let src = r#"# header comment

contract   "c"{ # after the contract brace
  timezone    "UTC"   # trailing on timezone
      currency CNY


  # before the calendar
  calendar office{hours mon..fri 09:00-12:00,13:30-17:30
  # before the closing brace of the calendar
  } # after the calendar brace
  event e.x {
     a: text, # inside a statement
     b?: bool }
  payment { score>=90 pays 100%   back-to-back }
  # last comment in the contract
}
# after everything
"#;
    let expected = r#"# header comment

contract "c" {  # after the contract brace
  timezone "UTC"  # trailing on timezone
  currency CNY

  # before the calendar
  calendar office {
    hours mon..fri 09:00-12:00, 13:30-17:30
    # before the closing brace of the calendar
  }  # after the calendar brace
  event e.x {
    a: text,  # inside a statement
    b?: bool
  }
  payment {
    score >= 90 pays 100%
    back-to-back
  }
  # last comment in the contract
}
# after everything
"#;
    let out = format(src).unwrap();
    assert_eq!(out, expected);
    assert_eq!(format(&out).unwrap(), out);
    assert!(eq_ignoring_spans(
        &parse(&out).unwrap(),
        &parse(src).unwrap()
    ));
}

#[test]
fn hash_inside_strings_is_not_a_comment() {
    let src = "contract \"a # b\" {\n  timezone \"x#y\" # real\n}\n";
    let out = format(src).unwrap();
    assert_eq!(out, "contract \"a # b\" {\n  timezone \"x#y\"  # real\n}\n");
}

#[test]
fn quantities_print_as_written() {
    let src = "contract \"c\" {\n  indicator i {\n    target >= 95%\n    weight 0.95\n    score linear 0.80 -> 0, 1200000.00 -> 100\n  }\n}\n";
    assert_eq!(format(src).unwrap(), src);
}

/// A contract around one clock indicator with the given deadline statement and scoring.
fn with_clock(deadline: &str, score: &str) -> String {
    format!(
        "contract \"c\" {{\n  indicator i {{\n    clock t {{\n      stop on t.done\n{deadline}\n    }}\n{score}\n  }}\n}}\n"
    )
}

#[test]
fn comments_on_deadline_table_rows_stay_on_their_rows() {
    let src = with_clock(
        "      deadline by priority {\n        P1 => 15m,  # 一级\n        P2 => 30m,   # 二级\n        # the slow ones\n        P3 => 2h,\n        P4 => 4h  # 四级\n      }  # after the table",
        "    score linear 80% -> 0, 95% -> 100",
    );
    let expected = with_clock(
        "      deadline by priority {\n        P1 => 15m,  # 一级\n        P2 => 30m,  # 二级\n        # the slow ones\n        P3 => 2h,\n        P4 => 4h  # 四级\n      }  # after the table",
        "    score linear 80% -> 0, 95% -> 100",
    );
    let out = format(&src).unwrap();
    assert_eq!(out, expected);
    assert_eq!(format(&out).unwrap(), out);
    assert!(eq_ignoring_spans(
        &parse(&out).unwrap(),
        &parse(&src).unwrap()
    ));
    // without comments, a short table is one line again
    let bare = with_clock(
        "      deadline by priority {\n        P1 => 15m,\n        P2 => 30m\n      }",
        "    score zero-tolerance",
    );
    assert_eq!(
        format(&bare).unwrap(),
        with_clock(
            "      deadline by priority { P1 => 15m, P2 => 30m }",
            "    score zero-tolerance"
        )
    );
}

#[test]
fn long_bands_and_tables_wrap_one_entry_a_line() {
    // 115 columns on one line
    let long = "    score bands { >= 100% => 100, >= 99% => 95, >= 98% => 90, >= 97% => 80, >= 96% => 70, >= 95% => 60, else => 0 }";
    assert_eq!(long.chars().count(), 115);
    let src = with_clock("      deadline 1h", long);
    let expected = with_clock(
        "      deadline 1h",
        "    score bands {\n      >= 100% => 100,\n      >= 99% => 95,\n      >= 98% => 90,\n      >= 97% => 80,\n      >= 96% => 70,\n      >= 95% => 60,\n      else => 0\n    }",
    );
    let out = format(&src).unwrap();
    assert_eq!(out, expected);
    assert_eq!(format(&out).unwrap(), out);
    assert!(eq_ignoring_spans(
        &parse(&out).unwrap(),
        &parse(&src).unwrap()
    ));
    // a comment on a band's row stays there, in a list short enough for one line
    let src = with_clock(
        "      deadline 1h",
        "    score bands {\n      >= 100% => 100,  # full marks\n      else => 0\n    }",
    );
    assert_eq!(format(&src).unwrap(), src);
    // the same for a deadline table of many rows and a long event declaration
    let rows: Vec<String> = (1..=12).map(|i| format!("P{i} => {i}h")).collect();
    let src = with_clock(
        &format!("      deadline by priority {{ {} }}", rows.join(", ")),
        "    score zero-tolerance",
    );
    let wrapped: Vec<String> = rows.iter().map(|r| format!("        {r}")).collect();
    let expected = with_clock(
        &format!(
            "      deadline by priority {{\n{}\n      }}",
            wrapped.join(",\n")
        ),
        "    score zero-tolerance",
    );
    assert_eq!(format(&src).unwrap(), expected);
    let src = "contract \"c\" {\n  event ticket.opened { priority: P1 | P2 | P3 | P4, source?: text, assignee?: text, due: time, waived?: bool }\n}\n";
    let expected = "contract \"c\" {\n  event ticket.opened {\n    priority: P1 | P2 | P3 | P4,\n    source?: text,\n    assignee?: text,\n    due: time,\n    waived?: bool\n  }\n}\n";
    assert_eq!(format(src).unwrap(), expected);
    assert_eq!(format(expected).unwrap(), expected);
}

#[test]
fn report_only_and_dates_print_canonically() {
    let src = "contract \"c\" {\n  indicator i {\n    report   only\n    filter at<2026-07-01\n  }\n  assess a by b {\n    override i {   report only }\n  }\n}\n";
    let want = "contract \"c\" {\n  indicator i {\n    report only\n    filter at < 2026-07-01\n  }\n  assess a by b {\n    override i {\n      report only\n    }\n  }\n}\n";
    assert_eq!(format(src).unwrap(), want);
    assert_eq!(format(want).unwrap(), want);
}

#[test]
fn syntax_errors_are_reported() {
    let errs = format("contract \"c\" {\n  nonsense\n}\n").unwrap_err();
    assert_eq!(errs[0].code, "E0001");
}

// ------------------------------------------------------------------ random trees

const KEYWORDS: &[&str] = &[
    "contract",
    "timezone",
    "currency",
    "term",
    "period",
    "round",
    "calendar",
    "hours",
    "makeup",
    "holidays",
    "holiday",
    "workday",
    "party",
    "fee",
    "covers",
    "category",
    "subcategory",
    "product",
    "event",
    "text",
    "bool",
    "number",
    "integer",
    "time",
    "subject",
    "anchor",
    "at",
    "flag",
    "set",
    "clear",
    "on",
    "where",
    "indicator",
    "level",
    "weight",
    "report",
    "only",
    "value",
    "target",
    "filter",
    "clock",
    "start",
    "stop",
    "pause",
    "resume",
    "restart",
    "reset",
    "deadline",
    "by",
    "inventory",
    "score",
    "linear",
    "bands",
    "else",
    "deduct",
    "per",
    "cap",
    "zero-tolerance",
    "or",
    "and",
    "not",
    "in",
    "true",
    "false",
    "assess",
    "scope",
    "all",
    "covered",
    "override",
    "payment",
    "pays",
    "deduction",
    "back-to-back",
];

fn sp() -> Span {
    Span::default()
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_-]{0,6}".prop_filter("not a keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn ident() -> impl Strategy<Value = Ident> {
    name().prop_map(|name| Ident { name, span: sp() })
}

fn path() -> impl Strategy<Value = Path> {
    (prop::collection::vec(name(), 1..4), any::<bool>()).prop_map(|(parts, wildcard)| Path {
        parts,
        wildcard,
        span: sp(),
    })
}

fn string() -> impl Strategy<Value = Str> {
    prop_oneof![
        "[a-z 中文/#\"\\\\]{0,10}",
        prop::collection::vec(any::<char>(), 0..6).prop_map(String::from_iter),
    ]
    .prop_map(|value| Str { value, span: sp() })
}

fn unit() -> impl Strategy<Value = UnitLit> {
    prop_oneof![
        Just(UnitLit::Percent),
        Just(UnitLit::Millis),
        Just(UnitLit::Seconds),
        Just(UnitLit::Minutes),
        Just(UnitLit::Hours),
        Just(UnitLit::Days),
    ]
}

fn number() -> impl Strategy<Value = Decimal> {
    (0i64..10_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s))
}

fn quantity() -> impl Strategy<Value = Quantity> {
    (number(), prop::option::of(unit())).prop_map(|(number, unit)| Quantity {
        number,
        unit,
        span: sp(),
    })
}

fn duration() -> impl Strategy<Value = Quantity> {
    (
        number(),
        prop_oneof![
            Just(UnitLit::Millis),
            Just(UnitLit::Seconds),
            Just(UnitLit::Minutes),
            Just(UnitLit::Hours),
            Just(UnitLit::Days),
        ],
    )
        .prop_map(|(number, u)| Quantity {
            number,
            unit: Some(u),
            span: sp(),
        })
}

fn date() -> impl Strategy<Value = DateLit> {
    (2000i32..2100, 1u32..366).prop_map(|(y, d)| DateLit {
        date: chrono::NaiveDate::from_yo_opt(y, d).unwrap(),
        span: sp(),
    })
}

fn time() -> impl Strategy<Value = TimeLit> {
    prop_oneof![
        (0u32..24, 0u32..60).prop_map(|(h, m)| h * 3600 + m * 60),
        Just(86_400u32),
    ]
    .prop_map(|seconds| TimeLit {
        seconds,
        span: sp(),
    })
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        string().prop_map(Literal::Str),
        any::<bool>().prop_map(|b| Literal::Bool(b, sp())),
        quantity().prop_map(Literal::Number),
        path().prop_map(Literal::Path),
        date().prop_map(Literal::Date),
    ]
}

fn cond() -> impl Strategy<Value = Cond> {
    let leaf = prop_oneof![
        (ident(), cmp_op(), literal()).prop_map(|(attr, op, value)| Cond::Cmp {
            attr,
            op,
            value,
            span: sp()
        }),
        (ident(), prop::collection::vec(literal(), 0..3)).prop_map(|(attr, values)| Cond::In {
            attr,
            values,
            span: sp()
        }),
        ident().prop_map(Cond::Flag),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| Cond::Not(Box::new(c), sp())),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| Cond::And(v, sp())),
            prop::collection::vec(inner, 2..4).prop_map(|v| Cond::Or(v, sp())),
        ]
    })
}

fn event_match() -> impl Strategy<Value = EventMatch> {
    (path(), prop::option::of(cond())).prop_map(|(kind, cond)| EventMatch {
        kind,
        cond,
        span: sp(),
    })
}

fn matches() -> impl Strategy<Value = Vec<EventMatch>> {
    prop::collection::vec(event_match(), 1..3)
}

fn selection() -> impl Strategy<Value = Selection> {
    (path(), prop::option::of(cond())).prop_map(|(path, filter)| Selection {
        path,
        filter,
        span: sp(),
    })
}

fn value_expr() -> impl Strategy<Value = ValueExpr> {
    let leaf_arg = prop_oneof![
        selection().prop_map(Arg::Select),
        selection().prop_map(Arg::Inventory),
        selection().prop_map(Arg::Excluding),
        quantity().prop_map(Arg::Number),
    ];
    let leaf = (ident(), prop::collection::vec(leaf_arg.clone(), 0..3)).prop_map(|(func, args)| {
        ValueExpr {
            func,
            args,
            span: sp(),
        }
    });
    leaf.prop_recursive(2, 6, 3, move |inner| {
        (
            ident(),
            prop::collection::vec(
                prop_oneof![inner.prop_map(Arg::Call), leaf_arg.clone()],
                0..3,
            ),
        )
            .prop_map(|(func, args)| ValueExpr {
                func,
                args,
                span: sp(),
            })
    })
}

fn target() -> impl Strategy<Value = Target> {
    (cmp_op(), quantity()).prop_map(|(op, value)| Target {
        op,
        value,
        span: sp(),
    })
}

fn scoring() -> impl Strategy<Value = Scoring> {
    prop_oneof![
        prop::collection::vec((quantity(), quantity()), 1..4)
            .prop_map(|points| Scoring::Linear { points, span: sp() }),
        (
            prop::collection::vec((cmp_op(), quantity(), quantity()), 0..3),
            prop::option::of(quantity())
        )
            .prop_filter("bands need an entry", |(b, o)| !b.is_empty() || o.is_some())
            .prop_map(|(bands, otherwise)| Scoring::Bands {
                bands,
                otherwise,
                span: sp()
            }),
        (quantity(), quantity(), prop::option::of(quantity())).prop_map(|(points, per, cap)| {
            Scoring::Deduct {
                points,
                per,
                cap,
                span: sp(),
            }
        }),
        Just(Scoring::ZeroTolerance(sp())),
    ]
}

fn points_rule() -> impl Strategy<Value = PointsRule> {
    let basis = prop_oneof![
        (quantity(), any::<bool>())
            .prop_map(|(points, breached)| PointsBasis::Clocks { points, breached }),
        (quantity(), duration()).prop_map(|(points, step)| PointsBasis::Late { points, step }),
        (quantity(), quantity()).prop_map(|(points, step)| PointsBasis::Below { points, step }),
        (quantity(), quantity()).prop_map(|(points, step)| PointsBasis::Above { points, step }),
        quantity().prop_map(|points| PointsBasis::Each { points }),
        (
            prop::collection::vec((cmp_op(), quantity(), quantity()), 0..3),
            prop::option::of(quantity())
        )
            .prop_filter("bands need an entry", |(b, o)| !b.is_empty() || o.is_some())
            .prop_map(|(bands, otherwise)| PointsBasis::Bands { bands, otherwise }),
    ];
    (
        any::<bool>(),
        basis,
        prop::collection::vec(
            (quantity(), prop::option::of(ident())).prop_map(|(amount, per)| PointsCap {
                amount,
                per,
                span: sp(),
            }),
            0..3,
        ),
    )
        .prop_map(|(bonus, basis, caps)| PointsRule {
            sign: if bonus {
                PointsSign::Bonus
            } else {
                PointsSign::Deduct
            },
            basis,
            caps,
            span: sp(),
        })
}

fn deadline() -> impl Strategy<Value = Deadline> {
    prop_oneof![
        duration().prop_map(|d| Deadline::Fixed(d, sp())),
        (
            ident(),
            prop::collection::vec((ident(), duration()), 1..4),
            prop::option::of((path(), any::<bool>()))
        )
            .prop_map(|(attr, table, follow)| Deadline::ByAttr {
                attr,
                table,
                follow: follow.map(|(kind, restart)| Follow {
                    kind,
                    restart,
                    span: sp()
                }),
                span: sp(),
            }),
        ident().prop_map(|i| Deadline::At(i, sp())),
    ]
}

fn clock_stmt() -> impl Strategy<Value = ClockStmt> {
    prop_oneof![
        matches().prop_map(|m| ClockStmt::Start(m, sp())),
        matches().prop_map(|m| ClockStmt::Stop(m, sp())),
        matches().prop_map(|m| ClockStmt::Pause(m, sp())),
        matches().prop_map(|m| ClockStmt::Resume(m, sp())),
        matches().prop_map(|m| ClockStmt::Restart(m, sp())),
        matches().prop_map(|m| ClockStmt::Reset(m, sp())),
        deadline().prop_map(ClockStmt::Deadline),
        ident().prop_map(ClockStmt::Calendar),
    ]
}

fn indicator_stmt() -> impl Strategy<Value = IndicatorStmt> {
    prop_oneof![
        ident().prop_map(IndicatorStmt::Level),
        quantity().prop_map(IndicatorStmt::Weight),
        Just(IndicatorStmt::ReportOnly(sp())),
        (ident(), prop::collection::vec(clock_stmt(), 0..5)).prop_map(|(subject, stmts)| {
            IndicatorStmt::Clock(ClockDecl {
                subject,
                stmts,
                span: sp(),
            })
        }),
        value_expr().prop_map(IndicatorStmt::Value),
        target().prop_map(IndicatorStmt::Target),
        scoring().prop_map(IndicatorStmt::Score),
        cond().prop_map(IndicatorStmt::Filter),
        points_rule().prop_map(IndicatorStmt::Points),
    ]
}

/// Titles: an English title only after a Chinese one.
fn titles() -> impl Strategy<Value = (Option<Str>, Option<Str>)> {
    prop_oneof![
        Just((None, None)),
        string().prop_map(|z| (Some(z), None)),
        (string(), string()).prop_map(|(z, e)| (Some(z), Some(e))),
    ]
}

fn calendar_stmt() -> impl Strategy<Value = CalendarStmt> {
    let days = prop_oneof![
        (ident(), ident()).prop_map(|(a, b)| DaySel::Range(a, b)),
        prop::collection::vec(ident(), 1..4).prop_map(DaySel::List),
        Just(DaySel::Makeup(sp())),
    ];
    prop_oneof![
        (days, prop::collection::vec((time(), time()), 1..3)).prop_map(|(days, intervals)| {
            CalendarStmt::Hours {
                days,
                intervals,
                span: sp(),
            }
        }),
        Just(CalendarStmt::Always { span: sp() }),
        ident().prop_map(|table| CalendarStmt::Holidays { table, span: sp() }),
        (date(), prop::option::of(date())).prop_map(|(from, to)| CalendarStmt::Holiday {
            from,
            to,
            span: sp()
        }),
        date().prop_map(|date| CalendarStmt::Workday { date, span: sp() }),
    ]
}

fn product() -> impl Strategy<Value = ProductDecl> {
    (ident(), titles(), prop::option::of(ident())).prop_map(
        |(name, (title_zh, title_en), calendar)| ProductDecl {
            name,
            title_zh,
            title_en,
            calendar,
            span: sp(),
        },
    )
}

fn attr_decl() -> impl Strategy<Value = AttrDecl> {
    let ty = prop_oneof![
        Just(AttrTypeLit::Text(sp())),
        Just(AttrTypeLit::Bool(sp())),
        Just(AttrTypeLit::Integer(sp())),
        Just(AttrTypeLit::Time(sp())),
        prop::option::of(unit()).prop_map(|u| AttrTypeLit::Number(u, sp())),
        prop::collection::vec(ident(), 1..4).prop_map(AttrTypeLit::Enum),
    ];
    // a range parses after any type (the checker says which take one)
    let range = prop::option::of((quantity(), quantity()).prop_map(|(min, max)| RangeLit {
        min,
        max,
        span: sp(),
    }));
    (ident(), any::<bool>(), ty, range).prop_map(|(name, optional, ty, range)| AttrDecl {
        name,
        optional,
        ty,
        range,
        span: sp(),
    })
}

fn item() -> impl Strategy<Value = Item> {
    let simple = prop_oneof![
        string().prop_map(Item::Timezone),
        ident().prop_map(Item::Currency),
        (date(), date()).prop_map(|(from, to)| Item::Term {
            from,
            to,
            span: sp()
        }),
        ident().prop_map(Item::Period),
        (ident(), quantity()).prop_map(|(what, places)| Item::Round {
            what,
            places,
            span: sp()
        }),
        Just(Item::Rollup(RollupDecl::Weighted(sp()))),
        (
            quantity(),
            prop::option::of(quantity()),
            prop::option::of(quantity())
        )
            .prop_map(|(start, floor, ceiling)| Item::Rollup(RollupDecl::Points {
                start,
                floor,
                ceiling,
                span: sp()
            })),
    ];
    let calendar = (
        ident(),
        prop::option::of(string()),
        prop::collection::vec(calendar_stmt(), 0..5),
    )
        .prop_map(|(name, title, stmts)| {
            Item::Calendar(CalendarDecl {
                name,
                title,
                stmts,
                span: sp(),
            })
        });
    let fee = (quantity(), ident(), ident()).prop_map(|(amount, currency, per)| Fee {
        amount,
        currency,
        per,
        span: sp(),
    });
    let party = (
        ident(),
        prop_oneof![Just("client"), Just("prime"), Just("sub"), Just("third")],
        prop::option::of(string()),
        prop::option::of(fee),
        prop::collection::vec(path(), 0..3),
    )
        .prop_map(|(name, role, title, fee, covers)| {
            Item::Party(PartyDecl {
                name,
                role: Ident {
                    name: role.to_string(),
                    span: sp(),
                },
                title,
                fee,
                covers,
                span: sp(),
            })
        });
    let catalog_item = prop_oneof![
        product().prop_map(CatalogItem::Product),
        (
            ident(),
            titles(),
            prop::option::of(ident()),
            prop::collection::vec(product(), 0..3)
        )
            .prop_map(|(name, (title_zh, title_en), calendar, products)| {
                CatalogItem::Subcategory(SubcategoryDecl {
                    name,
                    title_zh,
                    title_en,
                    calendar,
                    products,
                    span: sp(),
                })
            }),
    ];
    let category = (
        ident(),
        titles(),
        prop::option::of(ident()),
        prop::collection::vec(catalog_item, 0..4),
    )
        .prop_map(|(name, (title_zh, title_en), calendar, items)| {
            Item::Category(CategoryDecl {
                name,
                title_zh,
                title_en,
                calendar,
                items,
                span: sp(),
            })
        });
    let event = (path(), prop::collection::vec(attr_decl(), 0..4)).prop_map(|(kind, attrs)| {
        Item::Event(EventDecl {
            kind,
            attrs,
            span: sp(),
        })
    });
    let flag = (
        ident(),
        prop::collection::vec(event_match(), 0..3),
        prop::collection::vec(event_match(), 0..3),
    )
        .prop_map(|(name, set, clear)| FlagDecl {
            name,
            set,
            clear,
            span: sp(),
        });
    let lasts = prop_oneof![
        matches().prop_map(|m| Lasts::Until(m, sp())),
        (ident(), ident()).prop_map(|(a, b)| Lasts::Attrs(a, b, sp())),
    ];
    let subject = (
        ident(),
        path(),
        prop::option::of(ident()),
        prop::collection::vec(flag, 0..3),
        prop::collection::vec(lasts, 0..2),
    )
        .prop_map(|(name, anchor, anchor_at, flags, lasts)| {
            Item::Subject(SubjectDecl {
                name,
                anchor,
                anchor_at,
                flags,
                lasts,
                span: sp(),
            })
        });
    let indicator = (
        ident(),
        titles(),
        prop::collection::vec(indicator_stmt(), 0..7),
    )
        .prop_map(|(id, (title_zh, title_en), stmts)| {
            Item::Indicator(IndicatorDecl {
                id,
                title_zh,
                title_en,
                stmts,
                span: sp(),
            })
        });
    let scope = prop_oneof![
        Just(ScopeLit::All(sp())),
        Just(ScopeLit::Covered(sp())),
        prop::collection::vec(path(), 1..3).prop_map(|p| ScopeLit::Products(p, sp())),
    ];
    let override_decl = (
        ident(),
        prop::option::of(target()),
        prop::option::of(scoring()),
        prop::option::of(quantity()),
        any::<bool>(),
        prop::collection::vec(points_rule(), 0..2),
    )
        .prop_map(
            |(indicator, target, score, weight, report, points)| OverrideDecl {
                indicator,
                target,
                score,
                weight,
                report_only: report.then(sp),
                points,
                span: sp(),
            },
        );
    let assess = (
        prop::collection::vec(ident(), 1..4),
        ident(),
        prop::option::of(scope),
        prop::collection::vec(override_decl, 0..3),
    )
        .prop_map(|(assessees, assessor, scope, overrides)| {
            Item::Assess(AssessDecl {
                assessees,
                assessor,
                scope,
                overrides,
                span: sp(),
            })
        });
    let rule = (
        prop_oneof![
            (cmp_op(), quantity()).prop_map(|(o, q)| ScoreRange::Cmp(o, q)),
            (quantity(), quantity()).prop_map(|(a, b)| ScoreRange::Between(a, b)),
        ],
        prop_oneof![
            quantity().prop_map(Share::Fixed),
            (quantity(), quantity()).prop_map(|(a, b)| Share::Linear(a, b)),
        ],
    )
        .prop_map(|(range, share)| PayRule {
            range,
            share,
            span: sp(),
        });
    let payment = (
        prop::collection::vec(rule, 0..4),
        prop::option::of(quantity()),
        any::<bool>(),
    )
        .prop_map(|(rules, cap, back_to_back)| {
            Item::Payment(PaymentDecl {
                rules,
                cap,
                back_to_back,
                span: sp(),
            })
        });
    prop_oneof![
        simple,
        calendar,
        party,
        category,
        event,
        subject,
        indicator,
        indicator_stmt_only(),
        assess,
        payment,
    ]
}

/// An indicator with one statement of each kind (so every kind shows up often).
fn indicator_stmt_only() -> impl Strategy<Value = Item> {
    (
        ident(),
        ident(),
        quantity(),
        (ident(), prop::collection::vec(clock_stmt(), 1..9)),
        value_expr(),
        target(),
        scoring(),
        cond(),
    )
        .prop_map(
            |(id, level, weight, (subject, cstmts), value, target, score, filter)| {
                Item::Indicator(IndicatorDecl {
                    id,
                    title_zh: None,
                    title_en: None,
                    stmts: vec![
                        IndicatorStmt::Level(level),
                        IndicatorStmt::Weight(weight),
                        IndicatorStmt::Clock(ClockDecl {
                            subject,
                            stmts: cstmts,
                            span: sp(),
                        }),
                        IndicatorStmt::Value(value),
                        IndicatorStmt::Target(target),
                        IndicatorStmt::Score(score),
                        IndicatorStmt::Filter(filter),
                    ],
                    span: sp(),
                })
            },
        )
}

fn file() -> impl Strategy<Value = File> {
    (string(), prop::collection::vec(item(), 0..12)).prop_map(|(name, items)| File {
        contract: ContractDecl {
            name,
            items,
            span: sp(),
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn printed_trees_parse_back(f in file()) {
        let text = print(&f);
        let back = match parse(&text) {
            Ok(b) => b,
            Err(e) => return Err(TestCaseError::fail(format!("{e:?}\n{text}"))),
        };
        prop_assert!(eq_ignoring_spans(&back, &f), "{:?}\n!=\n{:?}\n{}", back, f, text);
        let again = format(&text).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(again, text);
    }
}
