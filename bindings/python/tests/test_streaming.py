"""The streaming evaluator, at-risk clocks, what-if diffs, and hostile input."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import slagrade
from conftest import CONTRACT

CST = timezone(timedelta(hours=8))


def test_push_statuses(contract: slagrade.Contract) -> None:
    ev = contract.evaluator()
    e = {"id": "e1", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "subject": "T-1",
         "product": "infra.servers", "attrs": {"priority": "P1"}}
    assert ev.push(e) == "accepted"
    assert ev.push(e) == "duplicate"
    assert ev.push({**e, "id": "e2", "product": "nowhere"}) == "rejected"
    assert ev.counts == {"accepted": 1, "duplicates": 1, "rejected": 1}
    assert "unknown product" in ev.rejected[0].reason
    assert ev.latest == datetime(2026, 10, 12, 10, 0, tzinfo=CST)
    assert ev.periods() == ["2026-10"]


def test_push_one_by_one_equals_one_shot(contract: slagrade.Contract, records: list[dict[str, Any]], events_path: Path) -> None:
    ev = contract.evaluator()
    for r in reversed(records):
        ev.push(r)
    one_shot = contract.evaluate(events_path)
    assert ev.scorecard().to_dict()["assessments"] == one_shot.to_dict()["assessments"]


def test_push_many_counts(contract: slagrade.Contract, records: list[dict[str, Any]], events_path: Path) -> None:
    ev = contract.evaluator()
    half = len(records) // 2
    a = ev.push_many(records[:half])
    b = ev.push_many(records[half:])
    total = {k: a[k] + b[k] for k in a}
    assert total == ev.counts
    assert ev.push_many(events_path)["duplicates"] >= total["accepted"]


def test_checkpoint_restore(contract: slagrade.Contract, records: list[dict[str, Any]], events_path: Path) -> None:
    ev = contract.evaluator()
    half = len(records) // 2
    ev.push_many(records[:half])
    data = ev.checkpoint()
    assert isinstance(data, bytes)
    again = slagrade.Evaluator.restore(contract, data)
    again.push_many(records[half:])
    assert again.scorecard().to_dict()["assessments"] == contract.evaluate(events_path).to_dict()["assessments"]


def test_restore_rejects_other_contract_and_garbage(contract: slagrade.Contract) -> None:
    # another contract (a comment alone would not be one: the fingerprint is of the canonical form)
    other = slagrade.Contract.parse(contract.source.replace('contract "egov-2026"', 'contract "egov-2027"', 1))
    assert other.name == "egov-2027"
    data = contract.evaluator().checkpoint()
    with pytest.raises(ValueError):
        slagrade.Evaluator.restore(other, data)
    with pytest.raises(ValueError):
        slagrade.Evaluator.restore(contract, b"\x00garbage")


def test_merge_partitions_equal_one_shot(contract: slagrade.Contract, records: list[dict[str, Any]], events_path: Path) -> None:
    parts = [contract.evaluator() for _ in range(3)]
    for i, r in enumerate(records):
        parts[hash(r.get("subject", "")) % 3].push(r)
    first = parts[0]
    first.merge(parts[1])
    first.merge(parts[2])
    expected = contract.evaluate(events_path).to_dict()
    got = first.scorecard().to_dict()
    assert got["assessments"] == expected["assessments"]
    assert got["events"]["accepted"] == expected["events"]["accepted"]


def test_merge_other_contract_fails(contract: slagrade.Contract) -> None:
    # another contract (a comment alone would not be one: the fingerprint is of the canonical form)
    other = slagrade.Contract.parse(contract.source.replace('contract "egov-2026"', 'contract "egov-2027"', 1))
    assert other.name == "egov-2027"
    with pytest.raises(ValueError):
        contract.evaluator().merge(other.evaluator())


def test_scorecard_is_a_snapshot(contract: slagrade.Contract, records: list[dict[str, Any]]) -> None:
    ev = contract.evaluator()
    ev.push_many(records[:1000])
    before = ev.scorecard()
    frozen = before.to_dict()
    ev.push_many(records[1000:])
    assert before.to_dict() == frozen
    assert before.explain("repair_timeliness") is not None
    assert ev.scorecard().to_dict() != frozen


def test_at_risk(contract: slagrade.Contract) -> None:
    ev = contract.evaluator()
    ev.push({"id": "o1", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "subject": "T-9",
             "product": "infra.servers", "attrs": {"priority": "P1"}})
    risks = ev.at_risk("2026-10-12T10:10:00+08:00", timedelta(minutes=10))
    assert [(r.indicator, r.subject) for r in risks] == [("response_timeliness", "T-9")]
    r = risks[0]
    assert r.deadline == datetime(2026, 10, 12, 10, 15, tzinfo=CST)
    assert r.elapsed == timedelta(minutes=10) and r.allowed == timedelta(minutes=15)
    later = ev.at_risk(datetime(2026, 10, 12, 5, 0, tzinfo=timezone.utc), 3600 * 2)
    assert {x.indicator for x in later} == {"repair_timeliness"}
    with pytest.raises(ValueError):
        ev.at_risk(datetime(2026, 10, 12, 10, 10), 60)


def test_diff(contract: slagrade.Contract, events_path: Path) -> None:
    stricter = slagrade.Contract.parse(contract.source.replace(
        "target >= 95%\n    score linear 80% -> 0, 95% -> 100\n  }\n\n  indicator repair",
        "target >= 99%\n    score linear 90% -> 0, 99% -> 100\n  }\n\n  indicator repair", 1))
    d = slagrade.diff(contract, stricter, events_path)
    assert d.period == "2026-10"
    prime = next(a for a in d.assessments if a["assessee"] == "prime")
    rt = next(i for i in prime["indicators"] if i["id"] == "response_timeliness")
    assert rt["old_value"] == rt["new_value"]
    assert rt["new_score"] < rt["old_score"]
    assert prime["new_score"] < prime["old_score"]
    assert "response_timeliness" in d.to_table()
    assert d.to_dict()["period"] == "2026-10"
    same = slagrade.diff(contract, contract, events_path, period="2026-10")
    assert "no differences" in same.to_table()


def test_event_error_cases(contract: slagrade.Contract, tmp_path: Path) -> None:
    import pandas as pd

    with pytest.raises(slagrade.EventError):
        contract.evaluate(tmp_path / "missing.jsonl")
    with pytest.raises(slagrade.EventError):
        contract.evaluate(tmp_path)
    with pytest.raises(slagrade.EventError):
        contract.evaluate(42)
    with pytest.raises(slagrade.EventError):
        contract.evaluate(b'{"id": "x"}')
    with pytest.raises(slagrade.EventError):
        contract.evaluate({"id": "x"})
    with pytest.raises(slagrade.EventError, match="product"):
        contract.evaluate(pd.DataFrame({"id": ["a"], "at": ["2026-10-01T00:00:00Z"], "kind": ["k"], "subject": ["s"]}))
    with pytest.raises(slagrade.EventError):
        contract.evaluator().push_many(3.5)


# ------------------------------------------------------------------------------ hostile input


def test_garbage_contracts_raise_contract_error() -> None:
    import random

    rng = random.Random(7)
    for _ in range(50):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        with pytest.raises(slagrade.ContractError):
            slagrade.Contract.parse(blob)
        with pytest.raises(slagrade.ContractError):
            slagrade.Contract.parse(blob.decode("latin-1"))
    with pytest.raises(TypeError):
        slagrade.Contract.parse(12)  # type: ignore[arg-type]


def test_deep_nesting_contract() -> None:
    src = 'contract "x" {' + "calendar a {" * 1000 + "}" * 1000 + "}"
    with pytest.raises(slagrade.ContractError):
        slagrade.Contract.parse(src)
    src = 'contract "x" { indicator a { value ' + "(" * 100000 + ")" * 100000 + " } }"
    with pytest.raises(slagrade.ContractError):
        slagrade.Contract.parse(src)


def test_deep_nesting_events(contract: slagrade.Contract, tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(1000):
        deep = {"a": deep}
    listy: Any = 1
    for _ in range(1000):
        listy = [listy]
    ev = contract.evaluator()
    ev.push({"id": "d1", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "subject": "T",
             "product": "infra.servers", "attrs": {"priority": "P1", "deep": deep}})
    ev.push({"id": "d2", "at": "2026-10-12T10:00:00+08:00", "kind": "net.probe", "subject": "T",
             "product": "network.internet", "attrs": listy})
    ev.push_many([deep, listy])
    assert ev.counts["accepted"] == 0 and ev.counts["rejected"] == 4
    f = tmp_path / "deep.jsonl"
    f.write_text('{"id":"x","attrs":' + "[" * 100000 + "]" * 100000 + "}\n" + "[" * 200000 + "\n")
    assert contract.evaluator().push_many(f)["rejected"] == 2


def test_wrong_types_everywhere_are_rejections(contract: slagrade.Contract) -> None:
    import pandas as pd

    weird: list[Any] = [
        None, 1, "text", 3.5, [1, 2], object(), {1: 2},
        {"id": 1, "at": "2026-10-12T10:00:00+08:00", "kind": "k", "subject": "s", "product": "infra.servers"},
        {"id": "a", "at": 1.5, "kind": "k", "subject": "s", "product": "infra.servers"},
        {"id": "b", "at": "2026-10-12T24:00:00+08:00", "kind": "k", "subject": "s", "product": "infra.servers"},
        {"id": "c", "at": "2026-10-12T10:00:00+08:00", "kind": ["k"], "subject": "s", "product": "infra.servers"},
        {"id": "d", "at": "2026-10-12T10:00:00+08:00", "kind": "k", "subject": "s", "product": 7},
        {"id": "e", "at": "2026-10-12T10:00:00+08:00", "kind": "k", "subject": "s", "product": "infra.servers", "attrs": [1]},
        {"id": "f", "at": "2026-10-12T10:00:00+08:00", "kind": "net.probe", "subject": "s",
         "product": "network.internet", "attrs": {"latency_ms": float("nan")}},
        {"id": "g", "at": "2026-10-12T10:00:00+08:00", "kind": "ticket.opened", "subject": "s",
         "product": "infra.servers", "attrs": {"priority": object()}},
        {"id": "h", "at": datetime(2026, 10, 12, 10), "kind": "k", "subject": "s", "product": "infra.servers"},
        {"id": "\ud800", "at": "2026-10-12T10:00:00+08:00", "kind": "k", "subject": "s", "product": "infra.servers"},
    ]
    ev = contract.evaluator()
    ev.push_many(weird)
    for w in weird:
        ev.push(w)
    assert ev.counts["accepted"] == 1  # only the lone surrogate id, read lossily, is a valid event
    assert ev.counts["rejected"] == 2 * len(weird) - 2
    df = pd.DataFrame({"id": [1, None, "x"], "at": [3.5, None, object()], "kind": [None, "k", "k"],
                       "subject": ["s", "s", "s"], "product": [None, 1, "infra.servers"],
                       "attrs": [[1], "{not json", 5]})
    assert ev.push_many(df)["rejected"] == 3
    with pytest.raises((TypeError, ValueError)):
        contract.evaluate([], period=5)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        contract.evaluate([], period="2026-10", as_of=12)  # type: ignore[call-overload]
    with pytest.raises((TypeError, ValueError)):
        ev.at_risk("2026-10-12T10:00:00+08:00", "soon")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ev.at_risk("2026-10-12T10:00:00+08:00", -5)


def test_empty_input(contract: slagrade.Contract) -> None:
    with pytest.raises(ValueError):
        contract.evaluate([])
    card = contract.evaluate([], period="2026-10")
    assert isinstance(card, slagrade.Scorecard)
    assert card.events == {"accepted": 0, "duplicates": 0, "rejected": 0}
    assert contract.evaluate([], period="all") == []


def test_threads_share_a_contract(contract: slagrade.Contract, events_path: Path) -> None:
    results: list[dict[str, Any]] = []

    def work() -> None:
        results.append(contract.evaluate(events_path).to_dict())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(r == results[0] for r in results)


# ------------------------------------------------------------------------ typing and examples

BINDINGS = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=BINDINGS,
                          env={**os.environ, "MPLBACKEND": "Agg"})


def test_mypy_strict_on_typed_usage() -> None:
    out = run("-m", "mypy", "--strict", "--no-incremental", "examples/typed_usage.py")
    assert out.returncode == 0, out.stdout + out.stderr


def test_stubs_match_module() -> None:
    out = run("-m", "mypy.stubtest", "slagrade")
    assert out.returncode == 0, out.stdout + out.stderr


def test_typed_usage_runs() -> None:
    out = run("examples/typed_usage.py", str(CONTRACT))
    assert out.returncode == 0, out.stdout + out.stderr


def test_analyst_example(tmp_path: Path) -> None:
    png = tmp_path / "scores.png"
    out = run("examples/analyst.py", str(png))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "prime" in out.stdout and "netco" in out.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
