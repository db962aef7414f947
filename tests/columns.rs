//! Column-wise tables (`input::columns`): the same rows given as columns and as JSON Lines
//! give the same evaluator, rejections included; Arrow arrays are validated before use.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::{json, Value};
use slagrade::engine::eval::Evaluator;
use slagrade::input::columns::{Attrs, Column, Entries, Fields, Named, Slot, Table};

fn values(v: &[Value]) -> Column {
    Column::Values(v.iter().cloned().map(Ok).collect())
}

fn strings(v: &[&str]) -> Column {
    values(&v.iter().map(|s| json!(s)).collect::<Vec<_>>())
}

/// The evaluator of the same rows read as JSON Lines.
fn from_lines(rows: &[Value]) -> Evaluator {
    let plan = common::reference_plan();
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    let mut ev = Evaluator::new(&plan);
    slagrade::event::read_jsonl_with(
        plan.contract(),
        text.as_bytes(),
        slagrade::event::Limits::default(),
        |o| match o {
            slagrade::event::LineRef::Accepted(e) => {
                ev.push_ref(e);
            }
            slagrade::event::LineRef::Rejected(r) => ev.reject(r),
        },
    )
    .unwrap();
    ev
}

fn outcome(ev: &Evaluator) -> (String, Vec<(Option<u64>, String, String)>) {
    let counts = format!("{:?}", ev.counts());
    let rejected = ev
        .rejected()
        .iter()
        .map(|r| (r.line, r.reason.to_string(), r.text.clone()))
        .collect();
    (counts, rejected)
}

fn rows() -> Vec<Value> {
    vec![
        json!({"id": "a1", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "subject": "T-1",
               "product": "infra.servers", "attrs": {"priority": "P2"}}),
        // an attribute of the wrong value: rejected with the same reason and text
        json!({"id": "a2", "at": "2026-10-12T10:05:00+08:00", "kind": "ticket.opened", "subject": "T-2",
               "product": "infra.servers", "attrs": {"priority": "P9"}}),
        json!({"id": "a3", "at": "2026-10-12T11:00:00+08:00", "kind": "ticket.resolved", "subject": "T-1",
               "product": "infra.servers", "attrs": {}}),
        // an unknown product
        json!({"id": "a4", "at": "2026-10-12T11:00:00+08:00", "kind": "ticket.resolved", "subject": "T-3",
               "product": "nowhere", "attrs": {}}),
        // a repeated id: a duplicate
        json!({"id": "a1", "at": "2026-10-12T12:00:00+08:00", "kind": "ticket.opened", "subject": "T-4",
               "product": "infra.servers", "attrs": {"priority": "P1"}}),
    ]
}

fn fields(rows: &[Value]) -> Fields {
    let col = |k: &str| values(&rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>());
    Fields {
        id: col("id"),
        at: col("at"),
        kind: col("kind"),
        subject: col("subject"),
        product: col("product"),
        party: Column::Absent,
    }
}

fn fed(t: &Table) -> Evaluator {
    let mut ev = Evaluator::new(&common::reference_plan());
    t.feed(&mut ev);
    ev
}

#[test]
fn attrs_as_values_as_entries_and_as_columns_equal_json_lines() {
    let rows = rows();
    let expected = outcome(&from_lines(&rows));
    assert!(expected.1.len() == 2, "two rows rejected: {:?}", expected.1);

    // `attrs` as JSON objects
    let attrs = Attrs::Values(values(
        &rows.iter().map(|r| r["attrs"].clone()).collect::<Vec<_>>(),
    ));
    let t = Table::new(rows.len(), fields(&rows), attrs, Named::new(vec![])).unwrap();
    assert_eq!(outcome(&fed(&t)), expected);

    // `attrs` as maps of entries
    let mut e = Entries::with_capacity(rows.len());
    for r in &rows {
        let start = e.begin_map();
        for (k, v) in r["attrs"].as_object().unwrap() {
            let key = e.intern(k);
            let slot = e.str(v.as_str().unwrap());
            e.entry(key, slot);
        }
        e.end_map(start, Ok(()));
    }
    let t = Table::new(
        rows.len(),
        fields(&rows),
        Attrs::Entries(e),
        Named::new(vec![]),
    )
    .unwrap();
    assert_eq!(outcome(&fed(&t)), expected);

    // `priority` as a column of its own (null where a row has none)
    let priority = values(
        &rows
            .iter()
            .map(|r| r["attrs"]["priority"].clone())
            .collect::<Vec<_>>(),
    );
    let t = Table::new(
        rows.len(),
        fields(&rows),
        Attrs::Values(Column::Absent),
        Named::new(vec![("priority".into(), priority)]),
    )
    .unwrap();
    assert_eq!(outcome(&fed(&t)), expected);
}

#[test]
fn an_attrs_entry_wins_over_an_attrs_dot_column_which_wins_over_a_plain_column() {
    let rows = &rows()[..1];
    let base = || fields(rows);
    let mut e = Entries::with_capacity(1);
    let start = e.begin_map();
    let key = e.intern("priority");
    let slot = e.str("P9");
    e.entry(key, slot);
    e.end_map(start, Ok(()));
    // the entry (P9, invalid) wins: rejected
    let t = Table::new(
        1,
        base(),
        Attrs::Entries(e),
        Named::new(vec![
            ("attrs.priority".into(), strings(&["P1"])),
            ("priority".into(), strings(&["P2"])),
        ]),
    )
    .unwrap();
    let ev = fed(&t);
    assert_eq!(ev.counts().rejected, 1);
    assert!(ev.rejected()[0].reason.to_string().contains("P9"));
    // without the entry, `attrs.priority` (P9) wins over `priority` (P1)
    let t = Table::new(
        1,
        base(),
        Attrs::Values(Column::Absent),
        Named::new(vec![
            ("priority".into(), strings(&["P1"])),
            ("attrs.priority".into(), strings(&["P9"])),
        ]),
    )
    .unwrap();
    assert_eq!(fed(&t).counts().rejected, 1);
    // a null `attrs.priority` is no value: `priority` is read
    let t = Table::new(
        1,
        base(),
        Attrs::Values(Column::Absent),
        Named::new(vec![
            ("attrs.priority".into(), values(&[Value::Null])),
            ("priority".into(), strings(&["P1"])),
        ]),
    )
    .unwrap();
    assert_eq!(fed(&t).counts().accepted, 1);
    // an entry that could not be converted rejects its row with the reason given
    let mut e = Entries::with_capacity(1);
    let start = e.begin_map();
    let key = e.intern("priority");
    e.entry(key, Slot::NULL);
    e.end_map(start, Err("cannot convert a set".into()));
    let t = Table::new(1, base(), Attrs::Entries(e), Named::new(vec![])).unwrap();
    let ev = fed(&t);
    assert_eq!(
        ev.rejected()[0].reason.to_string(),
        "`attrs`: cannot convert a set"
    );
}

#[test]
fn a_column_of_another_length_is_named() {
    let rows = rows();
    let mut f = fields(&rows);
    f.subject = strings(&["T-1"]);
    let err = Table::new(
        rows.len(),
        f,
        Attrs::Values(Column::Absent),
        Named::new(vec![]),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "column `subject`: has 1 values, expected 5"
    );
    // attribute columns are checked before the fields
    let mut f = fields(&rows);
    f.id = strings(&["x"]);
    let err = Table::new(
        rows.len(),
        f,
        Attrs::Values(Column::Absent),
        Named::new(vec![("priority".into(), strings(&["P1", "P2"]))]),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "column `priority`: has 2 values, expected 5"
    );
}

#[test]
fn rows_fed_after_earlier_ones_are_numbered_after_them() {
    let rows = rows();
    let plan = common::reference_plan();
    let mut ev = Evaluator::new(&plan);
    let t = Table::new(
        rows.len(),
        fields(&rows),
        Attrs::Values(values(
            &rows.iter().map(|r| r["attrs"].clone()).collect::<Vec<_>>(),
        )),
        Named::new(vec![]),
    )
    .unwrap();
    t.feed(&mut ev);
    t.feed(&mut ev);
    let lines: Vec<Option<u64>> = ev.rejected().iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![Some(2), Some(4), Some(7), Some(9)]);
    assert_eq!(ev.positions(), 10);
    let _ = Arc::clone(&plan);
}

#[cfg(feature = "arrow")]
mod arrow {
    use super::*;
    use arrow_array::{ArrayRef, Int64Array, StringArray, TimestampMillisecondArray};
    use slagrade::input::columns::arrow::Column as ArrowColumn;

    fn arrow(a: ArrayRef) -> Column {
        Column::Arrow(ArrowColumn::new(vec![a]).unwrap())
    }

    #[test]
    fn arrow_columns_equal_json_lines() {
        let rows = rows();
        let expected = outcome(&from_lines(&rows));
        let s = |k: &str| -> ArrayRef {
            Arc::new(StringArray::from(
                rows.iter().map(|r| r[k].as_str()).collect::<Vec<_>>(),
            ))
        };
        // `at` as a timezone-aware timestamp, split into two chunks
        let ms: Vec<i64> = rows
            .iter()
            .map(|r| {
                slagrade::event::parse_instant(r["at"].as_str().unwrap()).unwrap() * 1000 + 999
            })
            .collect();
        let ts = |v: &[i64]| -> ArrayRef {
            Arc::new(TimestampMillisecondArray::from(v.to_vec()).with_timezone("Asia/Shanghai"))
        };
        let at = ArrowColumn::new(vec![ts(&ms[..2]), ts(&ms[2..])]).unwrap();
        let f = Fields {
            id: arrow(s("id")),
            at: Column::Arrow(at),
            kind: arrow(s("kind")),
            subject: arrow(s("subject")),
            product: arrow(s("product")),
            party: Column::Absent,
        };
        let priority: ArrayRef = Arc::new(StringArray::from(
            rows.iter()
                .map(|r| r["attrs"]["priority"].as_str())
                .collect::<Vec<_>>(),
        ));
        let t = Table::new(
            rows.len(),
            f,
            Attrs::Values(Column::Absent),
            Named::new(vec![("priority".into(), arrow(priority))]),
        )
        .unwrap();
        assert_eq!(outcome(&fed(&t)), expected);
    }

    #[test]
    fn types_not_read_and_malformed_arrays_are_refused() {
        let err = ArrowColumn::new(vec![
            Arc::new(arrow_array::Int32Array::from(vec![1])) as ArrayRef
        ])
        .err()
        .unwrap();
        assert!(
            err.to_string().starts_with("Arrow type Int32 is not read"),
            "{err}"
        );
        let mixed = ArrowColumn::new(vec![
            Arc::new(Int64Array::from(vec![1])) as ArrayRef,
            Arc::new(StringArray::from(vec!["x"])) as ArrayRef,
        ]);
        assert_eq!(
            mixed.err().unwrap().to_string(),
            "chunks of different types (Int64, Utf8)"
        );
        // decreasing offsets, built without validation
        let data = unsafe {
            arrow_data::ArrayData::new_unchecked(
                arrow_schema::DataType::Utf8,
                2,
                None,
                None,
                0,
                vec![
                    arrow_buffer::Buffer::from_slice_ref([0i32, 3, 1]),
                    arrow_buffer::Buffer::from_slice_ref(b"abc"),
                ],
                vec![],
            )
        };
        let bad = arrow_array::make_array(data);
        let rows = &rows()[..2];
        let mut f = fields(rows);
        f.subject = arrow(bad);
        let err = Table::new(2, f, Attrs::Values(Column::Absent), Named::new(vec![]))
            .err()
            .unwrap();
        assert!(
            err.to_string()
                == "column `subject`: malformed Arrow array: decreasing or negative string offsets",
            "{err}"
        );
    }
}
