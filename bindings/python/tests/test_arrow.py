"""Column-wise input read as Arrow arrays gives exactly what the same rows give as dicts.

Every case compares three readings of the same data: the rows as a list of dicts (the
record path), the table or DataFrame read as Arrow arrays, imported through the Arrow C Data
Interface (the fast path), and the
same object read through Python lists (``_input.use_arrow = False``, the path without
pyarrow). Scorecards must be equal, and so must the rejections: reason and row number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import slagrade
from slagrade import _input

PERIOD = "2026-10"
FIELDS = ("id", "at", "kind", "subject", "product", "party")


def bad_rows() -> list[dict[str, Any]]:
    """Rows that exercise every rejection, with types that stay uniform per column."""
    ok = {"id": "x", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "subject": "T-x",
          "product": "infra.servers", "party": "prime", "attrs": {"priority": "P1"}}

    def row(n: int, **changes: Any) -> dict[str, Any]:
        return {**ok, "id": f"bad-{n}", **changes}

    return [
        row(1, id=None),
        row(2, id=""),
        row(3, kind=None),
        row(4, subject=""),
        row(5, product=None),
        row(6, product="no.such.product"),
        row(7, at=None),
        row(8, at="2026-10-12 10:00:00+08:00"),
        row(9, at="2026-10-12T24:00:00+08:00"),
        row(10, at="2026-02-30T10:00:00Z"),
        row(11, attrs=None),
        row(12, attrs={"priority": "P9"}),
        row(13, attrs={"priority": None, "source": "phone"}),
        row(14, kind="net.probe", product="network.internet", attrs={"latency_ms": None}),
        row(15, kind="plan.scheduled", attrs={"due": "soon"}),
        row(16, kind="search.request", product="network.internet", attrs={"latency_ms": 12.5}),
        # accepted: an undeclared kind, an optional attribute absent, no party
        row(17, kind="x.unknown", attrs=None),
        row(18, party=None, attrs={"priority": "P2"}),
        row(19, kind="search.request", product="network.internet", attrs={"ok": True, "latency_ms": 2500}),
        # a duplicate of an earlier id
        row(18, party=None, attrs={"priority": "P3"}),
        row(20, subject=None, at=None),
        row(21, kind="net.probe", product="network.internet", attrs={"latency_ms": 31}),
    ]


@pytest.fixture(scope="module")
def rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The example stream's rows (those with a uniform shape) with the bad rows spread in."""
    good = [r for r in records if isinstance(r.get("attrs", {}), dict)
            and all(isinstance(r.get(k), (str, type(None))) for k in FIELDS)][:4000]
    out = list(good)
    for k, b in enumerate(bad_rows()):
        out.insert(min(len(out), 7 + k * 97), b)
    return out


def outcome(card: slagrade.Scorecard) -> tuple[dict[str, Any], list[tuple[Optional[int], str]]]:
    return card.to_dict(), [(r.line, r.reason) for r in card.rejected]


def evaluate(contract: slagrade.Contract, events: Any, arrow: bool = True) -> Any:
    old = _input.use_arrow
    _input.use_arrow = arrow
    try:
        return outcome(contract.evaluate(events, period=PERIOD))
    finally:
        _input.use_arrow = old


def pushed(contract: slagrade.Contract, events: Any, arrow: bool) -> slagrade.Evaluator:
    """A new evaluator with `events` added, read as Arrow arrays or through lists."""
    ev = contract.evaluator()
    old = _input.use_arrow
    _input.use_arrow = arrow
    try:
        ev.push_many(events)
    finally:
        _input.use_arrow = old
    return ev


def record_view(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as dicts, null fields left out (a missing value either way)."""
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


def table(rows: list[dict[str, Any]], attrs: str = "struct", string: Any = pa.string(),
          at: str = "text") -> pa.Table:
    cols: dict[str, Any] = {k: pa.array([r.get(k) for r in rows], type=string) for k in FIELDS}
    if at == "timestamp":
        cols["at"] = pa.array([pd.Timestamp(r["at"]) if r.get("at") else None for r in rows],
                              type=pa.timestamp("s", tz="Asia/Shanghai"))
    a = [r.get("attrs") for r in rows]
    if attrs == "struct":
        cols["attrs"] = pa.array(a)
    elif attrs == "json":
        cols["attrs"] = pa.array([None if x is None else json.dumps(x) for x in a], type=string)
    else:
        keys = sorted({k for x in a if x for k in x})
        for k in keys:
            cols[k] = pa.array([(x or {}).get(k) for x in a])
    return pa.table(cols)


BAD_AT = {"2026-10-12 10:00:00+08:00", "2026-10-12T24:00:00+08:00", "2026-02-30T10:00:00Z"}


RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def valid_at(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with an `at` that cannot be a timestamp made null."""
    def ok(at: Any) -> bool:
        return isinstance(at, str) and at not in BAD_AT and RFC3339.fullmatch(at) is not None

    return [r if ok(r.get("at")) else {**r, "at": None} for r in rows]


def uses_arrow(events: Any) -> set[str]:
    """The columns the fast path reads as Arrow arrays."""
    kind, spec = _input.prepare(events)
    assert kind == "columns"
    out = set()
    for part in ("columns", "extra"):
        for name, desc in spec[part].items():
            if isinstance(desc, tuple) and desc[0] in ("arrow", "struct"):
                out.add(name)
    return out


# ------------------------------------------------------------------------------------ Arrow


@pytest.mark.parametrize("attrs", ["struct", "json", "flat"])
@pytest.mark.parametrize("string", [pa.string(), pa.large_string()], ids=["string", "large_string"])
def test_arrow_equals_records(contract: slagrade.Contract, rows: list[dict[str, Any]], attrs: str,
                              string: Any) -> None:
    t = table(rows, attrs, string)
    assert {"id", "at", "kind", "subject", "product", "party"} <= uses_arrow(t)
    if attrs == "struct":
        assert "attrs" in uses_arrow(t)
    ref = evaluate(contract, record_view(rows))
    assert ref[1], "the data has rejections"
    assert evaluate(contract, t) == ref
    assert evaluate(contract, t, arrow=False) == ref


def test_arrow_timestamps(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    rows = valid_at(rows)
    t = table(rows, at="timestamp")
    assert pa.types.is_timestamp(t.schema.field("at").type) and "at" in uses_arrow(t)
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, t) == ref
    assert evaluate(contract, t, arrow=False) == ref
    for unit in ("ms", "us", "ns"):
        t2 = t.set_column(t.schema.get_field_index("at"), "at",
                          t.column("at").cast(pa.timestamp(unit, tz="UTC")))
        assert evaluate(contract, t2) == ref


def test_chunked_and_sliced(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    t = table(rows)
    chunked = pa.Table.from_batches(t.to_batches(max_chunksize=333))
    assert chunked.column("id").num_chunks > 10
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, chunked) == ref
    # columns chunked differently from each other
    mixed = chunked.set_column(0, "id", pa.chunked_array([t.column("id").combine_chunks()]))
    assert evaluate(contract, mixed) == ref
    # a slice: buffers start at a nonzero offset (also inside chunks, and inside a struct)
    for start, stop in ((1, len(rows) - 3), (5, 900), (333 + 17, 2 * 333 + 5)):
        sliced = chunked.slice(start, stop - start)
        assert sliced.column("id").chunks[0].offset > 0
        want = evaluate(contract, record_view(rows[start:stop]))
        assert evaluate(contract, sliced) == want
        assert evaluate(contract, t.slice(start, stop - start)) == want
        assert evaluate(contract, sliced.combine_chunks()) == want


def test_record_batch_and_empty(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    t = table(rows)
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, t.combine_chunks().to_batches()[0]) == ref
    empty = contract.evaluate(t.slice(0, 0), period=PERIOD)
    assert empty.events == {"accepted": 0, "duplicates": 0, "rejected": 0}


def test_other_types_fall_back_per_column(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    """Columns the buffers reader does not take (nested attributes, naive times as attributes)
    go through lists, row for row as before; dictionary-encoded strings and integer columns
    are read from buffers."""
    nested = [None if r.get("attrs") is None else {**r["attrs"], "deep": {"a": [1, 2]}} for r in rows]
    t = pa.table({
        "id": pa.array([r.get("id") for r in rows]),
        "at": pa.array([r.get("at") for r in rows]),
        "kind": pa.array([r.get("kind") for r in rows]).dictionary_encode(),
        "subject": pa.array([r.get("subject") for r in rows]),
        "product": pa.array([r.get("product") for r in rows]),
        "party": pa.array(list(range(len(rows))), type=pa.int16()),
        "attrs": pa.array(nested),
        "seen": pa.array([datetime(2026, 10, 1)] * len(rows), type=pa.timestamp("s")),
    })
    assert uses_arrow(t) == {"id", "at", "kind", "subject", "product", "party"}
    ref = evaluate(contract, record_view([{**r, "attrs": a} for r, a in zip(rows, nested)]))
    assert ref[1]
    assert evaluate(contract, t) == ref
    assert evaluate(contract, t, arrow=False) == ref
    # numbers where strings belong: rejected with the same reasons
    ids = t.set_column(0, "id", pa.array([float(i) if i % 3 else None for i in range(len(rows))]))
    got = evaluate(contract, ids)
    assert got == evaluate(contract, ids, arrow=False)
    assert {reason for _, reason in got[1]} >= {"missing `id`", "`id` must be a string, found a number"}


# ----------------------------------------------------------------------------------- pandas


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame({k: [r.get(k) for r in rows] for k in (*FIELDS, "attrs")})


def test_pandas_dict_attrs(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    df = frame(rows)
    # the dicts are read from the Python objects, the other columns from buffers
    assert uses_arrow(df) == set(FIELDS)
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, df) == ref
    assert evaluate(contract, df, arrow=False) == ref


def test_pandas_attrs_values_of_every_kind(contract: slagrade.Contract) -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = {"d": deep}
    attrs: list[tuple[Any, Optional[str]]] = [
        ({"priority": "P1", "source": "phone"}, None),
        ({1: "x", "priority": "P1"}, "`attrs`: keys must be strings, found a key of type `int`"),
        ({"priority": "P1", "x": object()}, "`attrs`: unsupported value of type `object`"),
        ({"priority": "P1", "deep": deep}, "`attrs`: value nested deeper than 32 levels"),
        ({"priority": float("nan")}, "`ticket.opened` needs attribute `priority` (one of P1, P2, P3, P4)"),
        ({"priority": None}, "`ticket.opened` needs attribute `priority` (one of P1, P2, P3, P4)"),
        ({"priority": True}, "`ticket.opened` attribute `priority` must be one of P1, P2, P3, P4, found true"),
        ({"priority": 2**70}, "`ticket.opened` attribute `priority` must be one of P1, P2, P3, P4, "
                              "found 1180591620717411303424"),
        ({"priority": "P\ud800"}, "`ticket.opened` attribute `priority` must be one of P1, P2, P3, P4, "
                                   'found "P\ufffd\ufffd\ufffd"'),  # as the record path reads it
        ('{"priority": "P2"}', None),
        ("{bad", "`attrs` is not JSON: key must be a string at line 1 column 2"),
        (5, "`attrs` must be an object, found a number"),
        ([1], "`attrs` must be an object, found an array"),
        (None, None),  # no attributes: the `priority` column gives it
        (pd.NA, None),
        (pd.NaT, None),
        (float("nan"), None),
        ({"source": "mail"}, None),
        ({"priority": None, "source": "mail"}, "`ticket.opened` needs attribute `priority` (one of P1, P2, P3, P4)"),
    ]
    n = len(attrs)
    df = pd.DataFrame({
        "id": [f"a{i}" for i in range(n)], "at": ["2026-10-12T10:00:00+08:00"] * n,
        "kind": ["ticket.opened"] * n, "subject": [f"T{i}" for i in range(n)],
        "product": ["infra.servers"] * n, "attrs": [a for a, _ in attrs],
        # a column of the same name as an attribute: an `attrs` entry (even null) wins
        "priority": ["P3"] * n,
    })
    for arrow in (True, False):
        ev = pushed(contract, df, arrow)
        got = {r.line: r.reason for r in ev.rejected}
        assert got == {i + 1: reason for i, (_, reason) in enumerate(attrs) if reason is not None}


def test_pandas_tz_aware_timestamps(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    rows = valid_at(rows)
    df = frame(rows)
    df["at"] = pd.to_datetime(df["at"], format="ISO8601", utc=True).dt.tz_convert("Asia/Shanghai")
    assert isinstance(df["at"].dtype, pd.DatetimeTZDtype) and df["at"].isna().sum() > 0
    assert "at" in uses_arrow(df)
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, df) == ref
    assert evaluate(contract, df, arrow=False) == ref


def test_pandas_flat_attributes_with_nan(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    flat = pd.json_normalize([{k: v for k, v in r.items() if v is not None} for r in rows])
    flat.columns = [c.removeprefix("attrs.") for c in flat.columns]
    assert flat["latency_ms"].dtype == "float64" and flat["latency_ms"].isna().any()
    assert {"priority", "latency_ms"} <= uses_arrow(flat)
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, flat) == ref
    assert evaluate(contract, flat, arrow=False) == ref


def test_pandas_mixed_object_columns(contract: slagrade.Contract) -> None:
    """Columns pyarrow cannot convert are read through lists; the rest from buffers."""
    df = pd.DataFrame({"id": [1, None, "x", "y"], "at": [3.5, None, object(), "2026-10-12T10:00:00+08:00"],
                       "kind": [None, "k", "k", "ticket.opened"], "subject": ["s", "s", "s", "s"],
                       "product": [None, 1, "infra.servers", "infra.servers"],
                       "attrs": [[1], "{not json", 5, {"priority": "P1"}]})
    got = evaluate(contract, df)
    assert got == evaluate(contract, df, arrow=False)
    assert [line for line, _ in got[1]] == [1, 2, 3]


def test_values_that_cannot_be_converted_reject_their_rows(contract: slagrade.Contract) -> None:
    """A value of a field or attribute column that has no JSON form rejects its row, and
    only its row; the rows of a batch with no such value are not searched for one."""
    n = 6
    df = pd.DataFrame({"id": ["a", object(), "c", "d", "e", "f"], "at": ["2026-10-12T10:00:00+08:00"] * n,
                       "kind": ["ticket.opened"] * n, "subject": [f"T-{k}" for k in range(n)],
                       "product": ["infra.servers"] * 4 + [object(), "infra.servers"],
                       "priority": ["P1", "P2", "P3", "P4", "P1", "P2"], "note": [1, 2, object(), 4, 5, 6]})
    for arrow in (True, False):
        ev = pushed(contract, df, arrow)
        assert [(r.line, r.reason) for r in ev.rejected] == [
            (2, "`id`: unsupported value of type `object`"),
            (3, "attribute `note`: unsupported value of type `object`"),
            (5, "`product`: unsupported value of type `object`"),
        ]
        assert ev.counts == {"accepted": 3, "duplicates": 0, "rejected": 3}


def test_pandas_naive_timestamps(contract: slagrade.Contract) -> None:
    df = pd.DataFrame({"id": ["a", "b"], "at": pd.to_datetime(["2026-10-12 10:00:00", "2026-10-12 11:00:00"]),
                       "kind": ["ticket.opened", "net.probe"], "subject": ["T-1", "P-1"],
                       "product": ["infra.servers", "network.internet"]})
    got = evaluate(contract, df)
    assert got == evaluate(contract, df, arrow=False)
    assert all("time zone" in reason for _, reason in got[1]) and len(got[1]) == 2


# ----------------------------------------------------------------------------------- polars


def test_polars_equals_records(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    rows = valid_at(rows)
    df = pl.DataFrame({
        **{k: [r.get(k) for r in rows] for k in FIELDS},
        "attrs": [None if r.get("attrs") is None else json.dumps(r["attrs"]) for r in rows],
    }).with_columns(pl.col("at").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_zone="UTC"),
                    pl.col("kind").cast(pl.Categorical))
    assert {"id", "at", "kind", "attrs"} <= uses_arrow(df)
    ref = evaluate(contract, record_view(rows))
    assert evaluate(contract, df) == ref
    assert evaluate(contract, df, arrow=False) == ref


# ----------------------------------------------------------------------------- big inputs


def test_large_input_is_validated_in_order(contract: slagrade.Contract, rows: list[dict[str, Any]]) -> None:
    """Past a few blocks of rows, validation runs on both threads: same outcome, in order.
    The first rows come again at the end, an hour later: in row order they are duplicates
    (the first occurrence counts), so a block handed on out of order changes the result."""
    many = []
    for k in range(10):
        many.extend({**r, "id": None if r.get("id") is None else f"{r['id']}-{k}"} for r in rows)
    later = [{**r, "at": r["at"].replace("T0", "T1", 1)} if isinstance(r.get("at"), str) else r
             for r in many[:9000]]
    assert sum(a != b for a, b in zip(later, many)) > 1000
    many += later
    assert len(many) > 40_000
    t = table(many)
    ref = evaluate(contract, record_view(many))
    got = evaluate(contract, t)
    assert got == ref
    assert [line for line, _ in got[1]] == sorted(line for line, _ in got[1] if line is not None)


def test_malformed_arrow_arrays_are_refused(contract: slagrade.Contract) -> None:
    """Buffers that do not hold what the array says are refused before any value is read
    (pyarrow itself refuses some of these layouts; the others must reach this check)."""
    good = pa.array(["a", "bb", "ccc"])
    n = len(good)
    validity, _, data = good.buffers()
    layouts = {
        "decreasing offsets": [0, 3, 1, 6],
        "offsets past the data": [0, 1, 3, 60],
        "negative offset": [-4, 1, 3, 6],
    }
    tried = 0
    for offsets in layouts.values():
        try:
            arr = pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(int32(offsets)), data])
            t = pa.table({"id": arr, "at": ["2026-10-12T10:00:00+08:00"] * n, "kind": ["k"] * n,
                          "subject": ["s"] * n, "product": ["infra.servers"] * n})
        except pa.ArrowInvalid:
            continue
        tried += 1
        with pytest.raises(slagrade.EventError, match="column `id`: malformed Arrow array"):
            contract.evaluate(t, period=PERIOD)
    assert tried >= 1


def test_malformed_columns_of_a_large_table_are_refused_in_column_order(contract: slagrade.Contract) -> None:
    """A large table's columns are checked on two threads: the first malformed column in
    column order is named, whichever thread finds it, and nothing is added."""
    n = 200_000
    good = {"id": pa.array([f"id-{k}" for k in range(n)]), "at": pa.array(["2026-10-12T10:00:00+08:00"] * n),
            "kind": pa.array(["ticket.opened"] * n), "subject": pa.array([f"T-{k % 977}" for k in range(n)]),
            "product": pa.array(["infra.servers"] * n), "party": pa.array(["prime"] * n),
            "priority": pa.array(["P1"] * n)}

    def broken(name: str) -> pa.Array:
        arr = good[name]
        validity, offsets, data = arr.buffers()
        ends = list(memoryview(offsets).cast("i"))
        ends[n // 2] = ends[n // 2 - 1] - 1  # decreasing
        return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(int32(ends)), data])

    ev = contract.evaluator()
    assert ev.push_many(pa.table(good))["accepted"] == n
    for bad, named in ((["party"], "party"), (["priority"], "priority"), (["id", "priority"], "id"),
                       (["at", "party"], "at")):
        t = pa.table({k: broken(k) if k in bad else v for k, v in good.items()})
        before = ev.counts
        with pytest.raises(slagrade.EventError, match=f"^column `{named}`: malformed Arrow array: "
                                                      "decreasing or negative string offsets$"):
            ev.push_many(t)
        assert ev.counts == before


def int32(values: list[int]) -> bytes:
    import struct

    return struct.pack(f"<{len(values)}i", *values)


@pytest.mark.parametrize("data,offsets", [
    # valid UTF-8 with multibyte characters: every string read exactly
    ("e1|é2|é3|ü".replace("|", "").encode(), [0, 2, 5, 8, 10]),
])
def test_arrow_text_is_read_exactly(contract: slagrade.Contract, data: bytes, offsets: list[int]) -> None:
    """Multibyte text of an Arrow chunk is read exactly, as the same strings in dicts."""
    n = len(offsets) - 1
    ids = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(int32(offsets)), pa.py_buffer(data)])
    texts = [data[a:b].decode("utf-8") for a, b in zip(offsets, offsets[1:])]
    base = {"at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "product": "infra.servers"}
    t = pa.table({"id": ids, "at": [base["at"]] * n, "kind": [base["kind"]] * n,
                  "subject": [f"T-{k}" for k in range(n)], "product": [base["product"]] * n,
                  "attrs": pa.array([{"priority": "P1"}] * n)})
    records = [{**base, "id": x, "subject": f"T-{k}", "attrs": {"priority": "P1"}}
               for k, x in enumerate(texts)]
    got = contract.evaluate(t, period=PERIOD)
    assert got.events["accepted"] == n
    assert outcome(got) == outcome(contract.evaluate(records, period=PERIOD))


@pytest.mark.parametrize("data,offsets", [
    # valid as a whole, but two offsets fall inside a character
    (b"e1\xc3\xa9\xc3\xa9", [0, 2, 3, 4, 6]),
    # invalid bytes
    (b"e1e\xffe\xfeok", [0, 2, 4, 6, 8]),
])
def test_arrow_text_that_is_not_utf8_is_refused(contract: slagrade.Contract, data: bytes,
                                                offsets: list[int]) -> None:
    """An Arrow `string` must hold UTF-8 (the format says so). Text that does not is refused
    with the column named, and nothing is added: read lossily, "e\\xff" and "e\\xfe" would
    both become "e\\ufffd", and one event would silently count as a duplicate of the other."""
    n = len(offsets) - 1
    ids = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(int32(offsets)), pa.py_buffer(data)])
    t = pa.table({"id": ids, "at": ["2026-10-12T10:00:00+08:00"] * n, "kind": ["ticket.opened"] * n,
                  "subject": [f"T-{k}" for k in range(n)], "product": ["infra.servers"] * n})
    ev = contract.evaluator()
    with pytest.raises(slagrade.EventError, match=r"^column `id`: malformed Arrow array: .*(UTF|utf)"):
        ev.push_many(t)
    assert ev.counts["accepted"] == 0 and ev.counts["rejected"] == 0


# ------------------------------------------------------------- attributes found by position


def attribute_cases() -> list[dict[str, Any]]:
    """Rows whose attributes come from an `attrs` value and from columns of the same names,
    with values of every type, null, NaN, and numbers at and past the bound of 10^18."""
    kinds = [("ticket.opened", "infra.servers"), ("net.probe", "network.internet"),
             ("search.request", "network.internet"), ("plan.scheduled", "infra.servers")]
    inner = [  # (priority, latency_ms, due, ok) in `attrs`
        ("P2", 12.5, "2026-10-20T10:00:00+08:00", True), ("P9", 0.1, "soon", False),
        (None, None, None, None), ("P1", float("nan"), "2026-10-21T09:00:00Z", None),
        ("P4", 1e18, "2026-10-22T09:00:00.250+08:00", True), ("P3", 1e19, "2026-02-30T09:00:00Z", False),
        ("P1", 1e-7, None, True), (None, 5e-324, "2026-10-23T09:00:00Z", None), ("P2", -0.0, None, False),
    ]
    outer = [  # (priority, latency_ms, ok) as columns
        ("P3", 31, 1), (None, None, None), ("x", 10**18, 0), ("P1", 10**18 + 1, None),
        (None, -5, 2), ("P4", 2**62, None),
    ]
    rows = []
    for k, (kind, product) in enumerate(kinds):
        for i, a in enumerate(inner):
            for j, c in enumerate(outer):
                n = len(rows)
                rows.append({"id": f"p{n}", "at": f"2026-10-{12 + (n % 9)}T{8 + n % 12:02d}:00:00+08:00",
                             "kind": kind, "subject": f"S{n % 50}-{k}", "product": product,
                             "inner": dict(zip(("priority", "latency_ms", "due", "ok"), a)),
                             "outer": dict(zip(("priority", "latency_ms", "ok"), c))})
    return rows


def test_attributes_are_found_by_position(contract: slagrade.Contract) -> None:
    """Each layout gives what the same rows give as dicts, with the precedence stated once
    here: an entry of an `attrs` value (even null) wins over a column of the same name, and
    a null column value is no value (a struct sharing field names with columns is read as
    dicts; a struct alone has no null entries: a null field is no value)."""
    rows = attribute_cases()
    base = {k: pa.array([r[k] for r in rows]) for k in ("id", "at", "kind", "subject", "product")}
    outer = {"priority": pa.array([r["outer"]["priority"] for r in rows], type=pa.string()),
             "latency_ms": pa.array([r["outer"]["latency_ms"] for r in rows], type=pa.int64()),
             "ok": pa.array([r["outer"]["ok"] for r in rows], type=pa.int64())}
    inner_type = pa.struct([("priority", pa.string()), ("latency_ms", pa.float64()),
                            ("due", pa.string()), ("ok", pa.bool_())])
    inner = pa.array([r["inner"] for r in rows], type=inner_type)

    def given(d: dict[str, Any], null_is_value: bool) -> dict[str, Any]:
        def missing(v: Any) -> bool:
            return v is None or (isinstance(v, float) and v != v)
        return {k: (None if missing(v) else v) for k, v in d.items() if null_is_value or not missing(v)}

    def as_records(attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**{k: r[k] for k in ("id", "at", "kind", "subject", "product")}, "attrs": a}
                for r, a in zip(rows, attrs)]

    entries_over_columns = as_records([{**given(r["outer"], False), **given(r["inner"], True)} for r in rows])
    columns_only = as_records([given(r["outer"], False) for r in rows])
    struct_only = as_records([given(r["inner"], False) for r in rows])

    cases = [
        (pa.table({**base, "attrs": inner, **outer}), entries_over_columns),
        (pa.table({**base, **outer}), columns_only),
        (pa.table({**base, "attrs": inner}), struct_only),
        (pd.DataFrame({**{k: v.to_pylist() for k, v in base.items()}, "attrs": [r["inner"] for r in rows],
                       **{k: v.to_pandas(types_mapper=pd.ArrowDtype) for k, v in outer.items()}}),
         entries_over_columns),
    ]
    reasons = set()
    for events, records in cases:
        ref = evaluate(contract, records)
        reasons |= {reason for _, reason in ref[1]}
        assert len(ref[1]) > 50 and ref[0]["events"]["accepted"] > 50
        assert evaluate(contract, events) == ref
        assert evaluate(contract, events, arrow=False) == ref
    # the cases reach the outcomes they are about
    assert {"`net.probe` attribute `latency_ms` is out of range (1000000000000000001; numbers are at most 10^18 in magnitude)",
            "`net.probe` attribute `latency_ms` is out of range (1e+19; numbers are at most 10^18 in magnitude)",
            "`search.request` attribute `ok` must be a JSON boolean, found 2",
            "`ticket.opened` attribute `priority` must be one of P1, P2, P3, P4, found \"P9\"",
            "`plan.scheduled` needs attribute `due` (an RFC 3339 time with seconds and offset)"} <= reasons


# ---------------------------------------------------------------------------- integers

INTEGERS = Path(__file__).resolve().parents[3] / "tests" / "data" / "integers.sla"


def survey_rows(ratings: list[Any]) -> list[dict[str, Any]]:
    return [{"id": f"s{k}", "at": "2026-10-12T10:00:00+08:00", "kind": "survey.rated", "subject": f"s{k}",
             "product": "app.desk", "party": None, "attrs": {"rating": r}} for k, r in enumerate(ratings)]


RANGE = "`survey.rated` attribute `rating` must be from 1 to 5, found "
NOT_INT = "`survey.rated` attribute `rating` must be an integer, found "
MISSING = "`survey.rated` needs attribute `rating` (an integer from 1 to 5)"


@pytest.mark.parametrize("ratings,reasons", [
    # integers (int64 columns; pandas keeps them with the nullable Int64 dtype)
    ([1, 5, 0, 6, -1, None, 3, 2**62],
     {3: RANGE + "`0`", 4: RANGE + "`6`", 5: RANGE + "`-1`", 6: MISSING, 8: RANGE + "`4611686018427387904`"}),
    # floats are never integers, not even 5.0, exactly as the JSON token `5.0`
    ([4.5, 5.0, -0.0, 1e20, None, 2.0],
     {1: NOT_INT + "`4.5`", 2: NOT_INT + "`5.0`", 3: NOT_INT + "`-0.0`", 4: NOT_INT + "`1e20`", 5: MISSING,
      6: NOT_INT + "`2.0`"}),
])
def test_integer_attributes_equal_records(ratings: list[Any], reasons: dict[int, str]) -> None:
    contract = slagrade.Contract.from_file(INTEGERS)
    rows = survey_rows(ratings)
    ref_card, ref_rejected = evaluate(contract, record_view(rows))
    assert dict(ref_rejected) == reasons
    ref = (ref_card, ref_rejected)
    floats = any(isinstance(r, float) for r in ratings)
    for attrs in ("struct", "json", "flat"):
        assert evaluate(contract, table(rows, attrs)) == ref, attrs
        assert evaluate(contract, table(rows, attrs), arrow=False) == ref, attrs
    fields = {k: [r.get(k) for r in rows] for k in FIELDS}
    dtype = "float64" if floats else "Int64"
    for df in (pd.DataFrame({**fields, "rating": pd.array(ratings, dtype=dtype)}),
               pd.DataFrame({**fields, "attrs": [r["attrs"] for r in rows]}),
               pl.DataFrame({**fields, "rating": pl.Series(ratings, dtype=pl.Float64 if floats else pl.Int64)})):
        assert evaluate(contract, df) == ref
        assert evaluate(contract, df, arrow=False) == ref
