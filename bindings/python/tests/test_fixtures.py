"""The shared fixture corpus (tests/fixtures/): every case evaluated by the package, for the
default period as of the instant of its expected file, compared with what the reference oracle
computed (expected/NAME.json, written by tests/fixtures/expect.py)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import pytest

import slagrade
from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
CASES = sorted(p.stem for p in (FIXTURES / "cases").glob("*.jsonl"))


def dec(v: Optional[str]) -> Optional[Decimal]:
    return None if v is None else Decimal(v)


def test_corpus_is_complete() -> None:
    assert CASES, "no case in tests/fixtures/cases"
    expected = sorted(p.stem for p in (FIXTURES / "expected").glob("*.json"))
    assert expected == CASES


def compare(card: Any, want: dict[str, Any]) -> list[str]:
    diffs: list[str] = []

    def same(what: str, got: Any, exp: Any) -> None:
        # decimals compare by value: Decimal("1.0000") == Decimal("1")
        if got != exp:
            diffs.append(f"{what}: engine {got!r}, oracle {exp!r}")

    same("period", card.period, want["period"])
    same("events", card.events, want["events"])
    got_pairs = [(a.assessor, a.assessee) for a in card.assessments]
    want_pairs = [(a["assessor"], a["assessee"]) for a in want["assessments"]]
    same("assessments", got_pairs, want_pairs)
    for a, w in zip(card.assessments, want["assessments"]):
        at = f"{a.assessor}->{a.assessee}"
        same(f"{at} no_evidence", a.no_evidence, w["no_evidence"])
        same(f"{at} score", a.score, dec(w["score"]))
        same(f"{at} fee_due", a.fee_due, dec(w["fee_due"]))
        same(f"{at} levels", a.levels, {k: dec(v) for k, v in w["levels"].items()})
        same(f"{at} indicators", [i.id for i in a.indicators], [i["id"] for i in w["indicators"]])
        for i, wi in zip(a.indicators, w["indicators"]):
            iat = f"{at} {i.id}"
            same(f"{iat} value", i.value, dec(wi["value"]))
            same(f"{iat} score", i.score, dec(wi["score"]))
            if "met" in wi:
                same(f"{iat} (met, breached, pending)", (i.met, i.breached, i.pending),
                     (wi["met"], wi["breached"], wi["pending"]))
    return diffs


@pytest.mark.parametrize("case", CASES)
def test_case_matches_the_oracle(contract: slagrade.Contract, case: str) -> None:
    path = FIXTURES / "expected" / f"{case}.json"
    assert path.exists(), f"no expected/{case}.json"
    want = json.loads(path.read_text(encoding="utf-8"))
    events = FIXTURES / "cases" / f"{case}.jsonl"
    if want["period"] is None:
        # the oracle selects no period for this case: neither may the engine
        with pytest.raises(Exception):
            contract.evaluate(events, as_of=want["as_of"])
        return
    card = contract.evaluate(events, as_of=want["as_of"])
    assert card.as_of == datetime.fromisoformat(want["as_of"])
    diffs = compare(card, want)
    assert not diffs, f"{case}: engine and oracle differ:\n" + "\n".join(diffs)
