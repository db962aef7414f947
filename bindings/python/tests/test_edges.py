"""Edges of the Python layer: file errors, pickling across processes, positions after a
merge, naive datetimes, unknown names, flattened attribute columns and docstrings."""

from __future__ import annotations

import errno
import inspect
import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import slagrade
import slagrade._input as slagrade_input
from conftest import CONTRACT

# ------------------------------------------------------------------------------ from_file


def test_from_file_missing_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing.sla"
    with pytest.raises(FileNotFoundError) as info:
        slagrade.Contract.from_file(path)
    e = info.value
    assert e.filename == str(path)
    assert e.errno == errno.ENOENT
    assert str(path) in str(e)


def test_from_file_directory_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as info:
        slagrade.Contract.from_file(str(tmp_path))
    assert info.value.filename == str(tmp_path)


# ------------------------------------------------------------------------------- pickling


def exact(d: Optional[Decimal]) -> Any:
    """A decimal with its scale: Decimal("1.0") and Decimal("1.00") differ."""
    return None if d is None else (type(d), d.as_tuple())


def indicator_fields(i: slagrade.IndicatorResult) -> tuple[Any, ...]:
    return (i.id, i.title_zh, i.title_en, i.level, exact(i.weight), exact(i.value),
            exact(i.score), i.target, i.target_met, i.met, i.breached, i.pending,
            i.numerator, i.denominator, i.samples)


def assessment_fields(a: slagrade.Assessment) -> tuple[Any, ...]:
    return (a.assessor, a.assessee, a.assessee_title, exact(a.score),
            [(k, exact(v)) for k, v in a.levels.items()], exact(a.fee), exact(a.share),
            exact(a.fee_due), exact(a.passed_through),
            [indicator_fields(i) for i in a.indicators])


def finding_fields(f: slagrade.Finding) -> tuple[Any, ...]:
    return (f.subject, f.product, f.status, f.elapsed, f.allowed, f.due,
            [(e.id, e.kind, e.at, e.step) for e in f.events])


def card_fields(c: slagrade.Scorecard) -> tuple[Any, ...]:
    return (c.contract, c.period, c.period_start, c.period_end, c.as_of, c.currency,
            c.events, c.to_dict(), c.to_json(), c.to_csv(), c.to_table(),
            [(r.line, r.reason, r.text) for r in c.rejected],
            [assessment_fields(a) for a in c.assessments])


def evaluate_elsewhere(events: str) -> tuple[Any, ...]:
    """Runs in another process: every kind of result, to be sent back by pickle."""
    contract = slagrade.Contract.from_file(CONTRACT)
    card = contract.evaluate(events)
    ev = contract.evaluator()
    ev.push_many(events)
    return (card, card.assessment("netco"), card.rejected,
            card.explain("response_timeliness", assessee="netco"), ev)


def test_results_come_back_from_a_process_pool(contract: slagrade.Contract, events_path: Path) -> None:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        card, netco, rejected, findings, ev = pool.submit(evaluate_elsewhere, str(events_path)).result()
    here = contract.evaluate(events_path)
    assert isinstance(card, slagrade.Scorecard)
    assert card_fields(card) == card_fields(here)
    assert card.rejected and card.rejected == here.rejected
    assert assessment_fields(netco) == assessment_fields(here.assessment("netco"))
    assert rejected == here.rejected
    expected = here.explain("response_timeliness", assessee="netco")
    assert expected and [finding_fields(f) for f in findings] == [finding_fields(f) for f in expected]
    # the evaluator comes back with its events: the same scores and explanations, and it
    # takes more events
    assert isinstance(ev, slagrade.Evaluator)
    assert card_fields(ev.scorecard()) == card_fields(here)
    assert ev.counts == here.events and ev.rejected == here.rejected
    assert [finding_fields(f) for f in ev.scorecard().explain("response_timeliness", "netco")] == \
        [finding_fields(f) for f in expected]
    assert ev.push({"id": "new-1", "at": "2026-10-30T10:00:00+08:00", "kind": "ticket.opened",
                    "subject": "T-new", "product": "infra.servers",
                    "attrs": {"priority": "P2"}}) == "accepted"


def test_every_result_pickles_in_process(card: slagrade.Scorecard, contract: slagrade.Contract) -> None:
    a = card.assessments[0]
    assert assessment_fields(pickle.loads(pickle.dumps(a))) == assessment_fields(a)
    i = a.indicators[0]
    assert indicator_fields(pickle.loads(pickle.dumps(i))) == indicator_fields(i)
    for f in card.explain("repair_timeliness"):
        assert finding_fields(pickle.loads(pickle.dumps(f))) == finding_fields(f)
    for r in card.rejected[:5]:
        assert pickle.loads(pickle.dumps(r)) == r
    for x in contract.parties + contract.products + contract.indicators:
        assert pickle.loads(pickle.dumps(x)) == x


def test_an_unpickled_scorecard_cannot_explain(card: slagrade.Scorecard, contract: slagrade.Contract,
                                              events_path: Path) -> None:
    again = pickle.loads(pickle.dumps(card))
    with pytest.raises(ValueError, match="keeps no events"):
        again.explain("repair_timeliness")
    # an unpickled scorecard pickles again, and one evaluated through partitions on disk
    # pickles as one evaluated in memory
    assert card_fields(pickle.loads(pickle.dumps(again))) == card_fields(card)
    spilled = contract.evaluate(events_path, max_memory=4096, threads=2)
    assert spilled.explain("repair_timeliness")
    assert card_fields(pickle.loads(pickle.dumps(spilled))) == card_fields(card)


def test_from_dict_round_trips(card: slagrade.Scorecard, contract: slagrade.Contract) -> None:
    d = card.to_dict()
    again = slagrade.Scorecard.from_dict(d)
    assert again.to_dict() == d
    assert again.to_json() == card.to_json() and again.to_csv() == card.to_csv()
    assert again.as_of == card.as_of and again.events == card.events
    # without the contract, what the dict form does not hold is unknown
    assert again.period_start is None and again.period_end is None
    assert again.assessments[0].assessee_title is None
    assert [exact(a.fee_due) for a in again.assessments] == [exact(a.fee_due) for a in card.assessments]
    # with the contract, everything but the rejected events
    full = slagrade.Scorecard.from_dict(d, contract=contract)
    assert card_fields(full)[:-2] == card_fields(card)[:-2]
    assert [assessment_fields(a) for a in full.assessments] == [assessment_fields(a) for a in card.assessments]
    assert full.rejected == []
    # the JSON text (as `slagrade eval --format json` prints it) reads the same
    assert slagrade.Scorecard.from_dict(json.loads(card.to_json())).to_dict() == d
    with pytest.raises(ValueError, match="keeps no events"):
        full.explain("repair_timeliness")


def test_from_dict_refuses_what_it_cannot_read(card: slagrade.Scorecard, contract: slagrade.Contract) -> None:
    d = card.to_dict()
    bad = json.loads(json.dumps(d))
    bad["assessments"][1]["indicators"][2]["value"] = "0.9x"
    with pytest.raises(ValueError, match=r"assessments\[1\]\.indicators\[2\]\.value"):
        slagrade.Scorecard.from_dict(bad)
    bad = json.loads(json.dumps(d))
    bad["assessments"][0]["surprise"] = 1
    with pytest.raises(ValueError, match=r"assessments\[0\]: unknown key `surprise`"):
        slagrade.Scorecard.from_dict(bad)
    bad = json.loads(json.dumps(d))
    del bad["as_of"]
    with pytest.raises(ValueError, match="missing `as_of`"):
        slagrade.Scorecard.from_dict(bad)
    other = slagrade.Contract.parse(contract.source.replace('contract "egov-2026"', 'contract "egov-2027"'))
    assert other.name == "egov-2027"
    with pytest.raises(ValueError, match="a scorecard of contract `egov-2026`, not of `egov-2027`"):
        slagrade.Scorecard.from_dict(d, contract=other)
    with pytest.raises(TypeError):
        slagrade.Scorecard.from_dict([d])  # type: ignore[arg-type]


# ----------------------------------------------------------------- positions after a merge


def bad_lines(n: int) -> list[str]:
    """`n` lines of which every seventh is not an event and every fifth lacks a product."""
    out = []
    for k in range(1, n + 1):
        if k % 7 == 0:
            out.append("not json")
        else:
            e = {"id": f"m-{k}", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened",
                 "subject": f"T-{k}", "product": "infra.servers", "attrs": {"priority": "P2"}}
            if k % 5 == 0:
                del e["product"]
            out.append(json.dumps(e))
    return out


def positions(ev: slagrade.Evaluator) -> list[tuple[Optional[int], str, str]]:
    return [(r.line, r.reason, r.text) for r in ev.rejected]


def test_merged_files_number_rejections_as_one_pass(contract: slagrade.Contract, tmp_path: Path) -> None:
    lines = bad_lines(60)
    whole = tmp_path / "all.jsonl"
    whole.write_text("\n".join(lines) + "\n")
    parts = []
    for k, (a, b) in enumerate([(0, 25), (25, 26), (26, 60)]):
        p = tmp_path / f"part{k}.jsonl"
        p.write_text("\n".join(lines[a:b]) + "\n")
        ev = contract.evaluator()
        ev.push_many(p, threads=1)
        parts.append(ev)
    one = contract.evaluator()
    one.push_many(whole, threads=1)
    first = parts[0]
    first.merge(parts[1])
    first.merge(parts[2])
    # lines 5, 7, 10, 14, 15, 20, 21, 25, 28, …: the line in the whole file
    assert [r.line for r in one.rejected][:5] == [5, 7, 10, 14, 15]
    assert positions(first) == positions(one)
    assert first.scorecard().to_dict() == one.scorecard().to_dict()


def test_positions_continue_across_batches_and_merges(contract: slagrade.Contract) -> None:
    items: list[Any] = [json.loads(x) if x != "not json" else 42 for x in bad_lines(40)]
    one = contract.evaluator()
    one.push_many(items)
    # rejected items: 5, 7, 10, 14, 15, 20, 21, 25, 28, 30, 35, 40
    assert [r.line for r in one.rejected] == [5, 7, 10, 14, 15, 20, 21, 25, 28, 30, 35, 40]
    # the same items as batches of another evaluator, as one by one pushes, and as a frame
    a = contract.evaluator()
    a.push_many(items[:12])
    a.push_many(items[12:16])
    b = contract.evaluator()
    for x in items[16:30]:
        b.push(x)
    c = contract.evaluator()
    c.push_many(pd.DataFrame([x for x in items[30:] if isinstance(x, dict)]
                             + [{"id": "late", "at": None}]))
    a.merge(b)
    restored = slagrade.Evaluator.restore(contract, a.checkpoint())
    restored.merge(c)
    # the frame's rows are items 31 to 40 but 35 (not a dict), then a row with nothing: its
    # rejected rows 9 (item 40, no product) and 10 come after the 30 items before
    got = [r.line for r in restored.rejected]
    assert got == [5, 7, 10, 14, 15, 20, 21, 25, 28, 30, 30 + 9, 30 + 10]


@pytest.mark.parametrize("threads", [1, 2])
def test_a_file_after_other_batches_numbers_its_lines_after_them(contract: slagrade.Contract,
                                                                 events_path: Path, threads: int) -> None:
    one = contract.evaluator()
    one.push_many(events_path, threads=1)
    lines = [r.line for r in one.rejected]
    assert lines and all(isinstance(x, int) for x in lines)
    # three positions first (one push, a batch of two), each rejected; then the file, read
    # into this evaluator on one thread or merged into it from its own on two
    ev = contract.evaluator()
    ev.push({"id": "x"})
    ev.push_many([{"id": "y"}, 5])
    ev.push_many(events_path, threads=threads)
    assert [r.line for r in ev.rejected] == [1, 2, 3] + [3 + x for x in lines]


# --------------------------------------------------------------------- naive datetimes


NAIVE = datetime(2026, 10, 12, 10, 0, 0)
NAIVE_REASON = ("`at`: `2026-10-12T10:00:00` has no time zone offset (a naive time): add `Z` "
                "or an offset such as `+08:00`")


def naive_row() -> dict[str, Any]:
    return {"id": "a", "at": NAIVE, "kind": "ticket.opened", "subject": "T-1",
            "product": "infra.servers", "attrs": {"priority": "P1"}}


@pytest.mark.parametrize("form", ["dicts", "push", "pandas", "pandas-lists", "polars", "arrow",
                                  "arrow-lists", "jsonl"])
def test_a_naive_datetime_is_one_reason_in_every_form(contract: slagrade.Contract, form: str,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = naive_row()
    ev = contract.evaluator()
    if form.endswith("-lists"):
        monkeypatch.setattr(slagrade_input, "use_arrow", False)
    if form == "dicts":
        ev.push_many([row])
    elif form == "push":
        assert ev.push(row) == "rejected"
    elif form.startswith("pandas"):
        ev.push_many(pd.DataFrame([row]))
    elif form == "polars":
        ev.push_many(pl.DataFrame([row]))
    elif form.startswith("arrow"):
        ev.push_many(pa.Table.from_pylist([row]))
    else:
        p = tmp_path / "naive.jsonl"
        p.write_text(json.dumps({**row, "at": NAIVE.isoformat()}) + "\n")
        ev.push_many(p)
    [r] = ev.rejected
    assert r.reason == NAIVE_REASON
    assert r.line == 1
    text = json.loads(r.text)
    assert text["at"] == "2026-10-12T10:00:00"
    assert (text["id"], text["attrs"]["priority"]) == ("a", "P1")


def test_a_naive_time_attribute_says_so(contract: slagrade.Contract) -> None:
    ev = contract.evaluator()
    ev.push_many([{"id": "p", "at": "2026-10-12T10:00:00+08:00", "kind": "plan.scheduled",
                   "subject": "PL-1", "product": "infra.servers", "attrs": {"due": NAIVE}}])
    [r] = ev.rejected
    assert "`2026-10-12T10:00:00` has no time zone offset" in r.reason
    assert json.loads(r.text)["attrs"]["due"] == "2026-10-12T10:00:00"


# ----------------------------------------------------------------------- unknown names


def test_unknown_assessee_suggests(card: slagrade.Scorecard) -> None:
    with pytest.raises(slagrade.UnknownNameError) as info:
        card.assessment("netcoo")
    e = info.value
    assert isinstance(e, KeyError) and isinstance(e, LookupError)
    assert str(e) == ("no assessment of `netcoo`: did you mean `netco`? "
                      "assessees: `prime`, `netco`, `secco`, `appco`")
    assert (e.what, e.name, e.suggestion, e.known) == ("assessee", "netcoo", "netco",
                                                       ["prime", "netco", "secco", "appco"])
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is slagrade.UnknownNameError and str(again) == str(e)
    assert again.known == e.known
    with pytest.raises(slagrade.UnknownNameError, match="did you mean `netco`"):
        card.explain("response_timeliness", assessee="netcoo")
    with pytest.raises(slagrade.UnknownNameError, match="did you mean `netco`"):
        card.explain_text("response_timeliness", assessee="netcoo")
    with pytest.raises(slagrade.UnknownNameError) as info:
        card.assessment("nobody")
    assert info.value.suggestion is None
    assert str(info.value) == "no assessment of `nobody`: assessees: `prime`, `netco`, `secco`, `appco`"


def test_unknown_assessor_and_indicator_suggest(card: slagrade.Scorecard) -> None:
    with pytest.raises(slagrade.UnknownNameError, match=r"did you mean `prime`\? assessors of `netco`: `prime`"):
        card.assessment("netco", assessor="prim")
    with pytest.raises(slagrade.UnknownNameError) as info:
        card.explain("response_timelyness")
    assert info.value.suggestion == "response_timeliness"
    assert "response_timeliness" in info.value.known
    with pytest.raises(slagrade.UnknownNameError, match="did you mean `response_timeliness`"):
        card.assessment("netco").indicator("response_timelyness")


# ------------------------------------------------------- flattened attribute columns


def test_json_normalize_columns_are_attributes(contract: slagrade.Contract, records: list[dict[str, Any]],
                                              cli_json: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from test_evaluate import valid_rows

    flat = pd.json_normalize(valid_rows(records))
    assert "attrs.priority" in flat.columns and "attrs.due" in flat.columns
    for arrow in (True, False):
        monkeypatch.setattr(slagrade_input, "use_arrow", arrow)
        card = contract.evaluate(flat)
        assert card.to_dict()["assessments"] == cli_json["assessments"]
        assert card.events["rejected"] == 0


def plan_rows(**cols: list[Any]) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    return pd.DataFrame({"id": [f"p{k}" for k in range(n)],
                         "at": ["2026-10-12T10:00:00+08:00"] * n,
                         "kind": ["ticket.opened"] * n, "subject": [f"T{k}" for k in range(n)],
                         "product": ["infra.servers"] * n, **cols})


@pytest.mark.parametrize("arrow", [True, False])
def test_precedence_of_attribute_sources(contract: slagrade.Contract, arrow: bool,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slagrade_input, "use_arrow", arrow)
    # an `attrs` entry wins over an `attrs.priority` column, which wins over `priority`; a
    # missing value is no value
    df = plan_rows(**{"attrs": [{"priority": "P1"}, None, None, None],
                      "attrs.priority": ["bad", "P2", None, "bad"],
                      "priority": ["bad", "bad", "P3", "P4"]})
    ev = contract.evaluator()
    ev.push_many(df)
    assert [(r.line, json.loads(r.text)["attrs"]) for r in ev.rejected] == [(4, {"priority": "bad"})]
    assert ev.counts == {"accepted": 3, "duplicates": 0, "rejected": 1}
    # a rejected row shows its flattened attributes by their names
    ev = contract.evaluator()
    ev.push_many(plan_rows(**{"attrs.priority": ["P9"]}))
    [r] = ev.rejected
    assert json.loads(r.text)["attrs"] == {"priority": "P9"}
    assert "P9" in r.reason


# ------------------------------------------------------------------------ docstrings


def public_classes() -> list[type]:
    return [getattr(slagrade, n) for n in slagrade.__all__ if inspect.isclass(getattr(slagrade, n))]


def test_every_public_member_has_a_docstring() -> None:
    missing = []
    for cls in public_classes():
        if not (cls.__doc__ or "").strip():
            missing.append(cls.__name__)
        for name, member in vars(cls).items():
            if name.startswith("_") or not (inspect.isdatadescriptor(member) or callable(member)
                                            or isinstance(member, (staticmethod, classmethod))):
                continue
            doc = getattr(member, "__doc__", None)
            if isinstance(member, (staticmethod, classmethod)):
                doc = member.__func__.__doc__
            if not (doc or "").strip():
                missing.append(f"{cls.__name__}.{name}")
    assert missing == []


def test_explain_docstring_matches_spilled_behaviour() -> None:
    doc = slagrade.Scorecard.explain.__doc__ or ""
    assert "raises `ValueError`: its events are not kept" not in doc
    assert "partitions" in doc
