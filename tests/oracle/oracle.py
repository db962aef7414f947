#!/usr/bin/env python3
"""Independent reference implementation ("oracle") of the egov-2026 scorecard.

Written from docs REFERENCE-CONTRACT.md alone, in plain Python 3.11 standard library, so that
it shares no code and no data structures with the Rust evaluator. Correctness over speed.

Usage:
    python3 tests/oracle/oracle.py EVENTS.jsonl [--period YYYY-MM] [--as-of RFC3339]

Prints the scorecard JSON on stdout. See tests/oracle/README.md for every interpretation made.
"""

import argparse
import json
import re
import sys
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# ---------------------------------------------------------------------------------------------
# Contract data (REFERENCE-CONTRACT.md)
# ---------------------------------------------------------------------------------------------

CATALOG = {
    "infra.servers": "always",
    "infra.storage": "always",
    "infra.datacenter": "always",
    "app.om_mgmt.desk": "office",
    "app.business_support.oa": "office",
    "app.system_assurance.db": "office",
    "app.app_support.portal": "office",
    "app.security_ops.waf": "office",
    "app.endpoint.desktop": "office",
    "content.portal_info": "office",
    "network.egov_wan": "always",
    "network.internet": "always",
    "security.mgmt": "always",
}

# (assessor, assessee, covered product prefixes or None for everything, monthly fee, is_sub)
ASSESSMENTS = [
    ("bureau", "prime", None, Fraction(1200000), False),
    ("prime", "netco", ("network.",), Fraction(200000), True),
    ("prime", "secco", ("security.", "app.security_ops."), Fraction(150000), True),
    ("prime", "appco", ("app.business_support.", "app.system_assurance.",
                        "app.app_support.", "app.endpoint."), Fraction(300000), True),
]


def _days(y, m, d1, d2):
    return {date(y, m, d) for d in range(d1, d2 + 1)}


HOLIDAYS = set()
for _r in [(1, 1, 3), (2, 15, 23), (4, 4, 6), (5, 1, 5), (6, 19, 21), (9, 25, 27), (10, 1, 7)]:
    HOLIDAYS |= _days(2026, *_r)
MAKEUP_DAYS = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
               date(2026, 9, 20), date(2026, 10, 10)}
OFFICE_HOURS = ((9, 0, 12, 0), (13, 30, 17, 30))

PRIORITIES = ("P1", "P2", "P3", "P4")
RESPONSE_DEADLINE = {"P1": 15 * 60, "P2": 30 * 60, "P3": 2 * 3600, "P4": 4 * 3600}
REPAIR_DEADLINE = {"P1": 4 * 3600, "P2": 8 * 3600, "P3": 24 * 3600, "P4": 72 * 3600}
ALERT_DEADLINE = 15 * 60

MET, BREACHED, PENDING = "met", "breached", "pending"

# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------

RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})")


def parse_time(s):
    """Strict RFC 3339 -> integer UNIX seconds (fraction truncated), or None when invalid."""
    if type(s) is not str:
        return None
    m = RFC3339.fullmatch(s)
    if m is None:
        return None
    y, mo, d, h, mi, se = (int(g) for g in m.groups()[:6])
    try:
        day = date(y, mo, d)
    except ValueError:
        return None
    if h > 23 or mi > 59 or se > 59:
        return None
    off = m.group(8)
    if off == "Z":
        offset = 0
    else:
        oh, om = int(off[1:3]), int(off[4:6])
        if oh > 23 or om > 59:
            return None
        offset = (oh * 3600 + om * 60) * (1 if off[0] == "+" else -1)
    return (day.toordinal() - EPOCH_ORDINAL) * 86400 + h * 3600 + mi * 60 + se - offset


def _civil_fixed8(t):
    """(year, month, day) at a fixed +08:00, for instants zoneinfo cannot represent."""
    z = (t + 8 * 3600) // 86400 + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (1 if m <= 2 else 0), m, d)


def local_ymd(t):
    """Local (Asia/Shanghai) calendar date of instant t as (y, m, d)."""
    try:
        dt = datetime.fromtimestamp(t, TZ)
        return (dt.year, dt.month, dt.day)
    except (OverflowError, OSError, ValueError):
        return _civil_fixed8(t)


def local_epoch(y, m, d, hh=0, mm=0):
    """Instant of local wall time y-m-d hh:mm in Asia/Shanghai."""
    try:
        return int(datetime(y, m, d, hh, mm, tzinfo=TZ).timestamp())
    except (OverflowError, OSError, ValueError):
        # outside datetime's range: fixed +08:00, proleptic Gregorian
        y2, m2 = (y - 1, m + 12) if m <= 2 else (y, m)
        era = y2 // 400
        yoe = y2 - era * 400
        doy = (153 * (m2 - 3) + 2) // 5 + d - 1
        doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
        days = era * 146097 + doe - 719468
        return days * 86400 + hh * 3600 + mm * 60 - 8 * 3600


def month_of(t):
    y, m, _ = local_ymd(t)
    return (y, m)


def month_bounds(ym):
    y, m = ym
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    return local_epoch(y, m, 1), local_epoch(ny, nm, 1)


def format_as_of(t):
    """RFC 3339 at a fixed +08:00."""
    s = t + 8 * 3600
    days, rem = divmod(s, 86400)
    y, m, d = _civil_fixed8(days * 86400 - 8 * 3600)
    return "%04d-%02d-%02dT%02d:%02d:%02d+08:00" % (y, m, d, rem // 3600, rem % 3600 // 60, rem % 60)


# ---------------------------------------------------------------------------------------------
# Business time
# ---------------------------------------------------------------------------------------------

_window_cache = {}


def office_windows(ordinal):
    """Working intervals [start, end) (UNIX seconds) of the local date with this ordinal."""
    w = _window_cache.get(ordinal)
    if w is not None:
        return w
    try:
        d = date.fromordinal(ordinal)
    except (OverflowError, ValueError):
        return ()
    working = (d.weekday() < 5 and d not in HOLIDAYS) or d in MAKEUP_DAYS
    if working:
        w = tuple((local_epoch(d.year, d.month, d.day, h1, m1), local_epoch(d.year, d.month, d.day, h2, m2))
                  for (h1, m1, h2, m2) in OFFICE_HOURS)
    else:
        w = ()
    _window_cache[ordinal] = w
    return w


def business_seconds(calendar, a, b, limit=None):
    """Seconds of [a, b) inside the calendar. With `limit`, may stop early once the total
    exceeds `limit` (the returned total is then still > limit, but not exact)."""
    if b <= a:
        return 0
    if calendar == "always":
        return b - a
    ya, ma, da = local_ymd(a)
    yb, mb, db = local_ymd(b)
    try:
        o1 = date(ya, ma, da).toordinal()
        o2 = date(yb, mb, db).toordinal()
    except ValueError:
        return 0
    total = 0
    for o in range(o1, o2 + 1):
        for s, e in office_windows(o):
            lo = s if s > a else a
            hi = e if e < b else b
            if hi > lo:
                total += hi - lo
        if limit is not None and total > limit:
            return total
    return total


class Clock:
    """A clock: running / paused / stopped; `acc` = counted seconds so far."""

    def __init__(self, calendar, start, limit):
        self.calendar = calendar
        self.limit = limit
        self.state = "running"
        self.since = start
        self.acc = 0

    def _count(self, t):
        self.acc += business_seconds(self.calendar, self.since, t, self.limit)

    def pause(self, t):
        if self.state == "running":
            self._count(t)
            self.state = "paused"

    def resume(self, t):
        if self.state == "paused":
            self.state = "running"
            self.since = t

    def stop(self, t):
        if self.state == "running":
            self._count(t)
            self.state = "stopped"
        elif self.state == "paused":
            self.state = "stopped"

    def restart(self, t):
        if self.state == "stopped":
            self.state = "running"
            self.since = t

    def outcome(self, as_of):
        if self.state == "stopped":
            return MET if self.acc <= self.limit else BREACHED
        elapsed = self.acc
        if self.state == "running":
            elapsed += business_seconds(self.calendar, self.since, as_of, self.limit)
        return BREACHED if elapsed > self.limit else PENDING


# ---------------------------------------------------------------------------------------------
# Reading events
# ---------------------------------------------------------------------------------------------

class Event:
    __slots__ = ("id", "key", "at", "kind", "subject", "product", "attrs", "due", "latency", "ok")

    def __init__(self, obj, at):
        self.id = obj["id"]
        self.at = at
        self.key = (at, self.id.encode("utf-8"))  # per-subject order: (at, id byte-wise)
        self.kind = obj["kind"]
        self.subject = obj["subject"]
        self.product = obj["product"]
        self.attrs = obj.get("attrs", {})
        self.due = None
        self.latency = None
        self.ok = None


def _reject_constant(name):
    raise ValueError("non-finite number literal " + name)


def _has_surrogate(x):
    if type(x) is str:
        try:
            x.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if type(x) is dict:
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in x.items())
    if type(x) is list:
        return any(_has_surrogate(v) for v in x)
    return False


def _is_number(x):
    return type(x) is int or type(x) is Decimal  # bool is excluded (type(True) is bool)


def parse_line(raw):
    """Returns (Event, None) or (None, reason)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8"
    try:
        obj = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None, "not JSON"
    if "\\u" in text and _has_surrogate(obj):
        return None, "not JSON (lone surrogate escape)"
    if type(obj) is not dict:
        return None, "not an object"
    for k in ("id", "kind", "subject"):
        v = obj.get(k)
        if type(v) is not str or v == "":
            return None, "%s missing, empty or not a string" % k
    at = parse_time(obj.get("at"))
    if at is None:
        return None, "at is not strict RFC 3339"
    product = obj.get("product")
    if type(product) is not str or product not in CATALOG:
        return None, "unknown product"
    if "attrs" in obj and type(obj["attrs"]) is not dict:
        return None, "attrs is not an object"
    ev = Event(obj, at)
    a = ev.attrs
    kind = ev.kind
    if kind == "ticket.opened":
        if a.get("priority") not in PRIORITIES or type(a.get("priority")) is not str:
            return None, "ticket.opened: priority missing or not P1-P4"
    elif kind in ("plan.scheduled", "security.report_due"):
        due = parse_time(a.get("due"))
        if due is None:
            return None, kind + ": due missing or not strict RFC 3339"
        ev.due = due
    elif kind == "search.request":
        if type(a.get("ok")) is not bool:
            return None, "search.request: ok missing or not a boolean"
        if not _is_number(a.get("latency_ms")):
            return None, "search.request: latency_ms missing or not a number"
        ev.ok = a["ok"]
        ev.latency = Fraction(a["latency_ms"])
    elif kind == "net.probe":
        if not _is_number(a.get("latency_ms")):
            return None, "net.probe: latency_ms missing or not a number"
        ev.latency = Fraction(a["latency_ms"])
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
# Subjects
# ---------------------------------------------------------------------------------------------

TICKET_KINDS = {"ticket.opened", "ticket.acknowledged", "ticket.paused", "ticket.resumed",
                "ticket.resolved", "ticket.closed", "ticket.reopened"}
ALERT_KINDS = {"alert.raised", "alert.reported"}
PLAN_KINDS = {"plan.scheduled", "plan.completed"}
REPORT_KINDS = {"security.report_due", "security.report_submitted"}


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


def eval_ticket(evs, as_of):
    anchor, rest = _after_anchor(evs, "ticket.opened")
    if anchor is None:
        return None
    cal = CATALOG[anchor.product]
    prio = anchor.attrs["priority"]
    resp = Clock(cal, anchor.at, RESPONSE_DEADLINE[prio])
    rep = Clock(cal, anchor.at, REPAIR_DEADLINE[prio])
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
    src = anchor.attrs.get("source")
    return {
        "subject": anchor.subject, "anchor": anchor.at, "product": anchor.product,
        "proactive": type(src) is str and src in ("monitoring", "inspection"),
        "resolved": resolved,
        "response": resp.outcome(as_of), "repair": rep.outcome(as_of),
    }


def eval_alert(evs, as_of):
    anchor, rest = _after_anchor(evs, "alert.raised")
    if anchor is None:
        return None
    clock = Clock("always", anchor.at, ALERT_DEADLINE)  # alerts always use `always`
    for e in rest:
        if e.kind == "alert.reported":
            clock.stop(e.at)
            break
    return {"subject": anchor.subject, "anchor": anchor.at, "product": anchor.product,
            "outcome": clock.outcome(as_of)}


def eval_due(evs, as_of, start_kind, done_kind):
    anchor, rest = _after_anchor(evs, start_kind)
    if anchor is None:
        return None
    due = anchor.due
    done = next((e for e in rest if e.kind == done_kind), None)
    if done is not None:
        outcome = MET if done.at <= due else BREACHED
    else:
        outcome = BREACHED if as_of > due else PENDING
    return {"subject": anchor.subject, "anchor": due, "product": anchor.product, "outcome": outcome}


def build_subjects(events, as_of):
    tickets = [r for evs in _group(events, TICKET_KINDS).values() if (r := eval_ticket(evs, as_of))]
    alerts = [r for evs in _group(events, ALERT_KINDS).values() if (r := eval_alert(evs, as_of))]
    plans = [r for evs in _group(events, PLAN_KINDS).values()
             if (r := eval_due(evs, as_of, "plan.scheduled", "plan.completed"))]
    reports = [r for evs in _group(events, REPORT_KINDS).values()
               if (r := eval_due(evs, as_of, "security.report_due", "security.report_submitted"))]
    searches = [e for e in events if e.kind == "search.request"]
    probes = [e for e in events if e.kind == "net.probe"]
    incidents = [e for e in events if e.kind == "security.incident"]
    scans = [e for e in events if e.kind == "scan.completed"]
    assets = {}
    for e in sorted((e for e in events if e.kind == "asset.registered"), key=lambda e: e.key):
        assets.setdefault(e.subject, e)  # first registration per subject
    return {"tickets": tickets, "alerts": alerts, "plans": plans, "reports": reports,
            "searches": searches, "probes": probes, "incidents": incidents,
            "scans": scans, "assets": assets}


def default_period(S, as_of):
    c = Counter()
    for name in ("tickets", "alerts", "plans", "reports"):
        for r in S[name]:
            c[month_of(r["anchor"])] += 1
    for name in ("searches", "probes", "incidents", "scans"):
        for e in S[name]:
            c[month_of(e.at)] += 1
    if not c:
        return month_of(as_of)
    best = max(c.values())
    return min(m for m, n in c.items() if n == best)


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------

def round_half_up(x, places):
    """Fraction -> Fraction rounded to `places` decimals, half away from zero."""
    scale = 10 ** places
    n = abs(x) * scale
    q, r = divmod(n.numerator, n.denominator)
    if 2 * r >= n.denominator:
        q += 1
    return Fraction(q if x >= 0 else -q, scale)


def fmt(x, places):
    if x is None:
        return None
    scale = 10 ** places
    n = x * scale
    assert n.denominator == 1
    n = n.numerator
    sign = "-" if n < 0 else ""
    n = abs(n)
    return "%s%d.%0*d" % (sign, n // scale, places, n % scale)


def linear(x0, x1):
    """x0 -> 0, x1 -> 100, clamped to [0, 100]."""
    x0, x1 = Fraction(x0), Fraction(x1)

    def f(v):
        s = (v - x0) / (x1 - x0) * 100
        return min(Fraction(100), max(Fraction(0), s))
    return f


def score_report(v):
    if v == 1:
        return Fraction(100)
    if v >= Fraction("0.90"):
        return Fraction(60)
    return Fraction(0)


def score_incidents(v):
    return max(Fraction(0), 100 - 25 * v)


# (id, level, weight, scorer, has clock counts)
INDICATORS = [
    ("anomaly_report_timeliness", "role", 10, linear("0.90", "0.98"), True),
    ("maintenance_on_time", "process", 10, linear("0.80", "0.95"), True),
    ("hazard_discovery_rate", "system", 5, linear("0.30", "0.60"), False),
    ("problem_resolution_rate", "process", 10, linear("0.80", "0.95"), False),
    ("response_timeliness", "process", 15, linear("0.80", "0.95"), True),
    ("repair_timeliness", "process", 15, linear("0.70", "0.90"), True),
    ("search_success_rate", "system", 5, linear("0.95", "0.99"), False),
    ("content_response_timeliness", "system", 5, linear("0.85", "0.95"), False),
    ("network_mean_response", "system", 10, linear("200", "50"), False),
    ("vuln_scan_coverage", "system", 5, linear("0.80", "0.95"), False),
    ("security_report_timeliness", "role", 5, score_report, True),
    ("security_incidents", "system", 5, score_incidents, False),
]
SUB_RESPONSE_SCORER = linear("0.85", "0.97")


def in_scope(product, patterns):
    return patterns is None or any(product.startswith(p) for p in patterns)


def _ratio(num, den):
    return None if den == 0 else Fraction(num, den)


def _outcomes(items, key):
    c = Counter(r[key] for r in items)
    return {MET: c[MET], BREACHED: c[BREACHED], PENDING: c[PENDING]}


def raw_values(S, patterns, start, end, as_of):
    """Unrounded value (Fraction or None) and clock counts of each indicator for one scope."""
    def per(items):
        return [r for r in items if start <= r["anchor"] < end and in_scope(r["product"], patterns)]

    def per_event(evs):
        return [e for e in evs if start <= e.at < end and in_scope(e.product, patterns)]

    out = {}
    # the items each indicator measured (clocks, pending ones too; denominators; counted
    # events; samples): an assessment that measured nothing has no evidence
    measured = []

    def clock_ind(name, items, key):
        c = _outcomes(items, key)
        out[name] = (_ratio(c[MET], c[MET] + c[BREACHED]), c)
        measured.append(len(items))

    clock_ind("anomaly_report_timeliness", per(S["alerts"]), "outcome")
    clock_ind("maintenance_on_time", per(S["plans"]), "outcome")
    tickets = per(S["tickets"])
    out["hazard_discovery_rate"] = (_ratio(sum(1 for t in tickets if t["proactive"]), len(tickets)), None)
    out["problem_resolution_rate"] = (_ratio(sum(1 for t in tickets if t["resolved"]), len(tickets)), None)
    measured.append(2 * len(tickets))
    clock_ind("response_timeliness", tickets, "response")
    clock_ind("repair_timeliness", tickets, "repair")
    searches = per_event(S["searches"])
    out["search_success_rate"] = (_ratio(sum(1 for e in searches if e.ok), len(searches)), None)
    out["content_response_timeliness"] = (
        _ratio(sum(1 for e in searches if e.latency <= 2000), len(searches)), None)
    probes = per_event(S["probes"])
    measured.append(2 * len(searches) + len(probes))
    out["network_mean_response"] = (
        None if not probes else sum((e.latency for e in probes), Fraction(0)) / len(probes), None)
    inventory = {s for s, e in S["assets"].items() if e.at < end and in_scope(e.product, patterns)}
    scanned = {e.subject for e in S["scans"] if start <= e.at < end} & inventory
    out["vuln_scan_coverage"] = (_ratio(len(scanned), len(inventory)), None)
    measured.append(len(inventory))
    clock_ind("security_report_timeliness", per(S["reports"]), "outcome")
    out["security_incidents"] = (Fraction(len(per_event(S["incidents"]))), None)
    measured.append(len(per_event(S["incidents"])))
    return out, sum(measured)


def payment_share(s):
    if s >= 90:
        return Fraction(1)
    if s >= 60:
        return 1 - (90 - s) / 100
    return Fraction(1, 2)


def assess(S, period, as_of, assessor, assessee, patterns, fee, is_sub):
    start, end = month_bounds(period)
    raw, evidence = raw_values(S, patterns, start, end, as_of)
    indicators = []
    levels = {"system": [], "process": [], "role": []}
    allw = []
    for name, level, weight, scorer, has_counts in INDICATORS:
        if is_sub and name == "response_timeliness":
            scorer = SUB_RESPONSE_SCORER
        value, counts = raw[name]
        if value is None:
            v = sc = None
        else:
            v = round_half_up(value, 4)
            sc = round_half_up(scorer(v), 2)
            levels[level].append((weight, sc))
            allw.append((weight, sc))
        item = {"id": name, "value": fmt(v, 4), "score": fmt(sc, 2)}
        if has_counts:
            item.update(counts)
        indicators.append(item)

    def rollup(ws):
        if not ws:
            return None
        return round_half_up(Fraction(sum(w * s for w, s in ws), sum(w for w, _ in ws)), 2)

    party = rollup(allw)
    fee_due = round_half_up(fee * payment_share(party), 2)
    if evidence == 0:
        # not assessed: no score, no fee due (a deliberate addition to the reference rules)
        return {
            "assessor": assessor, "assessee": assessee,
            "score": None, "fee_due": None,
            "levels": {k: None for k in ("system", "process", "role")},
            "indicators": indicators, "evidence": 0, "no_evidence": True,
        }
    return {
        "assessor": assessor, "assessee": assessee,
        "score": fmt(party, 2), "fee_due": fmt(fee_due, 2),
        "levels": {k: fmt(rollup(levels[k]), 2) for k in ("system", "process", "role")},
        "indicators": indicators, "evidence": evidence, "no_evidence": False,
    }


def scorecard(path, period=None, as_of=None, rejections=None):
    """period: (year, month) or None; as_of: UNIX seconds or None."""
    events, counts = read_events(path, rejections)
    if as_of is None:
        if not events:
            raise SystemExit("oracle: no accepted events, --as-of is required")
        as_of = max(e.at for e in events)
    events = [e for e in events if e.at <= as_of]
    S = build_subjects(events, as_of)
    if period is None:
        period = default_period(S, as_of)
    return {
        "period": "%04d-%02d" % period,
        "as_of": format_as_of(as_of),
        "events": counts,
        "assessments": [assess(S, period, as_of, *a) for a in ASSESSMENTS],
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description="Reference scorecard for the egov-2026 contract.")
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
