#!/usr/bin/env python3
"""The pandas baseline: the reference scorecard the way a competent analyst computes it.

    python benches/baseline_pandas.py EVENTS.jsonl [--period 2026-10] [--as-of T]
                                      [--repeat 3] [--no-time] [--json FILE]

What an analyst with pandas and numpy would write for the egov-2026 contract
(docs/reference-contract.md): read the JSON Lines file, validate every line with vectorised
checks (one column at a time), drop duplicate ids, then work per subject family on sorted
frames: anchors with group-wise cumulative counts, clock states with group-wise forward fills,
business time with numpy's business-day functions (`np.busday_count` / `np.is_busday` with the
statutory holidays, make-up days added back) plus intraday clipping to 09:00–12:00 and
13:30–17:30, and the per-month, per-product tallies with `groupby`. Exact integer tallies are
turned into values, scores and fees at the very end (integer rounding half away from zero,
printed as `Decimal`).

The script then:
  1. asserts that its scorecard equals `slagrade eval --format json` on the same file
     (period, as_of, event counts, and per assessment: score, fee due, level scores, and per
     indicator: value, score, met / breached / pending, numerator / denominator, samples);
  2. asserts that the Python package, given the same rows as a pandas DataFrame, agrees too;
  3. times, in this one run: the baseline from the file and from the DataFrame in memory;
     the `slagrade` command line on the file; the Python package on the file and on the
     DataFrame; and prints the ratios.

The command line is `$SLAGRADE_BIN`, else target/release/slagrade (built with cargo if
missing). The Python package must be importable (bindings/python/run-tests.sh builds it into
bindings/python/.venv).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "examples" / "egov-2026.sla"

# ------------------------------------------------------------------------------ the contract

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

# assessor, assessee, covered product prefixes (None: all), monthly fee, subcontractor
ASSESSMENTS = [
    ("bureau", "prime", None, Fraction(1200000), False),
    ("prime", "netco", ("network.",), Fraction(200000), True),
    ("prime", "secco", ("security.", "app.security_ops."), Fraction(150000), True),
    ("prime", "appco", ("app.business_support.", "app.system_assurance.", "app.app_support.",
                        "app.endpoint."), Fraction(300000), True),
]

# statutory holidays (inclusive ranges) and make-up working days, as in the contract's table
HOLIDAY_RANGES = [
    ("2024-01-01", "2024-01-01"), ("2024-02-10", "2024-02-17"), ("2024-04-04", "2024-04-06"),
    ("2024-05-01", "2024-05-05"), ("2024-06-10", "2024-06-10"), ("2024-09-15", "2024-09-17"),
    ("2024-10-01", "2024-10-07"),
    ("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
    ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08"),
    ("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
    ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
    ("2026-10-01", "2026-10-07"),
]
MAKEUP_DAYS = [
    "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
    "2024-09-29", "2024-10-12",
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
]
HOLIDAYS = np.concatenate([
    np.arange(np.datetime64(a), np.datetime64(b) + 1, dtype="datetime64[D]")
    for a, b in HOLIDAY_RANGES
])
MAKEUP = np.sort(np.array(MAKEUP_DAYS, dtype="datetime64[D]"))
WEEKMASK = "1111100"
UTC_OFFSET = 8 * 3600  # Asia/Shanghai, no daylight saving time since 1991
DAY = 86400
OFFICE = ((9 * 3600, 12 * 3600), (13 * 3600 + 1800, 17 * 3600 + 1800))
OFFICE_DAY = sum(b - a for a, b in OFFICE)

RESPONSE = {"P1": 15 * 60, "P2": 30 * 60, "P3": 2 * 3600, "P4": 4 * 3600}
REPAIR = {"P1": 4 * 3600, "P2": 8 * 3600, "P3": 24 * 3600, "P4": 72 * 3600}
ALERT_DEADLINE = 15 * 60

TICKET_KINDS = ["ticket.opened", "ticket.acknowledged", "ticket.paused", "ticket.resumed",
                "ticket.resolved", "ticket.closed", "ticket.reopened"]

RFC3339 = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"

# ------------------------------------------------------------------------------ reading


def _nonfinite(name: str) -> Any:
    raise ValueError(name)


def _has_surrogate(x: Any) -> bool:
    if isinstance(x, str):
        try:
            x.encode("utf-8")
            return False
        except UnicodeEncodeError:
            return True
    if isinstance(x, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in x.items())
    if isinstance(x, list):
        return any(_has_surrogate(v) for v in x)
    return False


def _loads(raw: bytes) -> Optional[dict]:
    """One line as a dict, or None when it is not UTF-8, not JSON or not an object."""
    try:
        v = json.loads(raw.decode("utf-8"), parse_constant=_nonfinite)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if type(v) is not dict or (b"\\u" in raw and _has_surrogate(v)):
        return None
    return v


def read_events(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, int]:
    """The file's JSON objects as a frame (one row per line, as written), and the number of
    non-blank lines that are not a JSON object (rejected outright)."""
    lines = [raw for raw in Path(path).read_bytes().split(b"\n") if raw.strip(b" \t\r")]
    objs = [_loads(raw) for raw in lines]
    records = [o for o in objs if o is not None]
    return pd.DataFrame(records), len(lines) - len(records)


# ------------------------------------------------------------------------------ validation


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([np.nan] * len(df), index=df.index, dtype=object)


def _is_type(s: pd.Series, *types: type) -> pd.Series:
    return s.map(type).isin(types)


def _nonempty_str(s: pd.Series) -> pd.Series:
    return _is_type(s, str) & (s.astype(object).where(_is_type(s, str), "").str.len() > 0)


def parse_instants(s: pd.Series) -> pd.Series:
    """Strict RFC 3339 strings to Unix seconds (fraction truncated); NaN where invalid."""
    text = s.astype(object).where(_is_type(s, str))
    strict = text.str.fullmatch(RFC3339).astype(object).eq(True)
    t = pd.to_datetime(text.where(strict), format="ISO8601", utc=True, errors="coerce")
    us = t.dt.tz_localize(None).dt.as_unit("us").to_numpy().astype(np.int64)
    secs = pd.Series(us // 1_000_000, index=s.index)
    offset_ok = text.where(strict).str[-6:].str.fullmatch(r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]")
    zulu = text.where(strict).str.endswith("Z")
    ok = t.notna() & (offset_ok.astype(object).eq(True) | zulu.astype(object).eq(True))
    return secs.where(ok).astype("float64")


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """The accepted rows (before duplicate removal), with parsed columns:
    `at` (int64 seconds), `priority`, `source`, `due`, `ok`, `latency_ms`."""
    n = len(df)
    if n == 0:
        return pd.DataFrame(columns=["id", "at", "kind", "subject", "product"])
    ok = _nonempty_str(_col(df, "id")) & _nonempty_str(_col(df, "kind")) & _nonempty_str(_col(df, "subject"))
    at = parse_instants(_col(df, "at"))
    ok &= at.notna()
    product = _col(df, "product")
    ok &= _is_type(product, str) & product.astype(object).where(_is_type(product, str)).isin(list(CATALOG))
    attrs = _col(df, "attrs")
    has_attrs = "attrs" in df.columns
    is_dict = _is_type(attrs, dict)
    # a key absent from a line reads as NaN (a float); JSON null is None: present, not an object
    absent = attrs.map(lambda v: type(v) is float and v != v) if has_attrs else pd.Series(True, index=df.index)
    ok &= is_dict | absent
    keys = ["priority", "source", "due", "ok", "latency_ms"]
    A = pd.DataFrame.from_records(attrs[is_dict].tolist(), columns=keys, index=attrs.index[is_dict])
    A = A.reindex(df.index).astype(object)
    kind = _col(df, "kind")
    need_prio = kind.eq("ticket.opened")
    ok &= ~need_prio | (_is_type(A["priority"], str) & A["priority"].isin(list(RESPONSE)))
    need_due = kind.isin(["plan.scheduled", "security.report_due"])
    due = pd.Series(np.nan, index=df.index)
    due[need_due] = parse_instants(A["due"][need_due])
    ok &= ~need_due | due.notna()
    is_search = kind.eq("search.request")
    is_probe = kind.eq("net.probe")
    number = _is_type(A["latency_ms"], int, float) & A["latency_ms"].notna()
    ok &= ~is_search | (_is_type(A["ok"], bool) & number)
    ok &= ~is_probe | number
    out = pd.DataFrame({
        "id": df["id"], "at": at, "kind": kind, "subject": _col(df, "subject"),
        "product": product, "priority": A["priority"], "source": A["source"], "due": due,
        "ok": A["ok"], "latency_ms": A["latency_ms"].where(is_search | is_probe),
    })[ok.to_numpy()]
    out["at"] = out["at"].astype("int64")
    for c in ("id", "kind", "subject", "product"):
        out[c] = out[c].astype(str)
    return out


# ------------------------------------------------------------------------------ business time


def office_seconds_upto(t: np.ndarray) -> np.ndarray:
    """Office-calendar working seconds from a fixed origin to each instant (Unix seconds):
    whole working days before the instant's local date, plus the part of its own day."""
    local = t + UTC_OFFSET
    day = local // DAY
    sod = local - day * DAY
    days = day.astype("datetime64[D]")
    whole = np.busday_count(np.datetime64("1970-01-01"), days, weekmask=WEEKMASK, holidays=HOLIDAYS)
    whole = whole + np.searchsorted(MAKEUP, days)  # make-up days are weekend days that count
    working = np.is_busday(days, weekmask=WEEKMASK, holidays=HOLIDAYS) | np.isin(days, MAKEUP)
    part = sum(np.clip(sod, a, b) - a for a, b in OFFICE)
    return whole.astype(np.int64) * OFFICE_DAY + np.where(working, part, 0)


def business_seconds(a: np.ndarray, b: np.ndarray, office: np.ndarray) -> np.ndarray:
    """Seconds of [a, b) in the calendar: 24×7, or office hours where `office` is set."""
    out = b - a
    if office.any():
        out = np.where(office, office_seconds_upto(b) - office_seconds_upto(a), out)
    return out


def month_of(t: pd.Series | np.ndarray) -> np.ndarray:
    """Local (Asia/Shanghai) month of Unix seconds, as datetime64[M]."""
    return (np.asarray(t, dtype=np.int64) + UTC_OFFSET).astype("datetime64[s]").astype("datetime64[M]")


def month_bounds(m: np.datetime64) -> tuple[int, int]:
    start = m.astype("datetime64[s]").astype(np.int64) - UTC_OFFSET
    end = (m + 1).astype("datetime64[s]").astype(np.int64) - UTC_OFFSET
    return int(start), int(end)


# ------------------------------------------------------------------------------ subjects


def _ordered(ev: pd.DataFrame, kinds: list[str], anchor_kind: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A family's events per subject in (at, id) order, from its first anchor event on;
    the group number of each row and the mask of the anchor rows."""
    f = ev[ev["kind"].isin(kinds)].sort_values(["subject", "at", "id"], kind="stable")
    opened = f["kind"].eq(anchor_kind)
    f = f[opened.groupby(f["subject"], sort=False).cumsum().to_numpy() > 0]
    subj = f["subject"].to_numpy()
    first = np.ones(len(f), dtype=bool)
    first[1:] = subj[1:] != subj[:-1]
    return f.reset_index(drop=True), np.cumsum(first) - 1, first


def _outcome(stopped: np.ndarray, elapsed: np.ndarray, limit: np.ndarray) -> np.ndarray:
    return np.where(stopped, np.where(elapsed <= limit, "met", "breached"),
                    np.where(elapsed > limit, "breached", "pending"))


def tickets(ev: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """One row per ticket: anchor month and product, response and repair outcomes,
    proactive (#3) and resolved at as_of (#4)."""
    T, g, first = _ordered(ev, TICKET_KINDS, "ticket.opened")
    if len(T) == 0:
        return pd.DataFrame(columns=["month", "product", "response", "repair", "proactive", "resolved"])
    kind = T["kind"].to_numpy()
    at = T["at"].to_numpy()
    last = np.append(first[1:], True)
    nxt = np.where(last, as_of, np.append(at[1:], as_of))
    office = T["product"].map(CATALOG).eq("office").to_numpy()
    anchor_office = office[first][g]  # a ticket's calendar is its anchor's
    bus = business_seconds(at, nxt, anchor_office)
    G = pd.Series(g)

    pause = pd.Series(np.where(kind == "ticket.paused", 1.0, np.where(kind == "ticket.resumed", 0.0, np.nan)))
    # response clock: stops at the first acknowledgement or resolve; paused after a pause
    resp_stop = pd.Series(np.isin(kind, ["ticket.acknowledged", "ticket.resolved"]))
    resp_stopped = resp_stop.groupby(g).cumsum().to_numpy() > 0
    paused = pause.groupby(g).ffill().fillna(0).to_numpy() == 1
    resp_elapsed = pd.Series(bus * (~resp_stopped & ~paused)).groupby(g).sum().to_numpy()
    # repair clock: a resolve stops it, a reopen of a stopped clock starts a new running phase
    rr = pd.Series(np.where(kind == "ticket.resolved", 1.0, np.where(kind == "ticket.reopened", 0.0, np.nan)))
    rep_stopped_s = rr.groupby(g).ffill().fillna(0).eq(1)
    prev_stopped = rep_stopped_s.groupby(g).shift(fill_value=False).to_numpy()
    phase = pd.Series((kind == "ticket.reopened") & prev_stopped).groupby(g).cumsum().to_numpy()
    rep_paused = pause.groupby([g, phase]).ffill().fillna(0).to_numpy() == 1
    rep_stopped = rep_stopped_s.to_numpy()
    rep_elapsed = pd.Series(bus * (~rep_stopped & ~rep_paused)).groupby(g).sum().to_numpy()
    # resolved at as_of: the last resolve / close / reopen is not a reopen
    rc = pd.Series(np.where(np.isin(kind, ["ticket.resolved", "ticket.closed"]), 1.0,
                            np.where(kind == "ticket.reopened", 0.0, np.nan)))
    resolved = rc.groupby(g).last().eq(1).to_numpy()

    A = T[first]
    prio = A["priority"]
    return pd.DataFrame({
        "month": month_of(A["at"]),
        "product": A["product"].to_numpy(),
        "response": _outcome(resp_stopped[last], resp_elapsed, prio.map(RESPONSE).to_numpy()),
        "repair": _outcome(rep_stopped[last], rep_elapsed, prio.map(REPAIR).to_numpy()),
        "proactive": A["source"].isin(["monitoring", "inspection"]).to_numpy(),
        "resolved": resolved,
    })


def alerts(ev: pd.DataFrame, as_of: int) -> pd.DataFrame:
    A, g, first = _ordered(ev, ["alert.raised", "alert.reported"], "alert.raised")
    anchors = A[first]
    raised = anchors["at"].to_numpy()
    rep = A[A["kind"].eq("alert.reported").to_numpy() & ~first]
    stop = rep.groupby(g[rep.index.to_numpy()])["at"].first().reindex(range(len(anchors)))
    stopped = stop.notna().to_numpy()
    elapsed = np.where(stopped, stop.fillna(0).to_numpy() - raised, as_of - raised)  # 24×7
    return pd.DataFrame({
        "month": month_of(raised),
        "product": anchors["product"].to_numpy(),
        "outcome": _outcome(stopped, elapsed, np.full(len(anchors), ALERT_DEADLINE)),
    })


def due_items(ev: pd.DataFrame, as_of: int, start: str, done: str) -> pd.DataFrame:
    D, g, first = _ordered(ev, [start, done], start)
    anchors = D[first]
    due = anchors["due"].astype("int64").to_numpy()
    comp = D[D["kind"].eq(done).to_numpy() & ~first]
    at = comp.groupby(g[comp.index.to_numpy()])["at"].first().reindex(range(len(anchors)))
    completed = at.notna().to_numpy()
    at = at.fillna(0).to_numpy()
    outcome = np.where(completed, np.where(at <= due, "met", "breached"),
                       np.where(as_of > due, "breached", "pending"))
    return pd.DataFrame({"month": month_of(due), "product": anchors["product"].to_numpy(),
                         "outcome": outcome})


def tallies(ev: pd.DataFrame, as_of: int) -> dict[str, pd.DataFrame]:
    """Per (month, product) tallies of every indicator's parts."""
    out: dict[str, pd.DataFrame] = {}

    def clock_counts(frame: pd.DataFrame, col: str) -> pd.DataFrame:
        c = pd.crosstab([frame["month"], frame["product"]], frame[col])
        return c.reindex(columns=["met", "breached", "pending"], fill_value=0)

    t = tickets(ev, as_of)
    out["tickets"] = t.groupby(["month", "product"]).agg(
        n=("proactive", "size"), proactive=("proactive", "sum"), resolved=("resolved", "sum"))
    out["response"] = clock_counts(t, "response")
    out["repair"] = clock_counts(t, "repair")
    out["alerts"] = clock_counts(alerts(ev, as_of), "outcome")
    out["plans"] = clock_counts(due_items(ev, as_of, "plan.scheduled", "plan.completed"), "outcome")
    out["reports"] = clock_counts(
        due_items(ev, as_of, "security.report_due", "security.report_submitted"), "outcome")

    s = ev[ev["kind"].eq("search.request")]
    lat = s["latency_ms"].astype("float64")
    out["searches"] = pd.DataFrame({
        "month": month_of(s["at"]), "product": s["product"].to_numpy(),
        "ok": s["ok"].astype(bool).to_numpy(), "fast": (lat <= 2000).to_numpy(),
    }).groupby(["month", "product"]).agg(n=("ok", "size"), ok=("ok", "sum"), fast=("fast", "sum"))

    p = ev[ev["kind"].eq("net.probe")]
    lat = p["latency_ms"].astype("float64").to_numpy()
    # exact mean: latencies carry at most 6 decimals, so sum them as integer micro-milliseconds
    micro = np.rint(lat * 1e6).astype(np.int64)
    if not np.array_equal(micro / 1e6, lat):
        raise SystemExit("baseline: a latency has more than 6 decimals")
    out["probes"] = pd.DataFrame({
        "month": month_of(p["at"]), "product": p["product"].to_numpy(), "micro": micro,
    }).groupby(["month", "product"]).agg(n=("micro", "size"), micro=("micro", "sum"))

    i = ev[ev["kind"].eq("security.incident")]
    out["incidents"] = pd.DataFrame({"month": month_of(i["at"]), "product": i["product"].to_numpy()}) \
        .groupby(["month", "product"]).size().rename("n").to_frame()
    return out


# ------------------------------------------------------------------------------ scoring


def rnd(x: Fraction, places: int) -> Fraction:
    """Half away from zero, exact."""
    scale = 10 ** places
    q, r = divmod(abs(x.numerator) * scale, x.denominator)
    if 2 * r >= x.denominator:
        q += 1
    return Fraction(q if x >= 0 else -q, scale)


def dec(x: Optional[Fraction], places: int) -> Optional[str]:
    """A value already rounded to `places`, as the decimal string slagrade prints."""
    if x is None:
        return None
    q = x.numerator * 10 ** places // x.denominator
    return str(Decimal(q).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def linear(x0: str, x1: str) -> Callable[[Fraction], Fraction]:
    a, b = Fraction(x0), Fraction(x1)
    return lambda v: min(Fraction(100), max(Fraction(0), (v - a) / (b - a) * 100))


INDICATORS = [  # id, level, weight, scorer, kind of detail
    ("anomaly_report_timeliness", "role", 10, linear("0.90", "0.98"), "clock"),
    ("maintenance_on_time", "process", 10, linear("0.80", "0.95"), "clock"),
    ("hazard_discovery_rate", "system", 5, linear("0.30", "0.60"), "ratio"),
    ("problem_resolution_rate", "process", 10, linear("0.80", "0.95"), "ratio"),
    ("response_timeliness", "process", 15, linear("0.80", "0.95"), "clock"),
    ("repair_timeliness", "process", 15, linear("0.70", "0.90"), "clock"),
    ("search_success_rate", "system", 5, linear("0.95", "0.99"), "ratio"),
    ("content_response_timeliness", "system", 5, linear("0.85", "0.95"), "ratio"),
    ("network_mean_response", "system", 10, linear("200", "50"), "mean"),
    ("vuln_scan_coverage", "system", 5, linear("0.80", "0.95"), "ratio"),
    ("security_report_timeliness", "role", 5,
     lambda v: Fraction(100) if v == 1 else Fraction(60) if v >= Fraction("0.9") else Fraction(0), "clock"),
    ("security_incidents", "system", 5, lambda v: max(Fraction(0), 100 - 25 * v), "count"),
]
SUB_RESPONSE = linear("0.85", "0.97")


def _pick(tab: pd.DataFrame, month: np.datetime64, patterns: Optional[tuple[str, ...]]) -> pd.Series:
    """Column sums of the rows of one month whose product is in scope."""
    if len(tab) == 0:
        return pd.Series(0, index=tab.columns, dtype=np.int64)
    months = tab.index.get_level_values(0).to_numpy().astype("datetime64[M]")
    rows = months == month
    if patterns is not None:
        rows &= np.asarray(tab.index.get_level_values(1).str.startswith(patterns), dtype=bool)
    return tab[rows].sum().astype(np.int64)


def default_period(tabs: dict[str, pd.DataFrame], as_of: int) -> np.datetime64:
    """The month holding the most anchors (ties: the earliest); the month of as_of if none."""
    counts: pd.Series = pd.Series(dtype=np.int64)
    for name, col in (("tickets", "n"), ("alerts", None), ("plans", None), ("reports", None),
                      ("searches", "n"), ("probes", "n"), ("incidents", "n"), ("scans", "n")):
        tab = tabs[name]
        if len(tab) == 0:
            continue
        per = (tab[col] if col else tab.sum(axis=1)).groupby(level=0).sum()
        counts = counts.add(per, fill_value=0)
    if len(counts) == 0 or counts.max() == 0:
        return month_of(np.array([as_of]))[0]
    best = counts[counts == counts.max()].index.min()
    return np.datetime64(best, "M")


def scorecard(raw: pd.DataFrame, not_objects: int, period: Optional[str] = None,
              as_of: Optional[str] = None) -> dict[str, Any]:
    """The scorecard of a frame of JSON objects (as read), `not_objects` lines rejected outright."""
    acc = validate(raw)
    rejected = len(raw) - len(acc) + not_objects
    dup = acc["id"].duplicated(keep="first")
    ev = acc[~dup.to_numpy()]
    counts = {"accepted": len(ev), "duplicates": int(dup.sum()), "rejected": int(rejected)}
    if as_of is None:
        if len(ev) == 0:
            raise SystemExit("baseline: no accepted events, --as-of is required")
        t_as_of = int(ev["at"].max())
    else:
        parsed = parse_instants(pd.Series([as_of], dtype=object)).iloc[0]
        if np.isnan(parsed):
            raise SystemExit("baseline: --as-of must be strict RFC 3339")
        t_as_of = int(parsed)
    ev = ev[ev["at"].to_numpy() <= t_as_of]

    tabs = tallies(ev, t_as_of)
    # inventory (#10): first registration per subject; scans per month and subject
    reg = ev[ev["kind"].eq("asset.registered")].sort_values(["subject", "at", "id"], kind="stable") \
        .drop_duplicates("subject")
    scans = ev[ev["kind"].eq("scan.completed")]
    scan_months = pd.DataFrame({"month": month_of(scans["at"]), "subject": scans["subject"].to_numpy()})
    tabs["scans"] = scan_months.groupby(["month"]).size().rename("n").to_frame()

    month = np.datetime64(period, "M") if period else default_period(tabs, t_as_of)
    start, end = month_bounds(month)
    inv = reg[reg["at"].to_numpy() < end]
    scanned = set(scan_months.loc[scan_months["month"].to_numpy() == month, "subject"])
    inv = inv.assign(scanned=inv["subject"].isin(scanned))

    card = {
        "period": str(month),
        "as_of": _format_instant(t_as_of),
        "events": counts,
        "assessments": [],
    }
    for assessor, assessee, patterns, fee, is_sub in ASSESSMENTS:
        def clock(name: str) -> tuple[Optional[Fraction], dict[str, int]]:
            c = _pick(tabs[name], month, patterns)
            m, b, p = int(c["met"]), int(c["breached"]), int(c["pending"])
            return (Fraction(m, m + b) if m + b else None), {"met": m, "breached": b, "pending": p, "samples": m + b}

        def ratio(num: int, den: int) -> tuple[Optional[Fraction], dict[str, int]]:
            return (Fraction(num, den) if den else None), {"numerator": num, "denominator": den, "samples": den}

        tk = _pick(tabs["tickets"], month, patterns)
        se = _pick(tabs["searches"], month, patterns)
        pr = _pick(tabs["probes"], month, patterns)
        inc = _pick(tabs["incidents"], month, patterns)
        scope_inv = inv if patterns is None else inv[inv["product"].str.startswith(patterns)]
        raw_values = {
            "anomaly_report_timeliness": clock("alerts"),
            "maintenance_on_time": clock("plans"),
            "hazard_discovery_rate": ratio(int(tk.get("proactive", 0)), int(tk.get("n", 0))),
            "problem_resolution_rate": ratio(int(tk.get("resolved", 0)), int(tk.get("n", 0))),
            "response_timeliness": clock("response"),
            "repair_timeliness": clock("repair"),
            "search_success_rate": ratio(int(se.get("ok", 0)), int(se.get("n", 0))),
            "content_response_timeliness": ratio(int(se.get("fast", 0)), int(se.get("n", 0))),
            "network_mean_response": (
                Fraction(int(pr.get("micro", 0)), int(pr.get("n", 0)) * 1_000_000) if pr.get("n", 0) else None,
                {"samples": int(pr.get("n", 0))}),
            "vuln_scan_coverage": ratio(int(scope_inv["scanned"].sum()), len(scope_inv)),
            "security_report_timeliness": clock("reports"),
            "security_incidents": (Fraction(int(inc.get("n", 0))), {"samples": int(inc.get("n", 0))}),
        }
        indicators = []
        levels: dict[str, list[tuple[int, Fraction]]] = {"system": [], "process": [], "role": []}
        every: list[tuple[int, Fraction]] = []
        for ind, level, weight, scorer, _ in INDICATORS:
            if is_sub and ind == "response_timeliness":
                scorer = SUB_RESPONSE
            value, detail = raw_values[ind]
            v = s = None
            if value is not None:
                v = rnd(value, 4)
                s = rnd(scorer(v), 2)
                levels[level].append((weight, s))
                every.append((weight, s))
            indicators.append({"id": ind, "value": dec(v, 4), "score": dec(s, 2), **detail})

        def rollup(ws: list[tuple[int, Fraction]]) -> Optional[Fraction]:
            return rnd(Fraction(sum(w * s for w, s in ws), sum(w for w, _ in ws)), 2) if ws else None

        party = rollup(every)
        due = None
        if party is not None:
            share = Fraction(1) if party >= 90 else (1 - (90 - party) / 100 if party >= 60 else Fraction(1, 2))
            due = rnd(fee * share, 2)
        card["assessments"].append({
            "assessor": assessor, "assessee": assessee, "score": dec(party, 2),
            "fee_due": dec(due, 2),
            "levels": {k: dec(rollup(v), 2) for k, v in levels.items()},
            "indicators": indicators,
        })
    return card


def _format_instant(t: int) -> str:
    local = np.datetime64(t + UTC_OFFSET, "s")
    return str(local) + "+08:00"


# ------------------------------------------------------------------------------ comparison


def compare(mine: dict[str, Any], theirs: dict[str, Any], counts: bool = True) -> list[str]:
    """Differences between two scorecards on the keys the contract fixes."""
    diffs = []
    top = ["period", "as_of"] + (["events"] if counts else [])
    for k in top:
        if mine[k] != theirs[k]:
            diffs.append(f"{k}: baseline {mine[k]!r} != slagrade {theirs[k]!r}")
    for a, b in zip(mine["assessments"], theirs["assessments"], strict=True):
        who = f"{a['assessor']}→{a['assessee']}"
        if (a["assessor"], a["assessee"]) != (b["assessor"], b["assessee"]):
            diffs.append(f"{who}: order differs ({b['assessor']}→{b['assessee']})")
            continue
        for k in ("score", "fee_due", "levels"):
            if a[k] != b[k]:
                diffs.append(f"{who} {k}: baseline {a[k]!r} != slagrade {b[k]!r}")
        for x, y in zip(a["indicators"], b["indicators"], strict=True):
            for k, v in x.items():
                if y.get(k) != v:
                    diffs.append(f"{who} {x['id']}.{k}: baseline {v!r} != slagrade {y.get(k)!r}")
    return diffs


# ------------------------------------------------------------------------------ timing


def slagrade_bin() -> str:
    env = os.environ.get("SLAGRADE_BIN")
    if env:
        return env
    exe = ROOT / "target" / "release" / "slagrade"
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "slagrade"], cwd=ROOT, check=True)
    return str(exe)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of `repeat` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("events", help="JSON Lines event file")
    ap.add_argument("--period", help="assessment month YYYY-MM (default: the month with most anchors)")
    ap.add_argument("--as-of", dest="as_of", help="evaluation instant, RFC 3339 (default: latest event)")
    ap.add_argument("--contract", default=str(CONTRACT))
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each slagrade measurement (the median is kept)")
    ap.add_argument("--baseline-repeat", type=int, default=1,
                    help="timed runs of the baseline after the checked one (the median is kept)")
    ap.add_argument("--no-time", action="store_true", help="check equality only")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.period and not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", args.period):
        ap.error("--period must be YYYY-MM")

    exe = slagrade_bin()
    cli_args = [exe, "eval", args.contract, args.events, "--format", "json"]
    if args.period:
        cli_args += ["--period", args.period]
    if args.as_of:
        cli_args += ["--as-of", args.as_of]

    def cli() -> dict[str, Any]:
        return json.loads(subprocess.run(cli_args, capture_output=True, check=True).stdout)

    # the baseline, from the file
    t0 = time.perf_counter()
    raw, not_objects = read_events(args.events)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    mine = scorecard(raw, not_objects, args.period, args.as_of)
    t_compute = time.perf_counter() - t0
    n_lines = len(raw) + not_objects

    reference = cli()
    diffs = compare(mine, reference)
    if diffs:
        print("baseline and slagrade DIFFER:", file=sys.stderr)
        for d in diffs[:50]:
            print("  " + d, file=sys.stderr)
        return 1
    print(f"{args.events}: {n_lines} lines, period {mine['period']}, as of {mine['as_of']}: "
          f"the pandas baseline equals `slagrade eval` (4 assessments × 12 indicators)")

    import slagrade  # the Python package

    contract = slagrade.Contract.from_file(args.contract)

    def from_frame() -> Any:
        return contract.evaluate(raw, period=args.period or mine["period"], as_of=args.as_of)

    def from_file() -> Any:
        return contract.evaluate(args.events, period=args.period or mine["period"], as_of=args.as_of)

    py_card = from_frame().to_dict()
    diffs = compare(mine, py_card, counts=False)
    if diffs:
        print("baseline and slagrade (Python, DataFrame) DIFFER:", file=sys.stderr)
        for d in diffs[:50]:
            print("  " + d, file=sys.stderr)
        return 1
    print("  and the Python package from the same rows as a pandas DataFrame agrees")
    if args.no_time:
        return 0

    # the check above warmed the baseline up (imports, first calls); time it again from the file
    def baseline() -> tuple[float, float]:
        t0 = time.perf_counter()
        frame, bad = read_events(args.events)
        t1 = time.perf_counter()
        scorecard(frame, bad, args.period, args.as_of)
        return t1 - t0, time.perf_counter() - t1

    runs = [baseline() for _ in range(args.baseline_repeat)]
    t_read = statistics.median(r[0] for r in runs)
    t_compute = statistics.median(r[1] for r in runs)
    t_cli, _ = timed(cli, args.repeat)
    t_py_file, _ = timed(from_file, args.repeat)
    t_py_frame, _ = timed(from_frame, args.repeat)
    base_file = t_read + t_compute
    rows = [
        ("pandas baseline, file → scorecard", base_file, None),
        ("  of which reading + parsing JSON", t_read, None),
        ("  of which DataFrame → scorecard", t_compute, None),
        ("slagrade CLI, file → scorecard", t_cli, base_file / t_cli),
        ("slagrade Python, file → scorecard", t_py_file, base_file / t_py_file),
        ("slagrade Python, DataFrame → scorecard", t_py_frame, t_compute / t_py_frame),
    ]
    print(f"\ntimes on {n_lines} lines (median of {args.repeat} runs of slagrade, "
          f"{args.baseline_repeat} of the baseline after the checked one)")
    print(f"  {'':42} {'seconds':>9} {'events/s':>12} {'baseline ÷ this':>16}")
    for name, t, ratio in rows:
        r = "" if ratio is None else f"{ratio:15.1f}×"
        print(f"  {name:42} {t:9.3f} {n_lines / t:12,.0f} {r:>16}")
    print("  (the DataFrame row compares with the baseline's DataFrame → scorecard part)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "events": args.events, "lines": n_lines, "period": mine["period"],
            "baseline_read_s": t_read, "baseline_compute_s": t_compute,
            "cli_s": t_cli, "python_file_s": t_py_file, "python_frame_s": t_py_frame,
            "ratio_cli": base_file / t_cli, "ratio_python_file": base_file / t_py_file,
            "ratio_python_frame": t_compute / t_py_frame,
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
