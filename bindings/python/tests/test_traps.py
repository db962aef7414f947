"""Periods outside the term, assessments with no evidence, events that count nowhere and
rejections behind "no accepted events": what the package says instead of a silent number."""

from __future__ import annotations

import warnings

import pytest

import slagrade

# T1 acknowledged an hour before it was opened (the acknowledgement counts nowhere), T2
# resolved but never opened, both on appco's product in June 2026
FEW = [
    {"id": "e1", "kind": "ticket.acknowledged", "subject": "T1", "at": "2026-06-03T09:00:00+08:00",
     "product": "app.business_support.oa"},
    {"id": "e2", "kind": "ticket.opened", "subject": "T1", "at": "2026-06-03T10:00:00+08:00",
     "product": "app.business_support.oa", "attrs": {"priority": "P2"}},
    {"id": "e3", "kind": "ticket.resolved", "subject": "T2", "at": "2026-06-04T10:00:00+08:00",
     "product": "app.business_support.oa"},
]


def test_no_events_is_not_assessed(contract: slagrade.Contract) -> None:
    card = contract.evaluate([], period="2026-06")
    for a in card.assessments:
        assert a.no_evidence and a.evidence == 0
        assert a.score is None and a.fee_due is None and a.share is None
        assert all(v is None for v in a.levels.values())
    d = card.to_dict()["assessments"][0]
    assert d["no_evidence"] is True and d["score"] is None and d["fee_due"] is None
    # the fee that was not approved is still stated
    assert str(card.assessment("prime").fee) == "1200000.00"


def test_evidence_in_one_scope_only(contract: slagrade.Contract) -> None:
    card = contract.evaluate(FEW, period="2026-06")
    by = {a.assessee: a for a in card.assessments}
    # T1 is measured by two clocks and two ratio denominators; nothing else is
    assert [by[x].evidence for x in ("prime", "netco", "secco", "appco")] == [4, 0, 0, 4]
    assert not by["appco"].no_evidence and by["netco"].no_evidence
    # as of Jun 4 10:00 (the latest event), T1 has run 7 h of office time: its response
    # clock (30 min) is breached, its repair clock (8 h) pending and so in neither part;
    # hazard discovery (5) and problem resolution (10) score 0, the incident count (5) 100:
    # (5·0 + 10·0 + 15·0 + 5·100) / 35 = 14.29
    assert str(by["prime"].score) == "14.29"
    assert by["prime"].indicator("repair_timeliness").pending == 1
    assert by["netco"].score is None and by["netco"].fee_due is None
    assert card.ignored == {"before_anchor": 1, "without_anchor": 1}
    listed = [(e["event"]["id"], e["reason"]) for e in card.ignored_events()]
    assert listed == [("e1", "before_anchor"), ("e3", "no_anchor")]


@pytest.mark.parametrize("period", ["1999-01", "2016-02", "2027-01", "0000-01"])
def test_a_period_outside_the_term_is_an_error(contract: slagrade.Contract, period: str) -> None:
    with pytest.raises(ValueError, match=f"period {period} is outside the contract's term 2026-01-01 .. 2026-12-31"):
        contract.evaluate(FEW, period=period)


def test_a_long_range_is_clipped_with_a_warning(contract: slagrade.Contract) -> None:
    with pytest.warns(UserWarning, match=r"clipped to the contract's term .*: scoring 2026-01\.\.2026-12"):
        cards = contract.evaluate(FEW, period="2026-01..3000-12")
    assert [c.period for c in cards] == [f"2026-{m:02}" for m in range(1, 13)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(contract.evaluate(FEW, period="2026-05..2026-07")) == 3


def test_every_event_rejected_says_why(contract: slagrade.Contract) -> None:
    bad = [{"id": "x"}, {"id": "y", "kind": "ticket.opened", "subject": "T", "at": "2026-10-01T00:00:00"}]
    with pytest.raises(ValueError, match=r"no accepted events to choose a period from: 2 events were rejected; the first reasons: .*missing `kind`"):
        contract.evaluate(bad)


def test_explain_all_lists_met_clocks_too(card: slagrade.Scorecard) -> None:
    # netco's response clocks in October: 50 met, 1 breached (the committed scorecard)
    against = card.explain("response_timeliness", assessee="netco")
    assert [(f.subject, f.status) for f in against] == [("T-1240", "breached")]
    every = card.explain("response_timeliness", assessee="netco", all=True)
    assert len(every) == 51
    assert sum(f.status == "met" for f in every) == 50
    assert all(f.elapsed is not None and f.elapsed <= f.allowed for f in every if f.status == "met")
    # network products count on the 24×7 calendar
    assert {f.calendar for f in every} == {"always"}
    text = card.explain_text("response_timeliness", assessee="netco", all=True)
    assert "met: " in text and "working time on calendar `always`" in text
