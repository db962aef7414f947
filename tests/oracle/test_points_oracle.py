"""Checks of the points-2026 reference oracle (points_oracle.py) against the worked examples of
POINTS-CONTRACT.md and further hand-computed cases. Every expected number is derived by hand
in the test's docstring. The event streams are in tests/fixtures/points/NAME.jsonl; the
oracle's full scorecards for them are kept in tests/fixtures/points/NAME.LABEL.json (read by
other implementations too), and `Fixtures` fails when the oracle no longer computes them.

    python3 -m unittest tests/oracle/test_points_oracle.py -v
    python3 tests/oracle/test_points_oracle.py --write   # rewrites the expected scorecards

Times are Asia/Shanghai. Month lengths: September 2 592 000 s, October 2 678 400 s,
November 2 592 000 s. Products in scope: bureau -> prime 13, netco 2, secco 2, appco 4.
Counts are written (met, breached, pending, waived)."""

import json
import os
import sys
import tempfile
import unittest
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import points_oracle as po  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures", "points")

# Expected scorecards: case -> [(label, period, as_of)]; file NAME.LABEL.json
RUNS = {
    "raised_priority": [("2026-10", "2026-10", "2026-10-12T10:05:00+08:00")],
    "lowered_priority": [("2026-10", "2026-10", "2026-10-12T09:40:00+08:00")],
    "running_at_as_of": [("0910", "2026-10", "2026-10-12T09:10:00+08:00"),
                         ("091501", "2026-10", "2026-10-12T09:15:01+08:00")],
    "repair_lateness": [("2026-10", "2026-10", "2026-10-12T13:00:01+08:00")],
    "repair_cap": [("2026-10", "2026-10", "2026-10-14T08:00:00+08:00")],
    "waiver": [("2026-10", "2026-10", "2026-10-12T10:30:00+08:00")],
    "outage_month_end": [("2026-10", "2026-10", "2026-11-01T02:00:00+08:00"),
                         ("2026-11", "2026-11", "2026-11-01T02:00:00+08:00")],
    "announced_window": [("2026-10", "2026-10", "2026-11-01T02:00:00+08:00"),
                         ("2026-11", "2026-11", "2026-11-01T02:00:00+08:00")],
    "late_window": [("2026-10", "2026-10", "2026-11-01T02:00:00+08:00"),
                    ("2026-11", "2026-11", "2026-11-01T02:00:00+08:00")],
    "overlapping_outages": [("2026-10", "2026-10", "2026-10-20T12:00:00+08:00")],
    "netco_availability": [("2026-10", "2026-10", "2026-10-20T12:00:00+08:00")],
    "satisfaction_commendations": [("2026-10", "2026-10", "2026-10-18T10:00:00+08:00")],
    "scorecard_88_50": [("2026-10", "2026-10", "2026-11-05T12:00:00+08:00")],
    "amendment": [("2026-10", "2026-10", "2026-11-20T11:00:00+08:00"),
                  ("2026-11", "2026-11", "2026-11-20T11:00:00+08:00")],
    "termination": [("2026-09", "2026-09", "2026-10-19T15:00:00+08:00"),
                    ("2026-10", "2026-10", "2026-10-19T15:00:00+08:00"),
                    ("2026-11", "2026-11", "2026-10-19T15:00:00+08:00")],
    "validation": [("2026-10", "2026-10", "2026-10-13T10:00:00+08:00")],
}


def T(s):
    return po.parse_time(s)


def L(s):
    """A local (+08:00) instant written without its offset."""
    return s + "+08:00"


def period(s):
    return (int(s[:4]), int(s[5:7]))


def card_path(path, per=None, as_of=None):
    return po.scorecard(path, period(per) if per else None, T(as_of) if as_of else None)


def card(name, per=None, as_of=None):
    return card_path(os.path.join(FIXTURES, name + ".jsonl"), per, as_of)


def stream(events, per=None, as_of=None):
    """Scorecard of an inline stream (a list of dicts or raw lines)."""
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "x.jsonl")
        with open(p, "w", encoding="utf-8") as f:
            for e in events:
                f.write((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n")
        return card_path(p, per, as_of)


def fixture_events(name):
    with open(os.path.join(FIXTURES, name + ".jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def E(id, at, kind, subject, product, **attrs):
    d = {"id": id, "at": L(at), "kind": kind, "subject": subject, "product": product}
    if attrs:
        d["attrs"] = attrs
    return d


def assessment(c, assessee):
    return next(a for a in c["assessments"] if a["assessee"] == assessee)


def ind(c, indicator, assessee="prime"):
    return next(i for i in assessment(c, assessee)["indicators"] if i["id"] == indicator)


def counts(c, indicator, assessee="prime"):
    i = ind(c, indicator, assessee)
    return (i["met"], i["breached"], i["pending"], i["waived"])


def vp(c, indicator, assessee="prime"):
    """(value, points) of an indicator."""
    i = ind(c, indicator, assessee)
    return (i["value"], i["points"])


def score(c, assessee="prime"):
    a = assessment(c, assessee)
    return (a["score"], a["fee_due"])


OA = "app.business_support.oa"   # office calendar; prime and appco
SRV = "infra.servers"            # always calendar; prime only
NET = "network.internet"         # always calendar; prime and netco


class PriorityChanges(unittest.TestCase):
    """P1 and the first three worked examples."""

    def test_raised_priority_breaches_at_once(self):
        """office P3 opened Mon Oct 12 09:00, reprioritized P1 10:00, acknowledged 10:05;
        as_of 10:05. Response: 09:00-10:05 on a working Monday = 65 min = 3900 s; priority at
        the stop (10:05) is P1 (the 10:00 change) -> deadline 15 min -> breached.
        bureau -> prime: -1 per breach -> -1.00; prime -> appco (override): -2.00.
        Repair still running at as_of: priority at as_of P1 -> 4 h; 3900 s <= 14400 -> pending.
        Resolution: 0/1 = 0.0000, (0.95 - 0)/0.01 = 95 steps -> -95 capped -10.00.
        prime: 100 - 1 - 10 = 89.00 -> share 1 - 1/100 = 0.99 -> 1188000.00; process 89.00.
        appco: 100 - 2 - 10 = 88.00 -> share 0.98 -> 294000.00. netco/secco: nothing in scope,
        100.00 and the full fee."""
        self.assertEqual(po.business_seconds("office", T(L("2026-10-12T09:00:00")),
                                             T(L("2026-10-12T10:05:00"))), 3900)
        c = card("raised_priority", "2026-10", L("2026-10-12T10:05:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-1.00"))
        self.assertEqual(vp(c, "response_timeliness", "appco"), ("0.0000", "-2.00"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 0, 1, 0))
        self.assertEqual(vp(c, "repair_timeliness"), (None, "0.00"))
        self.assertEqual(vp(c, "problem_resolution_rate"), ("0.0000", "-10.00"))
        self.assertEqual(score(c), ("89.00", "1188000.00"))
        self.assertEqual(assessment(c, "prime")["levels"],
                         {"system": "100.00", "process": "89.00", "role": "100.00"})
        self.assertEqual(score(c, "appco"), ("88.00", "294000.00"))
        self.assertEqual(score(c, "netco"), ("100.00", "200000.00"))
        self.assertEqual(score(c, "secco"), ("100.00", "150000.00"))
        # without the change: P3 -> 2 h, 65 min met
        c = stream(fixture_events("raised_priority")[::2], "2026-10", L("2026-10-12T10:05:00"))
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0, 0))

    def test_lowered_priority_can_meet(self):
        """office P1 opened Mon Oct 12 09:00, reprioritized P3 09:20, acknowledged 09:40:
        40 min = 2400 s; priority at the stop P3 -> 2 h -> met: 1/1 = 1.0000, 0.00 points.
        Without the change: P1, 2400 > 900 -> breached. Repair pending (P3 at as_of, 24 h).
        prime: resolution 0/1 -> -10.00 -> 90.00 -> share 1 -> 1200000.00."""
        c = card("lowered_priority", "2026-10", L("2026-10-12T09:40:00"))
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0, 0))
        self.assertEqual(vp(c, "response_timeliness"), ("1.0000", "0.00"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 0, 1, 0))
        self.assertEqual(score(c), ("90.00", "1200000.00"))
        self.assertEqual(score(c, "appco"), ("90.00", "300000.00"))
        c = stream(fixture_events("lowered_priority")[::2], "2026-10", L("2026-10-12T09:40:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))

    def test_running_at_as_of(self):
        """office P3 opened Mon Oct 12 09:00, reprioritized P1 09:05, no acknowledgement.
        as_of 09:10: priority at as_of P1 (15 min); 600 s <= 900 -> pending, value null, 0.00.
        as_of 09:15:00: 900 s = deadline, still running -> pending.
        as_of 09:15:01: 901 s > 900 -> breached, 0.0000, -1.00."""
        c = card("running_at_as_of", "2026-10", L("2026-10-12T09:10:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 0, 1, 0))
        self.assertEqual(vp(c, "response_timeliness"), (None, "0.00"))
        c = card("running_at_as_of", "2026-10", L("2026-10-12T09:15:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 0, 1, 0))
        c = card("running_at_as_of", "2026-10", L("2026-10-12T09:15:01"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-1.00"))

    def test_same_second_as_stop_counts_whatever_its_id(self):
        """P3 opened 09:00 (id m), acknowledged 10:05:00 (id b), reprioritized P1 at 10:05:00
        with id c (ordered after the ack): it is in the stop's second, so it counts -> P1 ->
        3900 > 900 breached. The same change at 10:05:01: after the stop -> P3, met."""
        base = [E("m", "2026-10-12T09:00:00", "ticket.opened", "T", OA, priority="P3"),
                E("b", "2026-10-12T10:05:00", "ticket.acknowledged", "T", OA)]
        c = stream(base + [E("c", "2026-10-12T10:05:00", "ticket.reprioritized", "T", OA, priority="P1")],
                   "2026-10", L("2026-10-12T10:06:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))
        c = stream(base + [E("c", "2026-10-12T10:05:01", "ticket.reprioritized", "T", OA, priority="P1")],
                   "2026-10", L("2026-10-12T10:06:00"))
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0, 0))

    def test_before_the_anchor_is_ignored(self):
        """A change in the anchor's second with a smaller id (a < m) is ordered before the
        anchor: ignored -> P3 stays -> 65 min met. With id z (after the anchor): P1, breached."""
        base = [E("m", "2026-10-12T09:00:00", "ticket.opened", "T", OA, priority="P3"),
                E("n", "2026-10-12T10:05:00", "ticket.acknowledged", "T", OA)]
        c = stream(base + [E("a", "2026-10-12T09:00:00", "ticket.reprioritized", "T", OA, priority="P1")],
                   "2026-10", L("2026-10-12T10:05:00"))
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0, 0))
        c = stream(base + [E("z", "2026-10-12T09:00:00", "ticket.reprioritized", "T", OA, priority="P1")],
                   "2026-10", L("2026-10-12T10:05:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))

    def test_two_clocks_two_priorities(self):
        """always P4 opened Oct 12 08:00, acknowledged 08:30 (response judged at 08:30: P4,
        4 h, met), reprioritized P1 at 09:00, resolved 13:00 (repair judged at 13:00: P1, 4 h;
        5 h elapsed -> breached, lateness 3600 s -> 1 started hour -> -0.50)."""
        c = stream([E("t1", "2026-10-12T08:00:00", "ticket.opened", "T", SRV, priority="P4"),
                    E("t2", "2026-10-12T08:30:00", "ticket.acknowledged", "T", SRV),
                    E("t3", "2026-10-12T09:00:00", "ticket.reprioritized", "T", SRV, priority="P1"),
                    E("t4", "2026-10-12T13:00:00", "ticket.resolved", "T", SRV)], "2026-10")
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0, 0))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "repair_timeliness"), ("0.0000", "-0.50"))


    def test_reopened_repair_clock_uses_its_last_stop(self):
        """always P3 opened Oct 12 08:00, acknowledged 08:10, resolved 09:00, reprioritized P1
        10:00, reopened 11:00, resolved 15:00: repair elapsed 1 h + 4 h = 5 h = 18000 s, judged
        at the last stop (15:00): P1, 4 h -> breached, lateness 3600 s -> -0.50. Response judged
        at 08:10 (P3): met. Without the reopen and second resolve: judged at 09:00 (P3, 24 h):
        met. Reopened and not resolved again, as_of 15:00: judged at as_of (P1), 5 h ->
        breached."""
        evs = [E("a", "2026-10-12T08:00:00", "ticket.opened", "T", SRV, priority="P3"),
               E("b", "2026-10-12T08:10:00", "ticket.acknowledged", "T", SRV),
               E("c", "2026-10-12T09:00:00", "ticket.resolved", "T", SRV),
               E("d", "2026-10-12T10:00:00", "ticket.reprioritized", "T", SRV, priority="P1"),
               E("e", "2026-10-12T11:00:00", "ticket.reopened", "T", SRV),
               E("f", "2026-10-12T15:00:00", "ticket.resolved", "T", SRV)]
        c = stream(evs, "2026-10")
        self.assertEqual(counts(c, "repair_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "repair_timeliness"), ("0.0000", "-0.50"))
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0, 0))
        c = stream(evs[:4], "2026-10", L("2026-10-12T15:00:00"))
        self.assertEqual(counts(c, "repair_timeliness"), (1, 0, 0, 0))
        c = stream(evs[:5], "2026-10", L("2026-10-12T15:00:00"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 1, 0, 0))

    def test_paused_at_as_of_uses_the_priority_at_as_of(self):
        """always P3 opened 08:00, paused 08:10, reprioritized P1 09:00, as_of 10:00: paused with
        600 s counted; P1 at as_of, 600 <= 900 -> pending. Paused at 08:20 instead: 1200 > 900
        -> breached."""
        evs = [E("a", "2026-10-12T08:00:00", "ticket.opened", "T", SRV, priority="P3"),
               E("b", "2026-10-12T08:10:00", "ticket.paused", "T", SRV),
               E("c", "2026-10-12T09:00:00", "ticket.reprioritized", "T", SRV, priority="P1")]
        c = stream(evs, "2026-10", L("2026-10-12T10:00:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 0, 1, 0))
        evs[1]["at"] = L("2026-10-12T08:20:00")
        c = stream(evs, "2026-10", L("2026-10-12T10:00:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))


class RepairLateness(unittest.TestCase):

    def test_repair_lateness_3601_seconds(self):
        """always P1 opened Oct 12 08:00, resolved 13:00:01: repair elapsed 5 h 0 min 1 s =
        18001 s; deadline 4 h = 14400 s; lateness 3601 s -> ceil(3601/3600) = 2 started hours ->
        2 x -0.5 = -1.00; value 0/1 = 0.0000. The resolve also stops the response clock
        (no acknowledgement before it): 18001 > 900 -> breached, -1.00. Resolution 1/1 -> 0.
        prime: 100 - 2 = 98.00 -> 1200000.00."""
        c = card("repair_lateness", "2026-10", L("2026-10-12T13:00:01"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "repair_timeliness"), ("0.0000", "-1.00"))
        self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-1.00"))
        self.assertEqual(vp(c, "problem_resolution_rate"), ("1.0000", "0.00"))
        self.assertEqual(score(c), ("98.00", "1200000.00"))

    def test_repair_lateness_exact_hour_and_on_time(self):
        """Resolved 13:00:00: lateness 3600 s -> 1 started hour -> -0.50.
        Resolved 12:00:00: 14400 s = deadline -> met, 0.00."""
        evs = fixture_events("repair_lateness")
        evs[1]["at"] = L("2026-10-12T13:00:00")
        self.assertEqual(vp(stream(evs, "2026-10"), "repair_timeliness"), ("0.0000", "-0.50"))
        evs[1]["at"] = L("2026-10-12T12:00:00")
        c = stream(evs, "2026-10")
        self.assertEqual(counts(c, "repair_timeliness"), (1, 0, 0, 0))
        self.assertEqual(vp(c, "repair_timeliness"), ("1.0000", "0.00"))

    def test_repair_cap_per_ticket(self):
        """always P1 opened Oct 12 08:00, never resolved, as_of Oct 14 08:00: elapsed 48 h,
        lateness 44 h -> 44 x -0.5 = -22 -> capped at -3.00 per ticket. Response running:
        48 h > 15 min -> breached -1.00. Resolution 0/1 -> -10.00.
        prime: 100 - 1 - 3 - 10 = 86.00 -> share 1 - 4/100 = 0.96 -> 1152000.00."""
        c = card("repair_cap", "2026-10", L("2026-10-14T08:00:00"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "repair_timeliness"), ("0.0000", "-3.00"))
        self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-1.00"))
        self.assertEqual(score(c), ("86.00", "1152000.00"))

    def test_repair_cap_in_all(self):
        """Six such tickets: each -3 -> -18 -> capped at -15.00. Response 6 breaches -> -6.00.
        Resolution 0/6 -> -10.00. prime: 100 - 6 - 15 - 10 = 69.00 ->
        share 0.9 - 2 x 11/100 = 0.68 -> 816000.00."""
        evs = [E("c%d" % i, "2026-10-12T08:00:00", "ticket.opened", "T%d" % i, SRV, priority="P1")
               for i in range(6)]
        c = stream(evs, "2026-10", L("2026-10-14T08:00:00"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 6, 0, 0))
        self.assertEqual(vp(c, "repair_timeliness"), ("0.0000", "-15.00"))
        self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-6.00"))
        self.assertEqual(score(c), ("69.00", "816000.00"))

    def test_lateness_is_business_time(self):
        """office P1 opened Mon Oct 12 09:00, resolved Tue Oct 13 10:00: business time Mon 7 h +
        Tue 1 h = 8 h; lateness 4 h = 14400 s -> 4 started hours -> -2.00 (wall time would be
        21 h late -> capped -3.00)."""
        c = stream([E("a", "2026-10-12T09:00:00", "ticket.opened", "T", OA, priority="P1"),
                    E("b", "2026-10-12T09:10:00", "ticket.acknowledged", "T", OA),
                    E("c", "2026-10-13T10:00:00", "ticket.resolved", "T", OA)], "2026-10")
        self.assertEqual(vp(c, "repair_timeliness"), ("0.0000", "-2.00"))


class Waivers(unittest.TestCase):
    """P2."""

    def test_waiver(self):
        """The raised-priority ticket plus waiver.granted {indicator: response_timeliness} at
        10:30; as_of 10:30. Response: waived, neither met, breached nor pending ->
        (0, 0, 0, 1), value null (empty denominator), points 0.00. Repair (not waived) still
        pending: P1 at as_of, 90 min <= 4 h. Resolution -10.00 -> prime 90.00, appco 90.00."""
        c = card("waiver", "2026-10", L("2026-10-12T10:30:00"))
        for who in ("prime", "appco"):
            self.assertEqual(counts(c, "response_timeliness", who), (0, 0, 0, 1))
            self.assertEqual(vp(c, "response_timeliness", who), (None, "0.00"))
            self.assertEqual(counts(c, "repair_timeliness", who), (0, 0, 1, 0))
        self.assertEqual(score(c), ("90.00", "1200000.00"))
        self.assertEqual(score(c, "appco"), ("90.00", "300000.00"))
        self.assertEqual(counts(c, "response_timeliness", "netco"), (0, 0, 0, 0))

    def test_waivers_that_change_nothing(self):
        """Each of these leaves the response breached (0, 1, 0, 0), -1.00:
        - a waiver ordered before the anchor (08:00, before the 09:00 opening);
        - a waiver of maintenance_on_time on the ticket's id (no such clock on a ticket);
        - a waiver after as_of (as_of 10:29:59, waiver at 10:30)."""
        base = fixture_events("raised_priority")
        w = dict(fixture_events("waiver")[3])
        early = dict(w, at=L("2026-10-12T08:00:00"))
        other = dict(w, attrs=dict(w["attrs"], indicator="maintenance_on_time"))
        for evs, as_of in ((base + [early], "2026-10-12T10:30:00"),
                           (base + [other], "2026-10-12T10:30:00"),
                           (base + [w], "2026-10-12T10:29:59")):
            c = stream(evs, "2026-10", L(as_of))
            self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))
            self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-1.00"))

    def test_two_waivers_count_once_and_met_clocks_are_waived(self):
        """Two waivers on the breached ticket: waived 1. A waiver on a met plan (due Oct 20
        17:30, completed 17:00, waiver Oct 21, scheduled Oct 19) waives it: maintenance
        (0, 0, 0, 1), null. A waiver on an alert (raised 10:00, reported 10:20: breached)
        waives it: anomaly (0, 0, 0, 1), 0.00."""
        w = fixture_events("waiver")[3]
        evs = fixture_events("waiver") + [dict(w, id="r5", at=L("2026-10-12T10:31:00"))]
        evs += [E("p1", "2026-10-19T09:00:00", "plan.scheduled", "PL", SRV, due=L("2026-10-20T17:30:00")),
                E("p2", "2026-10-20T17:00:00", "plan.completed", "PL", SRV),
                E("p3", "2026-10-21T09:00:00", "waiver.granted", "PL", SRV, indicator="maintenance_on_time",
                  reason="", approved_by=""),
                E("a1", "2026-10-20T10:00:00", "alert.raised", "AL", SRV),
                E("a2", "2026-10-20T10:20:00", "alert.reported", "AL", SRV),
                E("a3", "2026-10-20T11:00:00", "waiver.granted", "AL", SRV,
                  indicator="anomaly_report_timeliness", reason="", approved_by="")]
        c = stream(evs, "2026-10", L("2026-10-22T00:00:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 0, 0, 1))
        self.assertEqual(counts(c, "maintenance_on_time"), (0, 0, 0, 1))
        self.assertEqual(vp(c, "maintenance_on_time"), (None, "0.00"))
        self.assertEqual(counts(c, "anomaly_report_timeliness"), (0, 0, 0, 1))
        self.assertEqual(vp(c, "anomaly_report_timeliness"), (None, "0.00"))


class Availability(unittest.TestCase):
    """P3. Denominators: prime October 13 x 2678400 = 34819200 s, November 13 x 2592000 =
    33696000 s; netco October 2 x 2678400 = 5356800 s, November 2 x 2592000 = 5184000 s."""

    def downtime(self, name, product, per, as_of):
        events, _ = po.read_events(os.path.join(FIXTURES, name + ".jsonl"))
        a = T(as_of)
        events = [e for e in events if e.at <= a]
        start, end = po.month_bounds(period(per))
        return po.downtime(po.build_subjects(events, a), product, start, end, a)

    def test_outage_across_month_end(self):
        """infra.servers down Oct 31 22:00 - Nov 1 02:00: October 22:00-24:00 = 7200 s,
        November 00:00-02:00 = 7200 s. prime October: 1 - 7200/34819200 = 0.99979321... ->
        0.9998 >= 0.999 -> 0.00; November: 1 - 7200/33696000 = 0.99978632... -> 0.9998 >=
        0.9995 -> 0.00. As of Oct 31 23:00 (still down): 3600 s in October."""
        self.assertEqual(self.downtime("outage_month_end", SRV, "2026-10", L("2026-11-01T02:00:00")), 7200)
        self.assertEqual(self.downtime("outage_month_end", SRV, "2026-11", L("2026-11-01T02:00:00")), 7200)
        self.assertEqual(self.downtime("outage_month_end", SRV, "2026-10", L("2026-10-31T23:00:00")), 3600)
        c = card("outage_month_end", "2026-10", L("2026-11-01T02:00:00"))
        self.assertEqual(vp(c, "availability"), ("0.9998", "0.00"))
        self.assertEqual(vp(c, "major_outages"), ("0.0000", "0.00"))   # minor
        c = card("outage_month_end", "2026-11", L("2026-11-01T02:00:00"))
        self.assertEqual(vp(c, "availability"), ("0.9998", "0.00"))
        self.assertEqual(vp(c, "availability", "netco"), ("1.0000", "0.00"))

    def test_announced_window(self):
        """Window Oct 31 23:00 - Nov 1 01:00 scheduled Oct 29 12:00 (<= Oct 30 23:00 = start -
        24 h: announced): October 7200 - 3600 = 3600 s, November 7200 - 3600 = 3600 s.
        prime October: 1 - 3600/34819200 = 0.99989660... -> 0.9999."""
        self.assertEqual(self.downtime("announced_window", SRV, "2026-10", L("2026-11-01T02:00:00")), 3600)
        self.assertEqual(self.downtime("announced_window", SRV, "2026-11", L("2026-11-01T02:00:00")), 3600)
        c = card("announced_window", "2026-10", L("2026-11-01T02:00:00"))
        self.assertEqual(vp(c, "availability"), ("0.9999", "0.00"))

    def test_late_window(self):
        """The same window scheduled Oct 31 12:00 (11 h ahead, < 24 h): excludes nothing:
        7200 s and 7200 s."""
        self.assertEqual(self.downtime("late_window", SRV, "2026-10", L("2026-11-01T02:00:00")), 7200)
        self.assertEqual(self.downtime("late_window", SRV, "2026-11", L("2026-11-01T02:00:00")), 7200)

    def test_window_exactly_24_hours_ahead(self):
        """Scheduled Oct 30 23:00:00 = start - 24 h exactly: announced (3600 s left in October).
        Scheduled Oct 30 23:00:01: not announced (7200 s). A window on another product
        (infra.storage) excludes nothing for infra.servers. A window with end = start
        excludes nothing."""
        out = fixture_events("outage_month_end")
        w = fixture_events("announced_window")[2]
        for at, attrs, product, expect in (
                ("2026-10-30T23:00:00", None, SRV, 3600),
                ("2026-10-30T23:00:01", None, SRV, 7200),
                ("2026-10-29T12:00:00", None, "infra.storage", 7200),
                ("2026-10-29T12:00:00", {"start": L("2026-10-31T23:00:00"), "end": L("2026-10-31T23:00:00")},
                 SRV, 7200)):
            ww = dict(w, at=L(at), product=product, attrs=attrs or w["attrs"])
            events = [po.parse_line(json.dumps(e).encode())[0] for e in out + [ww]]
            a = T(L("2026-11-01T02:00:00"))
            start, end = po.month_bounds((2026, 10))
            self.assertEqual(po.downtime(po.build_subjects(events, a), SRV, start, end, a), expect, at)

    def test_overlapping_outages(self):
        """network.internet 10:00-11:00 and 10:30-12:00 on Oct 20: union 10:00-12:00 = 7200 s.
        netco: 1 - 7200/5356800 = 0.99865591... -> 0.9987 -> 0.999 - 0.9987 = 0.0003 = 0.3 step
        -> 1 started step -> -2.00. The second outage is major: -5.00.
        netco 100 - 2 - 5 = 93.00 -> share 1 -> 200000.00; system level 93.00.
        prime: 1 - 7200/34819200 -> 0.9998 -> 0.00; major -5.00 -> 95.00."""
        self.assertEqual(self.downtime("overlapping_outages", NET, "2026-10", L("2026-10-20T12:00:00")), 7200)
        c = card("overlapping_outages", "2026-10", L("2026-10-20T12:00:00"))
        self.assertEqual(vp(c, "availability", "netco"), ("0.9987", "-2.00"))
        self.assertEqual(vp(c, "major_outages", "netco"), ("1.0000", "-5.00"))
        self.assertEqual(score(c, "netco"), ("93.00", "200000.00"))
        self.assertEqual(assessment(c, "netco")["levels"]["system"], "93.00")
        self.assertEqual(vp(c, "availability"), ("0.9998", "0.00"))
        self.assertEqual(score(c), ("95.00", "1200000.00"))

    def test_netco_availability_october(self):
        """One unannounced 2 h outage on network.internet, nothing else:
        1 - 7200 / (2 x 2678400) = 0.99865591... -> 0.9987; 0.0003 below 0.999 -> 1 step ->
        -2.00. netco 98.00 -> 200000.00. prime 0.9998 -> 100.00. secco/appco 1.0000."""
        c = card("netco_availability", "2026-10", L("2026-10-20T12:00:00"))
        self.assertEqual(vp(c, "availability", "netco"), ("0.9987", "-2.00"))
        self.assertEqual(score(c, "netco"), ("98.00", "200000.00"))
        self.assertEqual(vp(c, "availability"), ("0.9998", "0.00"))
        self.assertEqual(score(c), ("100.00", "1200000.00"))
        self.assertEqual(vp(c, "availability", "secco"), ("1.0000", "0.00"))

    def test_still_down_at_as_of_and_whole_period_denominator(self):
        """netco outage started Oct 20 10:00, never ended, as_of Oct 20 12:00: 7200 s (to as_of),
        over the whole month (not clipped to as_of): 0.9987 again."""
        c = stream(fixture_events("netco_availability")[:1], "2026-10", L("2026-10-20T12:00:00"))
        self.assertEqual(vp(c, "availability", "netco"), ("0.9987", "-2.00"))

    def test_outage_anchors(self):
        """netco outage O: started 10:00 (id b), an outage.ended in the same second with a
        smaller id (a: ordered before the anchor, ignored), a second outage.started 10:30
        (ignored), the first end ordered after the anchor at 11:00, a later end at 12:00
        (ignored): 3600 s -> 1 - 3600/5356800 = 0.99932795... -> 0.9993 -> 0.00. The anchor
        is minor: no major outage, although the ignored second start says major."""
        c = stream([E("b", "2026-10-20T10:00:00", "outage.started", "O", NET, severity="minor"),
                    E("a", "2026-10-20T10:00:00", "outage.ended", "O", NET),
                    E("c", "2026-10-20T10:30:00", "outage.started", "O", NET, severity="major"),
                    E("d", "2026-10-20T11:00:00", "outage.ended", "O", NET),
                    E("e", "2026-10-20T12:00:00", "outage.ended", "O", NET)], "2026-10")
        self.assertEqual(vp(c, "availability", "netco"), ("0.9993", "0.00"))
        self.assertEqual(vp(c, "major_outages", "netco"), ("0.0000", "0.00"))

    def test_availability_cap(self):
        """netco down a whole day: 1 - 86400/5356800 = 0.98387... -> 0.9839; (0.999 - 0.9839)
        / 0.001 = 15.1 -> 16 steps -> -32 -> capped -20.00."""
        c = stream([E("a", "2026-10-20T00:00:00", "outage.started", "O", NET, severity="minor"),
                    E("b", "2026-10-21T00:00:00", "outage.ended", "O", NET)], "2026-10")
        self.assertEqual(vp(c, "availability", "netco"), ("0.9839", "-20.00"))


class Counts(unittest.TestCase):

    def test_satisfaction_and_commendations(self):
        """Ratings 5, 4, 4, 4 on app.business_support.oa: mean 17/4 = 4.2500 -> 4.0 <= v < 4.5 ->
        -3.00 (prime, appco). 4 commendation letters on network.internet: +8 capped at +5.00
        (prime, netco). prime: 100 - 3 + 5 = 102 -> ceiling 100.00; role level 100.00.
        appco: 97.00 -> 300000.00. netco: satisfaction null (no rating in scope) 0.00;
        100 + 5 = 105 -> 100.00."""
        c = card("satisfaction_commendations", "2026-10", L("2026-10-18T10:00:00"))
        self.assertEqual(vp(c, "satisfaction"), ("4.2500", "-3.00"))
        self.assertEqual(vp(c, "commendations"), ("4.0000", "5.00"))
        self.assertEqual(score(c), ("100.00", "1200000.00"))
        self.assertEqual(assessment(c, "prime")["levels"]["role"], "100.00")
        self.assertEqual(vp(c, "satisfaction", "appco"), ("4.2500", "-3.00"))
        self.assertEqual(vp(c, "commendations", "appco"), ("0.0000", "0.00"))
        self.assertEqual(score(c, "appco"), ("97.00", "300000.00"))
        self.assertEqual(vp(c, "satisfaction", "netco"), (None, "0.00"))
        self.assertEqual(score(c, "netco"), ("100.00", "200000.00"))

    def test_satisfaction_thresholds(self):
        """4, 5 -> 4.5000 -> 0.00; 4, 4, 4, 3 -> 3.7500 -> -6.00; 4 -> 4.0000 -> -3.00;
        2, 2, 3 -> 7/3 = 2.33333 -> 2.3333 -> -6.00."""
        for ratings, expect in (([4, 5], ("4.5000", "0.00")), ([4, 4, 4, 3], ("3.7500", "-6.00")),
                                ([4], ("4.0000", "-3.00")), ([2, 2, 3], ("2.3333", "-6.00"))):
            evs = [E("s%d" % i, "2026-10-13T10:00:00", "survey.rated", "S", OA, rating=r)
                   for i, r in enumerate(ratings)]
            self.assertEqual(vp(stream(evs, "2026-10"), "satisfaction"), expect, ratings)

    def test_count_indicators(self):
        """5 security incidents -> -25 capped -20.00; 3 notices -> -15.00 (no cap); 1
        commendation -> +2.00. prime 100 - 20 - 15 + 2 = 67.00 -> share 0.9 - 2 x 13/100 =
        0.64 -> 768000.00; system 80.00, role 87.00."""
        evs = [E("i%d" % i, "2026-10-13T10:00:00", "security.incident", "I%d" % i, "security.mgmt")
               for i in range(5)]
        evs += [E("n%d" % i, "2026-10-14T10:00:00", "notice.issued", "N%d" % i, SRV) for i in range(3)]
        evs += [E("c", "2026-10-15T10:00:00", "commendation.received", "C", SRV)]
        c = stream(evs, "2026-10")
        self.assertEqual(vp(c, "security_incidents"), ("5.0000", "-20.00"))
        self.assertEqual(vp(c, "notices"), ("3.0000", "-15.00"))
        self.assertEqual(vp(c, "commendations"), ("1.0000", "2.00"))
        self.assertEqual(score(c), ("67.00", "768000.00"))
        self.assertEqual(assessment(c, "prime")["levels"],
                         {"system": "80.00", "process": "100.00", "role": "87.00"})

    def test_major_outages_in_the_period_of_the_anchor(self):
        """A major outage Oct 31 22:00 - Nov 1 02:00 counts in October only (-5.00), its
        downtime in both months."""
        evs = fixture_events("outage_month_end")
        evs[0]["attrs"]["severity"] = "major"
        self.assertEqual(vp(stream(evs, "2026-10"), "major_outages"), ("1.0000", "-5.00"))
        self.assertEqual(vp(stream(evs, "2026-11"), "major_outages"), ("0.0000", "0.00"))


class StepsAndPayment(unittest.TestCase):

    def test_started_steps(self):
        """resolution 0.9349: (0.95 - 0.9349)/0.01 = 1.51 -> 2 steps -> -2.00; 0.94 -> exactly
        1; 0.95 -> 0. availability 0.9987 -> 0.3 -> 1; 0.9980 -> exactly 1; 0.9979 -> 1.1 -> 2."""
        s = po.started_steps
        self.assertEqual(s(F("0.95"), F("0.9349"), F("0.01")), 2)
        self.assertEqual(s(F("0.95"), F("0.94"), F("0.01")), 1)
        self.assertEqual(s(F("0.95"), F("0.95"), F("0.01")), 0)
        self.assertEqual(s(F("0.95"), F("0.99"), F("0.01")), 0)
        self.assertEqual(s(F("0.999"), F("0.9987"), F("0.001")), 1)
        self.assertEqual(s(F("0.999"), F("0.9980"), F("0.001")), 1)
        self.assertEqual(s(F("0.999"), F("0.9979"), F("0.001")), 2)
        self.assertEqual(s(F("0.9995"), F("0.9993"), F("0.001")), 1)

    def test_resolution_through_tickets(self):
        """14 of 15 tickets resolved: 0.93333 -> 0.9333; (0.95 - 0.9333)/0.01 = 1.67 -> 2 steps
        -> -2.00."""
        evs = []
        for i in range(15):
            evs.append(E("o%d" % i, "2026-10-12T08:00:00", "ticket.opened", "T%d" % i, SRV, priority="P4"))
            if i:
                evs.append(E("r%d" % i, "2026-10-12T09:00:00", "ticket.resolved", "T%d" % i, SRV))
        self.assertEqual(vp(stream(evs, "2026-10"), "problem_resolution_rate"), ("0.9333", "-2.00"))

    def test_payment(self):
        """s >= 90 -> 1; [80, 90) -> 1 - (90 - s)/100; [35, 80) -> 0.9 - 2(80 - s)/100; < 35 -> 0.
        88.50 -> 0.985 -> prime 1182000.00; 55.00 -> 0.9 - 0.5 = 0.4 -> netco 80000.00;
        35.00 -> 0 -> 0.00; 34.99 -> 0; 80.00 -> 0.9 -> appco 270000.00;
        89.99 -> 0.9999 -> prime 1199880.00; 79.99 -> 0.8998 -> secco 134970.00; 90 and 100 -> 1."""
        cases = [("88.50", "1200000", "1182000.00"), ("55.00", "200000", "80000.00"),
                 ("35.00", "200000", "0.00"), ("34.99", "200000", "0.00"),
                 ("80.00", "300000", "270000.00"), ("89.99", "1200000", "1199880.00"),
                 ("79.99", "150000", "134970.00"), ("90.00", "150000", "150000.00"),
                 ("100.00", "300000", "300000.00"), ("0.00", "300000", "0.00")]
        for s, fee, due in cases:
            got = po.fmt(po.round_half_up(F(fee) * po.payment_share(F(s)), 2), 2)
            self.assertEqual(got, due, s)
        self.assertEqual(po.payment_share(F("88.50")), F("0.985"))
        self.assertEqual(po.payment_share(F("55")), F("0.4"))

    def test_payment_through_a_scorecard(self):
        """netco with 9 notices: 100 - 45 = 55.00 -> share 0.4 -> 80000.00 (the termination
        case, September)."""
        c = card("termination", "2026-09", L("2026-10-19T15:00:00"))
        self.assertEqual(score(c, "netco"), ("55.00", "80000.00"))


class Scorecard(unittest.TestCase):
    """tests/fixtures/points/scorecard_88_50.jsonl, period 2026-10, as_of Nov 5 12:00 (the
    latest event, an unknown kind). The PC "score and fee" example and JSON sample.

    All tickets infra.servers (always), P1 (response 15 min, repair 4 h):
      K01-K13 opened Oct 2-14 08:00, ack +5 min, resolved +1 h: met, met, resolved
      K14 ack +20 min (> 15: response breached), resolved +1 h (met), resolved
      K15 ack +5 min (met), never resolved: repair running to Nov 5 12:00 -> lateness far over
          6 h -> -3 capped; not resolved
      K16 ack +60 min (breached) but waived for response (waiver 09:30, after the anchor);
          resolved +2 h (met), resolved
    Response: met 14, breached 1, pending 0, waived 1 -> 14/15 = 0.93333 -> 0.9333, -1.00.
    Repair: met 15, breached 1 -> 15/16 = 0.9375, -3.00.
    Alert A1 infra.servers reported after 16 min -> breached: 0.0000, -0.50.
    Plan PL1 due Oct 21 17:00, completed 16:00: met, 1.0000, 0.00.
    Resolution 15/16 = 0.9375: (0.95 - 0.9375)/0.01 = 1.25 -> 2 steps -> -2.00.
    Outage O1 infra.storage (major) Oct 22 00:00-12:00 = 43200 s: 1 - 43200/34819200 =
      0.99875930... -> 0.9988 -> 0.2 step -> 1 -> -2.00; major outages 1 -> -5.00.
    Security incidents 0 -> 0.00. Ratings 5, 4, 4, 4 (app.om_mgmt.desk) -> 4.2500 -> -3.00.
    Notices 0. Commendations 4 -> +8 -> capped +5.00.
    Sum -1 - 3 - 0.5 + 0 - 2 - 2 - 5 + 0 - 3 + 0 + 5 = -11.5 -> 88.50 -> share 0.985 ->
    1182000.00. system 100 - 2 - 5 = 93.00; process 100 - 1 - 3 - 0 - 2 = 94.00;
    role 100 - 0.5 - 3 - 0 + 5 = 101.5 -> 100.00.
    Subcontractors: no event in their scope: clock indicators and resolution and
    satisfaction not applicable (null, 0.00), availability 1.0000, counts 0 ->
    100.00 each and the full fee. No flags (September has no events)."""

    def test_full(self):
        c = card("scorecard_88_50", "2026-10", L("2026-11-05T12:00:00"))
        self.assertEqual(c["period"], "2026-10")
        self.assertEqual(c["as_of"], "2026-11-05T12:00:00+08:00")
        # 16 tickets: 13 x 3 + 3 + 2 + 4 = 48; alert 2, plan 2, outage 2, ratings 4, letters 4, END 1
        self.assertEqual(c["events"], {"accepted": 63, "duplicates": 0, "rejected": 0})
        prime = {
            "assessor": "bureau", "assessee": "prime", "score": "88.50", "fee_due": "1182000.00",
            "levels": {"system": "93.00", "process": "94.00", "role": "100.00"}, "flags": [],
            "indicators": [
                {"id": "response_timeliness", "value": "0.9333", "points": "-1.00",
                 "met": 14, "breached": 1, "pending": 0, "waived": 1},
                {"id": "repair_timeliness", "value": "0.9375", "points": "-3.00",
                 "met": 15, "breached": 1, "pending": 0, "waived": 0},
                {"id": "anomaly_report_timeliness", "value": "0.0000", "points": "-0.50",
                 "met": 0, "breached": 1, "pending": 0, "waived": 0},
                {"id": "maintenance_on_time", "value": "1.0000", "points": "0.00",
                 "met": 1, "breached": 0, "pending": 0, "waived": 0},
                {"id": "problem_resolution_rate", "value": "0.9375", "points": "-2.00"},
                {"id": "availability", "value": "0.9988", "points": "-2.00"},
                {"id": "major_outages", "value": "1.0000", "points": "-5.00"},
                {"id": "security_incidents", "value": "0.0000", "points": "0.00"},
                {"id": "satisfaction", "value": "4.2500", "points": "-3.00"},
                {"id": "notices", "value": "0.0000", "points": "0.00"},
                {"id": "commendations", "value": "4.0000", "points": "5.00"},
            ]}
        self.assertEqual(c["assessments"][0], prime)
        zero = {"met": 0, "breached": 0, "pending": 0, "waived": 0}
        empty = [dict({"id": i, "value": None, "points": "0.00"}, **zero) for i in po.CLOCK_INDICATORS] + [
            {"id": "problem_resolution_rate", "value": None, "points": "0.00"},
            {"id": "availability", "value": "1.0000", "points": "0.00"},
            {"id": "major_outages", "value": "0.0000", "points": "0.00"},
            {"id": "security_incidents", "value": "0.0000", "points": "0.00"},
            {"id": "satisfaction", "value": None, "points": "0.00"},
            {"id": "notices", "value": "0.0000", "points": "0.00"},
            {"id": "commendations", "value": "0.0000", "points": "0.00"}]
        for a, (who, fee) in zip(c["assessments"][1:], (("netco", "200000.00"), ("secco", "150000.00"),
                                                        ("appco", "300000.00"))):
            self.assertEqual(a, {"assessor": "prime", "assessee": who, "score": "100.00", "fee_due": fee,
                                 "levels": {"system": "100.00", "process": "100.00", "role": "100.00"},
                                 "flags": [], "indicators": empty})

    def test_cli_output(self):
        """The CLI prints the same card; keys in the contract's order; default period 2026-10
        (most anchors) and default as_of (the latest event)."""
        import subprocess
        out = subprocess.run([sys.executable, os.path.join(HERE, "points_oracle.py"),
                              os.path.join(FIXTURES, "scorecard_88_50.jsonl")],
                             check=True, capture_output=True, text=True).stdout
        c = json.loads(out)
        self.assertEqual(list(c), ["period", "as_of", "events", "assessments"])
        self.assertEqual((c["period"], c["as_of"]), ("2026-10", "2026-11-05T12:00:00+08:00"))
        a = c["assessments"][0]
        self.assertEqual(list(a), ["assessor", "assessee", "score", "fee_due", "levels", "flags", "indicators"])
        self.assertEqual(list(a["indicators"][0]), ["id", "value", "points", "met", "breached", "pending", "waived"])
        self.assertEqual(list(a["indicators"][4]), ["id", "value", "points"])
        self.assertEqual([i["id"] for i in a["indicators"]], [i for i, _ in po.INDICATORS])
        self.assertEqual(a["score"], "88.50")


class Amendment(unittest.TestCase):
    """P5. tests/fixtures/points/amendment.jsonl, as_of Nov 20 11:00; app.business_support.oa
    (office; prime and appco), outages on network.internet (prime and netco).
      TA P2 opened Mon Oct 12 09:00, ack 09:25 (1500 s), resolved 10:00
      TB P2 opened Fri Oct 30 17:20, ack Mon Nov 2 09:15: 600 s Fri + weekend 0 + 900 s Mon =
         1500 s; resolved 10:00 (600 + 3600 = 4200 s <= 8 h)
      TC P2 opened Mon Nov 2 09:00, ack 09:25 (1500 s), resolved 10:00
      outages of 1 h: Oct 20 10:00-11:00 and Nov 20 10:00-11:00
    October (original rules): TA, TB met (1500 <= 1800): response (2, 0, 0, 0), 1.0000, 0.00 -
      TB belongs to October and keeps 30 min although acknowledged in November.
      netco availability 1 - 3600/5356800 = 0.99932795... -> 0.9993 >= 0.999 -> 0.00;
      prime 1 - 3600/34819200 -> 0.9999 -> 0.00. prime 100.00, appco 100.00, netco 100.00.
    November (amended): TC 1500 > 1200 -> breached: prime -1.00, appco -2.00; repair met.
      netco availability 1 - 3600/5184000 = 0.99930555... -> 0.9993 < 0.9995: 0.0002 -> 1
      step -> -2.00 -> netco 98.00. prime 1 - 3600/33696000 = 0.99989316... -> 0.9999 -> 0.00
      -> prime 99.00 -> 1200000.00; appco 98.00 -> 300000.00."""

    def test_october_keeps_the_original_rules(self):
        c = card("amendment", "2026-10", L("2026-11-20T11:00:00"))
        self.assertEqual(counts(c, "response_timeliness"), (2, 0, 0, 0))
        self.assertEqual(vp(c, "response_timeliness", "appco"), ("1.0000", "0.00"))
        self.assertEqual(counts(c, "repair_timeliness"), (2, 0, 0, 0))
        self.assertEqual(vp(c, "availability", "netco"), ("0.9993", "0.00"))
        self.assertEqual(vp(c, "availability"), ("0.9999", "0.00"))
        for who in ("prime", "netco", "appco"):
            self.assertEqual(assessment(c, who)["score"], "100.00", who)

    def test_november_uses_the_amended_rules(self):
        c = card("amendment", "2026-11", L("2026-11-20T11:00:00"))
        self.assertEqual(counts(c, "response_timeliness"), (0, 1, 0, 0))
        self.assertEqual(vp(c, "response_timeliness"), ("0.0000", "-1.00"))
        self.assertEqual(vp(c, "response_timeliness", "appco"), ("0.0000", "-2.00"))
        self.assertEqual(counts(c, "repair_timeliness"), (1, 0, 0, 0))
        self.assertEqual(vp(c, "availability", "netco"), ("0.9993", "-2.00"))
        self.assertEqual(vp(c, "availability"), ("0.9999", "0.00"))
        self.assertEqual(score(c), ("99.00", "1200000.00"))
        self.assertEqual(score(c, "appco"), ("98.00", "300000.00"))
        self.assertEqual(score(c, "netco"), ("98.00", "200000.00"))

    def test_default_period(self):
        """Anchors: October TA, TB, OUT-OCT (3); November TC, OUT-NOV (2) -> 2026-10."""
        self.assertEqual(card("amendment")["period"], "2026-10")


class Termination(unittest.TestCase):
    """P6. tests/fixtures/points/termination.jsonl, as_of Oct 19 15:00 (its latest event):
    9 notices on network.egov_wan Sep 2-10; 9 on network.egov_wan Oct 11-19 10:00; 9 on
    security.mgmt Oct 11-19 15:00. Notices: -5 each, no cap.
    September: prime -45 -> 55.00 (share 0.4 -> 480000.00), netco 55.00 (80000.00); secco,
      appco 100.00. August (the period before) has no event: no flag for anyone.
    October: prime -90 -> 10.00 (share 0 -> 0.00; role level 10.00), September 55.00 < 60 ->
      termination_right. netco -45 -> 55.00 (80000.00), September 55.00 -> termination_right.
      secco -45 -> 55.00 (150000 x 0.4 = 60000.00) but September 100.00 -> no flag. appco
      100.00 -> no flag.
    November (as_of still Oct 19 15:00): nothing in November: every score 100.00, no flag
      (October < 60 does not matter)."""

    def test_september(self):
        c = card("termination", "2026-09", L("2026-10-19T15:00:00"))
        self.assertEqual(score(c), ("55.00", "480000.00"))
        self.assertEqual(score(c, "netco"), ("55.00", "80000.00"))
        self.assertEqual(score(c, "secco"), ("100.00", "150000.00"))
        self.assertEqual([a["flags"] for a in c["assessments"]], [[], [], [], []])

    def test_october(self):
        c = card("termination", "2026-10", L("2026-10-19T15:00:00"))
        self.assertEqual(vp(c, "notices"), ("18.0000", "-90.00"))
        self.assertEqual(score(c), ("10.00", "0.00"))
        self.assertEqual(assessment(c, "prime")["levels"]["role"], "10.00")
        self.assertEqual(score(c, "netco"), ("55.00", "80000.00"))
        self.assertEqual(score(c, "secco"), ("55.00", "60000.00"))
        self.assertEqual(score(c, "appco"), ("100.00", "300000.00"))
        self.assertEqual([a["flags"] for a in c["assessments"]],
                         [["termination_right"], ["termination_right"], [], []])

    def test_november(self):
        c = card("termination", "2026-11", L("2026-10-19T15:00:00"))
        self.assertEqual([a["score"] for a in c["assessments"]], ["100.00"] * 4)
        self.assertEqual([a["flags"] for a in c["assessments"]], [[], [], [], []])

    def test_period_before_uses_its_own_rules(self):
        """netco, November and October: October availability under 0.999, November under 0.9995.
        9 notices in each month (-45) plus one 1 h outage in each month on network.internet:
        October 0.9993 -> 0.00 -> 55.00; November 0.9993 -> -2.00 -> 53.00 (share 0.9 - 2 x 27/100
        = 0.36 -> 72000.00). Both < 60: the November card is flagged. With 8 October notices instead: October 60.00 (not below 60):
        no flag."""
        evs = [E("n10-%d" % i, "2026-10-%02dT10:00:00" % (i + 1), "notice.issued", "A%d" % i, NET)
               for i in range(9)]
        evs += [E("n11-%d" % i, "2026-11-%02dT10:00:00" % (i + 1), "notice.issued", "B%d" % i, NET)
                for i in range(9)]
        evs += fixture_events("amendment")[9:]
        c = stream(evs, "2026-11", L("2026-11-30T00:00:00"))
        self.assertEqual(score(c, "netco"), ("53.00", "72000.00"))
        self.assertEqual(assessment(c, "netco")["flags"], ["termination_right"])
        c = stream(evs, "2026-10", L("2026-11-30T00:00:00"))
        self.assertEqual(score(c, "netco"), ("55.00", "80000.00"))
        c = stream(evs[1:], "2026-11", L("2026-11-30T00:00:00"))
        self.assertEqual(assessment(c, "netco")["flags"], [])


class Reading(unittest.TestCase):

    def test_validation_counts(self):
        """tests/fixtures/points/validation.jsonl, 32 lines. Accepted (10): v01 rating 1, v02
        rating 5, v14 rating 3 (an undeclared attribute 4.5 is ignored), v17 reprioritized P2,
        v21 waiver of repair_timeliness with empty reason/approver, v23 outage major, v24 its
        end, v27 a window whose end is before its start (valid), v28 commendation, v29 notice.
        Duplicate (1): the copy of v01. Rejected (21): ratings 4.5, 5.0, 5e0, 0, 6, true, "5",
        -0, null, missing, 5E0 (11); priorities P9, p1 (2); indicator availability, missing
        reason, approved_by 7 (3); severity critical (1); window start +0800, missing end (2);
        a search.request without ok (egov rule 1) (1); an unknown product (1).
        prime (all on app.om_mgmt.desk): ratings 1, 5, 3 -> 3.0000 -> -6.00; the outage
        started and ended in the same second (v24 after v23): 0 s, availability 1.0000, but
        major: -5.00; notices 1 -> -5.00; commendations 1 -> +2.00. T1 has no anchor: the
        reprioritization and the waiver count nowhere. 100 - 6 - 5 - 5 + 2 = 86.00."""
        c = card("validation", "2026-10", L("2026-10-13T10:00:00"))
        self.assertEqual(c["events"], {"accepted": 10, "duplicates": 1, "rejected": 21})
        self.assertEqual(vp(c, "satisfaction"), ("3.0000", "-6.00"))
        self.assertEqual(vp(c, "availability"), ("1.0000", "0.00"))
        self.assertEqual(vp(c, "major_outages"), ("1.0000", "-5.00"))
        self.assertEqual(vp(c, "notices"), ("1.0000", "-5.00"))
        self.assertEqual(vp(c, "commendations"), ("1.0000", "2.00"))
        self.assertEqual(counts(c, "repair_timeliness"), (0, 0, 0, 0))
        self.assertEqual(score(c), ("86.00", "1152000.00"))

    def test_rating_literals(self):
        """Only the integer literals 1..5 are accepted."""
        def line(raw):
            return ('{"id":"x","at":"2026-10-13T10:00:00+08:00","kind":"survey.rated","subject":"S",'
                    '"product":"app.om_mgmt.desk","attrs":{"rating":%s}}' % raw).encode()
        for ok in ("1", "2", "3", "4", "5"):
            ev, reason = po.parse_line(line(ok))
            self.assertIsNotNone(ev, ok)
            self.assertEqual(ev.attrs["rating"], int(ok))
        for bad in ("4.5", "5.0", "5e0", "5E0", "0.5e1", "0", "6", "-1", "-0", "true", "false",
                    '"5"', "null", "[5]", "{}", "99999999999999999999", "+5", "05", "NaN"):
            ev, reason = po.parse_line(line(bad))
            self.assertIsNone(ev, bad)
            self.assertTrue(reason, bad)

    def test_new_kind_attributes(self):
        def line(kind, attrs):
            d = {"id": "x", "at": L("2026-10-13T10:00:00"), "kind": kind, "subject": "S",
                 "product": "app.om_mgmt.desk"}
            if attrs is not None:
                d["attrs"] = attrs
            return json.dumps(d).encode()
        good = [("ticket.reprioritized", {"priority": "P4"}), ("outage.started", {"severity": "minor"}),
                ("outage.ended", None), ("commendation.received", None), ("notice.issued", {}),
                ("maintenance.scheduled", {"start": "2026-10-20T02:00:00Z", "end": L("2026-10-20T12:00:00")}),
                ("maintenance.scheduled", {"start": L("2026-10-20T12:00:00"), "end": L("2026-10-20T12:00:00")}),
                ("waiver.granted", {"indicator": "maintenance_on_time", "reason": "x", "approved_by": "y"}),
                ("waiver.granted", {"indicator": "anomaly_report_timeliness", "reason": "", "approved_by": ""})]
        bad = [("ticket.reprioritized", {"priority": "P9"}), ("ticket.reprioritized", {"priority": "P1 "}),
               ("ticket.reprioritized", {"priority": 1}), ("ticket.reprioritized", None),
               ("outage.started", {"severity": "Major"}), ("outage.started", {}),
               ("maintenance.scheduled", {"start": "2026-10-20T10:00:00", "end": L("2026-10-20T12:00:00")}),
               ("maintenance.scheduled", {"end": L("2026-10-20T12:00:00")}),
               ("maintenance.scheduled", {"start": L("2026-10-20T10:00:00"), "end": "2026-10-20T24:00:00+08:00"}),
               ("waiver.granted", {"indicator": "problem_resolution_rate", "reason": "", "approved_by": ""}),
               ("waiver.granted", {"indicator": "Response_timeliness", "reason": "", "approved_by": ""}),
               ("waiver.granted", {"indicator": "response_timeliness", "reason": None, "approved_by": ""}),
               ("waiver.granted", {"indicator": "response_timeliness", "reason": ""}),
               ("waiver.granted", {"reason": "", "approved_by": ""})]
        for kind, attrs in good:
            self.assertIsNotNone(po.parse_line(line(kind, attrs))[0], (kind, attrs))
        for kind, attrs in bad:
            self.assertIsNone(po.parse_line(line(kind, attrs))[0], (kind, attrs))


class Fixtures(unittest.TestCase):
    """tests/fixtures/points/NAME.LABEL.json is the oracle's scorecard of NAME.jsonl for the
    period and as_of it holds; every case has at least one, every file a case."""

    def test_expected_files_match_the_oracle(self):
        names = sorted(f[:-6] for f in os.listdir(FIXTURES) if f.endswith(".jsonl"))
        self.assertEqual(names, sorted(RUNS))
        want = set()
        for name, runs in RUNS.items():
            for label, per, as_of in runs:
                want.add("%s.%s.json" % (name, label))
                with open(os.path.join(FIXTURES, "%s.%s.json" % (name, label)), encoding="utf-8") as f:
                    have = f.read()
                self.assertEqual(have, render(card(name, per, as_of)), (name, label))
        self.assertEqual({f for f in os.listdir(FIXTURES) if f.endswith(".json")}, want)


def render(c):
    return json.dumps(c, ensure_ascii=False, indent=2) + "\n"


def write_fixtures():
    for name, runs in RUNS.items():
        for label, per, as_of in runs:
            with open(os.path.join(FIXTURES, "%s.%s.json" % (name, label)), "w", encoding="utf-8") as f:
                f.write(render(card(name, per, as_of)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_fixtures()
    else:
        unittest.main()
