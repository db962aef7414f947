"""Every public entry point of slagrade, typed: checked with `mypy --strict` by the tests.

    python typed_usage.py path/to/egov-2026.sla
"""

from __future__ import annotations

import pickle
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import slagrade

CST = timezone(timedelta(hours=8))


def events() -> list[dict[str, Any]]:
    opened: dict[str, Any] = {
        "id": "e1",
        "at": "2026-10-12T10:00:00+08:00",
        "kind": "ticket.opened",
        "subject": "T-1",
        "product": "infra.servers",
        "attrs": {"priority": "P1", "source": "monitoring"},
    }
    acked: dict[str, Any] = {
        "id": "e2",
        "at": datetime(2026, 10, 12, 10, 20, tzinfo=CST),
        "kind": "ticket.acknowledged",
        "subject": "T-1",
        "product": "infra.servers",
    }
    bad: dict[str, Any] = {"id": "e3", "at": "yesterday", "kind": "x", "subject": "s"}
    return [opened, acked, bad]


def main(path: str) -> None:
    contract: slagrade.Contract = slagrade.Contract.from_file(Path(path))
    same = slagrade.Contract.parse(contract.source, file_name="egov.sla")
    assert pickle.loads(pickle.dumps(same)).name == contract.name
    warnings: list[slagrade.Diagnostic] = contract.check()
    all_diags: list[slagrade.Diagnostic] = slagrade.check("contract {")
    print(len(warnings), [d.code for d in all_diags])
    parties: list[slagrade.Party] = contract.parties
    products: list[slagrade.Product] = contract.products
    indicators: list[slagrade.Indicator] = contract.indicators
    fee: Optional[Decimal] = parties[1].fee
    print(fee, products[0].calendar, indicators[0].weight, contract.assessments[0])
    print(contract.name, contract.timezone, contract.currency, contract.period_kind, contract.file_name)

    try:
        slagrade.Contract.parse("contract {")
    except slagrade.ContractError as e:
        first: slagrade.Diagnostic = e.diagnostics[0]
        print(first.code, first.line, first.column, first.help, first.severity, str(e)[:20])
    try:
        contract.evaluate(42)
    except slagrade.EventError as e:
        print(type(e).__name__)

    card: slagrade.Scorecard = contract.evaluate(events(), threads=1)
    as_of: Optional[datetime] = card.as_of
    print(card.period, as_of, card.period_start, card.period_end, card.contract, card.currency)
    counts: dict[str, int] = card.events
    rejected: list[slagrade.Rejection] = card.rejected
    print(counts, [(r.line, r.reason, r.text) for r in rejected])
    for a in card.assessments:
        score: Optional[Decimal] = a.score
        levels: dict[str, Optional[Decimal]] = a.levels
        print(a.assessor, a.assessee, a.assessee_title, score, levels, a.fee, a.share, a.fee_due, a.passed_through)
        for i in a.indicators:
            value: Optional[Decimal] = i.value
            print(i.id, i.title_zh, i.title_en, i.level, i.weight, value, i.score, i.target, i.target_met,
                  i.met, i.breached, i.pending, i.numerator, i.denominator, i.samples)
    ind: slagrade.IndicatorResult = card.assessment("prime", assessor="bureau").indicator("response_timeliness")
    print(ind.breached)
    d: dict[str, Any] = card.to_dict()
    text: str = card.to_json(indent=2)
    print(len(d), len(text), len(card.to_csv(header=False)), len(card.to_table()), len(card.columns()))
    frame: Any = card.to_pandas()
    print(len(frame))
    findings: list[slagrade.Finding] = card.explain("response_timeliness", assessee="prime")
    for f in findings:
        elapsed: Optional[timedelta] = f.elapsed
        print(f.subject, f.product, f.status, elapsed, f.allowed, f.due)
        for fe in f.events:
            at: Optional[datetime] = fe.at
            print(fe.id, fe.kind, at, fe.step)
    print(card.explain_text("response_timeliness"))

    many = contract.evaluate(events(), period="2026-09..2026-10", as_of="2026-10-31T00:00:00+08:00")
    cards = many if isinstance(many, list) else [many]
    print([c.period for c in cards])

    ev: slagrade.Evaluator = contract.evaluator()
    status: str = ev.push(events()[0])
    batch: dict[str, int] = ev.push_many(events()[1:], threads=2)
    print(status, batch, ev.counts, ev.rejected, ev.latest, ev.periods())
    risks: list[slagrade.AtRisk] = ev.at_risk(datetime(2026, 10, 12, 10, 5, tzinfo=CST), timedelta(hours=8))
    for r in risks:
        print(r.indicator, r.subject, r.product, r.deadline, r.elapsed, r.allowed)
    data: bytes = ev.checkpoint()
    restored = slagrade.Evaluator.restore(contract, data)
    other = contract.evaluator()
    other.push_many(events())
    restored.merge(other)
    live: slagrade.Scorecard = restored.scorecard(as_of=datetime(2026, 10, 13, tzinfo=CST))
    print(live.to_dict()["events"], restored.scorecard(period="all"))

    change: slagrade.Diff = slagrade.diff(contract, same, events(), period="2026-10", threads=None)
    print(change.period, change.assessments[0]["assessee"], change.to_dict()["period"], change.to_json()[:10])
    print(change.to_table(), slagrade.__version__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[3] / "examples" / "egov-2026.sla"))
