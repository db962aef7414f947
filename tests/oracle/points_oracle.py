#!/usr/bin/env python3
"""Independent reference implementation ("oracle") of the points-2026 scorecard (扣分制).

Written from docs POINTS-CONTRACT.md (and REFERENCE-CONTRACT.md for everything it does not
restate), in plain Python 3.11 standard library. It reuses from `oracle.py` (the egov-2026
oracle) only what the points contract takes unchanged from egov-2026: line validation of the
egov kinds, strict RFC 3339, the catalog, the calendars and business time, rounding and
formatting. Everything specific to points-2026 is here. Correctness over speed: exact
rational arithmetic, business time counted day by day, every clock measured exactly.

Usage:
    python3 tests/oracle/points_oracle.py EVENTS.jsonl [--period YYYY-MM] [--as-of RFC3339] [--rejected]

Prints the scorecard JSON on stdout. See tests/oracle/README.md ("points-2026") for every
interpretation made.
"""

import argparse
import json
import math
import os
import re
import sys
from collections import Counter
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import (CATALOG, business_seconds, fmt, format_as_of, month_bounds,  # noqa: E402
                    month_of, parse_time, round_half_up)

MET, BREACHED, PENDING, WAIVED = "met", "breached", "pending", "waived"

# ---------------------------------------------------------------------------------------------
# Contract data (POINTS-CONTRACT.md; parties and fees as in egov-2026)
# ---------------------------------------------------------------------------------------------

# (assessor, assessee, covered product prefixes or None for everything, monthly fee, is_sub)
ASSESSMENTS = oracle.ASSESSMENTS

PRIORITIES = ("P1", "P2", "P3", "P4")
RESPONSE_DEADLINE = {"P1": 15 * 60, "P2": 30 * 60, "P3": 2 * 3600, "P4": 4 * 3600}
RESPONSE_DEADLINE_AMENDED = {"P1": 15 * 60, "P2": 20 * 60, "P3": 2 * 3600, "P4": 4 * 3600}
REPAIR_DEADLINE = {"P1": 4 * 3600, "P2": 8 * 3600, "P3": 24 * 3600, "P4": 72 * 3600}
ALERT_DEADLINE = 15 * 60

AVAILABILITY_TARGET = Fraction("0.999")
AVAILABILITY_TARGET_AMENDED = Fraction("0.9995")
AMENDMENT_PERIOD = (2026, 11)  # P5: periods starting on or after 2026-11-01

WAIVABLE = ("response_timeliness", "repair_timeliness", "anomaly_report_timeliness",
            "maintenance_on_time")
SEVERITIES = ("minor", "major")
ANNOUNCE_AHEAD = 24 * 3600

# (id, level) in scorecard order; the first four carry met/breached/pending/waived
INDICATORS = [
    ("response_timeliness", "process"),
    ("repair_timeliness", "process"),
    ("anomaly_report_timeliness", "role"),
    ("maintenance_on_time", "process"),
    ("problem_resolution_rate", "process"),
    ("availability", "system"),
    ("major_outages", "system"),
    ("security_incidents", "system"),
    ("satisfaction", "role"),
    ("notices", "role"),
    ("commendations", "role"),
]
CLOCK_INDICATORS = WAIVABLE
LEVELS = ("system", "process", "role")


def amended(period):
    return tuple(period) >= AMENDMENT_PERIOD


# ---------------------------------------------------------------------------------------------
# Reading events: egov-2026's rule 1 (oracle.parse_line), plus the new kinds
# ---------------------------------------------------------------------------------------------

def _check_new_kind(ev):
    """None when the event's attributes are valid for its (new) kind, else the reason."""
    a, k = ev.attrs, ev.kind
    if k == "ticket.reprioritized":
        p = a.get("priority")
        if type(p) is not str or p not in PRIORITIES:
            return "ticket.reprioritized: priority missing or not P1-P4"
    elif k == "outage.started":
        s = a.get("severity")
        if type(s) is not str or s not in SEVERITIES:
            return "outage.started: severity missing or not minor/major"
    elif k == "maintenance.scheduled":
        for name in ("start", "end"):
            if parse_time(a.get(name)) is None:
                return "maintenance.scheduled: %s missing or not strict RFC 3339" % name
    elif k == "waiver.granted":
        i = a.get("indicator")
        if type(i) is not str or i not in WAIVABLE:
            return "waiver.granted: indicator missing or not one of the four clock indicators"
        for name in ("reason", "approved_by"):
            if type(a.get(name)) is not str:
                return "waiver.granted: %s missing or not a string" % name
    elif k == "survey.rated":
        r = a.get("rating")
        # json.loads gives int only for an integer literal (no fraction, no exponent);
        # 5.0 and 5e0 come back as Decimal, true as bool, "5" as str
        if type(r) is not int:
            return "survey.rated: rating missing or not a JSON integer literal"
        if not 1 <= r <= 5:
            return "survey.rated: rating out of range 1-5"
    return None


def parse_line(raw):
    """Returns (Event, None) or (None, reason)."""
    ev, reason = oracle.parse_line(raw)
    if ev is None:
        return None, reason
    reason = _check_new_kind(ev)
    if reason is not None:
        return None, reason
    return ev, None


def read_events(path, rejections=None):
    """Returns (accepted events, counts). Blank lines (only spaces/tabs/CR) are skipped."""
    with open(path, "rb") as f:
        data = f.read()
    accepted, seen = [], set()
    counts = {"accepted": 0, "duplicates": 0, "rejected": 0}
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if raw.strip(b" \t\r") == b"":
            continue
        ev, reason = parse_line(raw)
        if ev is None:
            counts["rejected"] += 1
            if rejections is not None:
                rejections.append((lineno, reason))
            continue
        if ev.id in seen:
            counts["duplicates"] += 1
            continue
        seen.add(ev.id)
        accepted.append(ev)
        counts["accepted"] += 1
    return accepted, counts


# ---------------------------------------------------------------------------------------------
# Clocks (exact elapsed time, no early stop: repair lateness needs the exact figure)
# ---------------------------------------------------------------------------------------------

class Clock:
    def __init__(self, calendar, start):
        self.calendar = calendar
        self.state = "running"
        self.since = start
        self.acc = 0
        self.stopped_at = None

    def pause(self, t):
        if self.state == "running":
            self.acc += business_seconds(self.calendar, self.since, t)
            self.state = "paused"

    def resume(self, t):
        if self.state == "paused":
            self.state = "running"
            self.since = t

    def stop(self, t):
        if self.state == "running":
            self.acc += business_seconds(self.calendar, self.since, t)
        if self.state in ("running", "paused"):
            self.state = "stopped"
            self.stopped_at = t

    def restart(self, t):
        if self.state == "stopped":
            self.state = "running"
            self.since = t
            self.stopped_at = None

    def elapsed(self, as_of):
        if self.state == "running":
            return self.acc + business_seconds(self.calendar, self.since, as_of)
        return self.acc

    def judged_at(self, as_of):
        """The instant whose priority judges the clock (P1): its last stop, or as_of."""
        return self.stopped_at if self.state == "stopped" else as_of


def outcome(stopped, elapsed, deadline):
    if elapsed > deadline:
        return BREACHED
    return MET if stopped else PENDING


# ---------------------------------------------------------------------------------------------
# Subjects
# ---------------------------------------------------------------------------------------------

TICKET_KINDS = {"ticket.opened", "ticket.acknowledged", "ticket.paused", "ticket.resumed",
                "ticket.resolved", "ticket.closed", "ticket.reopened", "ticket.reprioritized"}
ALERT_KINDS = {"alert.raised", "alert.reported"}
PLAN_KINDS = {"plan.scheduled", "plan.completed"}
OUTAGE_KINDS = {"outage.started", "outage.ended"}
WINDOW_KINDS = {"maintenance.scheduled"}
PER_EVENT_KINDS = ("security.incident", "survey.rated", "notice.issued", "commendation.received")


def _group(events, kinds):
    groups = {}
    for e in events:
        if e.kind in kinds:
            groups.setdefault(e.subject, []).append(e)
    for evs in groups.values():
        evs.sort(key=lambda e: e.key)
    return groups


def _after_anchor(evs, anchor_kind):
    """(anchor, events ordered after it) or (None, [])."""
    for i, e in enumerate(evs):
        if e.kind == anchor_kind:
            return e, evs[i + 1:]
    return None, []


def priority_at(anchor, rest, t):
    """P1: priority of the last ticket.reprioritized (after the anchor in (at, id) order) with
    at <= t, else the anchor's."""
    prio = anchor.attrs["priority"]
    for e in rest:  # in (at, id) order
        if e.kind == "ticket.reprioritized" and e.at <= t:
            prio = e.attrs["priority"]
    return prio


def eval_ticket(evs, as_of):
    anchor, rest = _after_anchor(evs, "ticket.opened")
    if anchor is None:
        return None
    cal = CATALOG[anchor.product]
    resp = Clock(cal, anchor.at)
    rep = Clock(cal, anchor.at)
    resolved = False
    for e in rest:
        k, t = e.kind, e.at
        if k == "ticket.acknowledged":
            resp.stop(t)
        elif k == "ticket.resolved":
            resp.stop(t)
            rep.stop(t)
            resolved = True
        elif k == "ticket.closed":
            resolved = True
        elif k == "ticket.reopened":
            rep.restart(t)
            resolved = False
        elif k == "ticket.paused":
            resp.pause(t)
            rep.pause(t)
        elif k == "ticket.resumed":
            resp.resume(t)
            rep.resume(t)
    clocks = {}
    for name, c in (("response_timeliness", resp), ("repair_timeliness", rep)):
        clocks[name] = {
            "stopped": c.state == "stopped",
            "elapsed": c.elapsed(as_of),
            "priority": priority_at(anchor, rest, c.judged_at(as_of)),
        }
    return {"subject": anchor.subject, "anchor": anchor.at, "anchor_key": anchor.key,
            "product": anchor.product, "resolved": resolved, "clocks": clocks}


def eval_alert(evs, as_of):
    anchor, rest = _after_anchor(evs, "alert.raised")
    if anchor is None:
        return None
    clock = Clock("always", anchor.at)  # alerts always use `always`
    for e in rest:
        if e.kind == "alert.reported":
            clock.stop(e.at)
            break
    o = outcome(clock.state == "stopped", clock.elapsed(as_of), ALERT_DEADLINE)
    return {"subject": anchor.subject, "anchor": anchor.at, "anchor_key": anchor.key,
            "product": anchor.product, "outcome": o}


def eval_plan(evs, as_of):
    anchor, rest = _after_anchor(evs, "plan.scheduled")
    if anchor is None:
        return None
    due = anchor.due
    done = next((e for e in rest if e.kind == "plan.completed"), None)
    if done is not None:
        o = MET if done.at <= due else BREACHED
    else:
        o = BREACHED if as_of > due else PENDING
    # the plan belongs to the period of its due; waivers are ordered against the scheduling event
    return {"subject": anchor.subject, "anchor": due, "anchor_key": anchor.key,
            "product": anchor.product, "outcome": o}


def eval_outage(evs, as_of):
    anchor, rest = _after_anchor(evs, "outage.started")
    if anchor is None:
        return None
    end = next((e.at for e in rest if e.kind == "outage.ended"), as_of)
    return {"subject": anchor.subject, "anchor": anchor.at, "product": anchor.product,
            "severity": anchor.attrs["severity"], "start": anchor.at, "end": end}


def eval_window(evs):
    first = evs[0]  # the first maintenance.scheduled of the window counts
    start, end = parse_time(first.attrs["start"]), parse_time(first.attrs["end"])
    return {"subject": first.subject, "product": first.product, "start": start, "end": end,
            "announced": first.at <= start - ANNOUNCE_AHEAD}


def waivers(events):
    """{(indicator, subject): [waiver keys]} of every accepted waiver.granted (<= as_of)."""
    w = {}
    for e in events:
        if e.kind == "waiver.granted":
            w.setdefault((e.attrs["indicator"], e.subject), []).append(e.key)
    return w


def is_waived(W, indicator, subject):
    """P2: a waiver for this indicator and subject, not ordered before its anchor event."""
    return any(k > subject["anchor_key"] for k in W.get((indicator, subject["subject"]), ()))


def build_subjects(events, as_of):
    def family(kinds, f):
        return [r for evs in _group(events, kinds).values() if (r := f(evs, as_of))]

    return {
        "tickets": family(TICKET_KINDS, eval_ticket),
        "alerts": family(ALERT_KINDS, eval_alert),
        "plans": family(PLAN_KINDS, eval_plan),
        "outages": family(OUTAGE_KINDS, eval_outage),
        "windows": [eval_window(evs) for evs in _group(events, WINDOW_KINDS).values()],
        "waivers": waivers(events),
        "per_event": {k: [e for e in events if e.kind == k] for k in PER_EVENT_KINDS},
        "events": events,
    }


def default_period(S, as_of):
    """The month holding the most anchors (ties: the earliest), else the month of as_of."""
    c = Counter()
    for name in ("tickets", "alerts", "plans", "outages"):
        for r in S[name]:
            c[month_of(r["anchor"])] += 1
    for evs in S["per_event"].values():
        for e in evs:
            c[month_of(e.at)] += 1
    if not c:
        return month_of(as_of)
    best = max(c.values())
    return min(m for m, n in c.items() if n == best)


# ---------------------------------------------------------------------------------------------
# Availability (P3)
# ---------------------------------------------------------------------------------------------

def union(intervals):
    """Sorted disjoint union of [a, b) intervals (empty ones dropped)."""
    out = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [tuple(i) for i in out]


def measure(intervals):
    return sum(b - a for a, b in intervals)


def subtract(us, ws):
    """Length of (union us) minus (union ws); both sorted disjoint lists."""
    total = measure(us)
    for a, b in us:
        for c, d in ws:
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                total -= hi - lo
    return total


def downtime(S, product, start, end, as_of):
    """Seconds of downtime of one product in [start, end) as of as_of (P3)."""
    hi_clip = min(end, as_of)
    clipped = [(max(o["start"], start), min(o["end"], hi_clip))
               for o in S["outages"] if o["product"] == product]
    us = union(clipped)
    ws = union([(w["start"], w["end"]) for w in S["windows"]
                if w["product"] == product and w["announced"] and w["end"] > w["start"]])
    return subtract(us, ws)


def products_in_scope(patterns):
    return [p for p in CATALOG if in_scope(p, patterns)]


def availability(S, patterns, start, end, as_of):
    prods = products_in_scope(patterns)
    down = sum(downtime(S, p, start, end, as_of) for p in prods)
    return 1 - Fraction(down, len(prods) * (end - start))


# ---------------------------------------------------------------------------------------------
# Points
# ---------------------------------------------------------------------------------------------

def in_scope(product, patterns):
    return patterns is None or any(product.startswith(p) for p in patterns)


def started_steps(target, v, step):
    """P4: ceil((target - v) / step) when v < target, else 0."""
    if v < target:
        return math.ceil((target - v) / step)
    return 0


def capped(points, cap):
    """A signed cap: at most `cap` in magnitude, with the sign of the cap."""
    return max(points, cap) if cap < 0 else min(points, cap)


def payment_share(s):
    if s >= 90:
        return Fraction(1)
    if s >= 80:
        return 1 - (90 - s) / 100
    if s >= 35:
        return Fraction(9, 10) - 2 * (80 - s) / 100
    return Fraction(0)


def clamp_score(total_points):
    return round_half_up(min(Fraction(100), max(Fraction(0), 100 + total_points)), 2)


H = Fraction(1, 2)


def assess_period(S, period, as_of, assessment):
    """One assessment in one period: (party score, levels, indicator items, fee due)."""
    assessor, assessee, patterns, fee, is_sub = assessment
    start, end = month_bounds(period)
    amend = amended(period)
    resp_table = RESPONSE_DEADLINE_AMENDED if amend else RESPONSE_DEADLINE
    deadlines = {"response_timeliness": resp_table, "repair_timeliness": REPAIR_DEADLINE}
    W = S["waivers"]

    def per(items):
        return [r for r in items if start <= r["anchor"] < end and in_scope(r["product"], patterns)]

    def per_event(kind):
        return [e for e in S["per_event"][kind]
                if start <= e.at < end and in_scope(e.product, patterns)]

    results = {}  # id -> (value Fraction or None, points Fraction, counts or None)

    tickets = per(S["tickets"])
    for name in ("response_timeliness", "repair_timeliness"):
        c = {MET: 0, BREACHED: 0, PENDING: 0, WAIVED: 0}
        lateness_points = []
        for t in tickets:
            if is_waived(W, name, t):
                c[WAIVED] += 1
                continue
            ck = t["clocks"][name]
            deadline = deadlines[name][ck["priority"]]
            o = outcome(ck["stopped"], ck["elapsed"], deadline)
            c[o] += 1
            if o == BREACHED and name == "repair_timeliness":
                late = ck["elapsed"] - deadline
                lateness_points.append(capped(-H * math.ceil(Fraction(late, 3600)), Fraction(-3)))
        den = c[MET] + c[BREACHED]
        value = None if den == 0 else Fraction(c[MET], den)
        if name == "response_timeliness":
            pts = capped((-2 if is_sub else -1) * c[BREACHED], -10)
        else:
            pts = capped(sum(lateness_points, Fraction(0)), Fraction(-15))
        results[name] = (value, Fraction(pts), c)

    for name, family, per_breach, cap in (("anomaly_report_timeliness", "alerts", -H, -5),
                                          ("maintenance_on_time", "plans", -1, -5)):
        c = {MET: 0, BREACHED: 0, PENDING: 0, WAIVED: 0}
        for r in per(S[family]):
            if is_waived(W, name, r):
                c[WAIVED] += 1
            else:
                c[r["outcome"]] += 1
        den = c[MET] + c[BREACHED]
        value = None if den == 0 else Fraction(c[MET], den)
        results[name] = (value, Fraction(capped(per_breach * c[BREACHED], cap)), c)

    # #5 problem resolution (waivers do not apply)
    if tickets:
        v = round_half_up(Fraction(sum(1 for t in tickets if t["resolved"]), len(tickets)), 4)
        pts = capped(-started_steps(Fraction("0.95"), v, Fraction("0.01")), -10)
        results["problem_resolution_rate"] = (v, Fraction(pts), None)
    else:
        results["problem_resolution_rate"] = (None, Fraction(0), None)

    # #6 availability
    target = AVAILABILITY_TARGET_AMENDED if amend else AVAILABILITY_TARGET
    v = round_half_up(availability(S, patterns, start, end, as_of), 4)
    results["availability"] = (v, Fraction(capped(-2 * started_steps(target, v, Fraction("0.001")), -20)), None)

    # #7 major outages anchored in the period
    n = sum(1 for o in per(S["outages"]) if o["severity"] == "major")
    results["major_outages"] = (Fraction(n), Fraction(-5 * n), None)

    n = len(per_event("security.incident"))
    results["security_incidents"] = (Fraction(n), Fraction(capped(-5 * n, -20)), None)

    ratings = [e.attrs["rating"] for e in per_event("survey.rated")]
    if ratings:
        v = round_half_up(Fraction(sum(ratings), len(ratings)), 4)
        pts = -6 if v < 4 else (-3 if v < Fraction("4.5") else 0)
        results["satisfaction"] = (v, Fraction(pts), None)
    else:
        results["satisfaction"] = (None, Fraction(0), None)

    n = len(per_event("notice.issued"))
    results["notices"] = (Fraction(n), Fraction(-5 * n), None)

    n = len(per_event("commendation.received"))
    results["commendations"] = (Fraction(n), Fraction(capped(2 * n, 5)), None)

    items = []
    level_points = {lv: Fraction(0) for lv in LEVELS}
    total = Fraction(0)
    for name, level in INDICATORS:
        value, pts, counts = results[name]
        v = None if value is None else round_half_up(value, 4)
        p = round_half_up(pts, 2)
        total += p
        level_points[level] += p
        item = {"id": name, "value": fmt(v, 4), "points": fmt(p, 2)}
        if counts is not None:
            item.update({k: counts[k] for k in (MET, BREACHED, PENDING, WAIVED)})
        items.append(item)
    party = clamp_score(total)
    levels = {lv: clamp_score(level_points[lv]) for lv in LEVELS}
    fee_due = round_half_up(fee * payment_share(party), 2)
    return party, levels, items, fee_due


def previous(period):
    y, m = period
    return (y - 1, 12) if m == 1 else (y, m - 1)


def has_event_in_scope(S, period, as_of, patterns):
    """P6: an accepted event (at or before as_of) in the period whose product is in scope."""
    start, end = month_bounds(period)
    return any(start <= e.at < end and in_scope(e.product, patterns) for e in S["events"])


def assess(S, period, as_of, assessment):
    assessor, assessee, patterns, fee, is_sub = assessment
    party, levels, items, fee_due = assess_period(S, period, as_of, assessment)
    flags = []
    if party < 60:
        before = previous(period)
        if has_event_in_scope(S, before, as_of, patterns):
            party_before = assess_period(S, before, as_of, assessment)[0]
            if party_before < 60:
                flags.append("termination_right")
    return {
        "assessor": assessor, "assessee": assessee,
        "score": fmt(party, 2), "fee_due": fmt(fee_due, 2),
        "levels": {lv: fmt(levels[lv], 2) for lv in LEVELS},
        "flags": flags,
        "indicators": items,
    }


def scorecard(path, period=None, as_of=None, rejections=None):
    """period: (year, month) or None; as_of: UNIX seconds or None."""
    events, counts = read_events(path, rejections)
    if as_of is None:
        if not events:
            raise SystemExit("points_oracle: no accepted events, --as-of is required")
        as_of = max(e.at for e in events)
    events = [e for e in events if e.at <= as_of]
    S = build_subjects(events, as_of)
    if period is None:
        period = default_period(S, as_of)
    return {
        "period": "%04d-%02d" % tuple(period),
        "as_of": format_as_of(as_of),
        "events": counts,
        "assessments": [assess(S, tuple(period), as_of, a) for a in ASSESSMENTS],
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description="Reference scorecard for the points-2026 contract.")
    ap.add_argument("events", help="JSON Lines event file")
    ap.add_argument("--period", help="assessment month YYYY-MM (Asia/Shanghai)")
    ap.add_argument("--as-of", dest="as_of", help="evaluation instant, RFC 3339 with offset")
    ap.add_argument("--rejected", action="store_true",
                    help="also list rejected lines (line number and reason) on stderr")
    args = ap.parse_args(argv)
    period = None
    if args.period is not None:
        m = re.fullmatch(r"([0-9]{4})-(0[1-9]|1[0-2])", args.period)
        if not m:
            ap.error("--period must be YYYY-MM")
        period = (int(m.group(1)), int(m.group(2)))
    as_of = None
    if args.as_of is not None:
        as_of = parse_time(args.as_of)
        if as_of is None:
            ap.error("--as-of must be strict RFC 3339 with seconds and an offset")
    rejections = [] if args.rejected else None
    card = scorecard(args.events, period, as_of, rejections)
    json.dump(card, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    if rejections:
        for lineno, reason in rejections:
            sys.stderr.write("line %d: rejected: %s\n" % (lineno, reason))


if __name__ == "__main__":
    main()
