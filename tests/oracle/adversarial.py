"""Adversarial differential check: small random streams full of edge cases (same-second
events, events before anchors, repeated anchors, pauses and reopens in every state, wrong
attribute types, bad times and products, duplicates), scored by `slagrade eval` and by the
oracle; every disagreement is printed.

    python3 tests/oracle/adversarial.py SLAGRADE_BINARY [--streams N] [--seed S]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTRACT = os.path.join(ROOT, "examples", "egov-2026.sla")

PRODUCTS = [
    "infra.servers", "infra.storage", "infra.datacenter", "app.om_mgmt.desk",
    "app.business_support.oa", "app.system_assurance.db", "app.app_support.portal",
    "app.security_ops.waf", "app.endpoint.desktop", "content.portal_info",
    "network.egov_wan", "network.internet", "security.mgmt",
]
TICKET = ["ticket.opened", "ticket.acknowledged", "ticket.paused", "ticket.resumed",
          "ticket.resolved", "ticket.closed", "ticket.reopened", "ticket.commented"]


def instant(rng, day_lo=28, day_hi=36):
    """A time around October 2026 (days past 31 spill into November), often on round minutes
    so that events collide on the same second."""
    day = rng.randint(day_lo, day_hi)
    month, d = (9, day) if day <= 30 and day_lo < 1 else (10, day)
    if day > 31:
        month, d = 11, day - 31
    if day < 1:
        month, d = 9, 30 + day
    hour = rng.choice([0, 8, 9, 9, 11, 12, 13, 13, 17, 17, 22, rng.randint(0, 23)])
    minute = rng.choice([0, 0, 15, 20, 30, 59, rng.randint(0, 59)])
    second = rng.choice([0, 0, 0, 1, 59, rng.randint(0, 59)])
    zone = rng.choice(["+08:00"] * 8 + ["Z", "+00:00", "-05:00"])
    t = f"2026-{month:02d}-{d:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    if rng.random() < 0.05:
        t += "." + str(rng.randint(0, 999999))
    if zone != "+08:00":
        # keep the wall time meaning roughly the same day; exact value does not matter
        pass
    return t + zone


def bad_time(rng):
    return rng.choice([
        "2026-10-09T09:12:00", "2026-10-09T09:12:00+0800", "2026-10-09T24:00:00+08:00",
        "2026-10-09T23:59:60+08:00", "2026-10-09 09:12:00+08:00", "2026-02-30T10:00:00Z",
        "2026-10-09T09:12+08:00", "20261009T091200Z", "", "2026-10-09t09:12:00z",
    ])


def attrs_for(rng, kind):
    a = {}
    if kind == "ticket.opened":
        r = rng.random()
        if r < 0.85:
            a["priority"] = rng.choice(["P1", "P2", "P3", "P4"])
        elif r < 0.9:
            a["priority"] = rng.choice(["P5", "p1", 1, None, True])
        if rng.random() < 0.8:
            a["source"] = rng.choice(["user", "monitoring", "inspection", "Monitoring", 3, None])
    elif kind in ("plan.scheduled", "security.report_due"):
        r = rng.random()
        a["due"] = instant(rng) if r < 0.9 else rng.choice([bad_time(rng), 5, None])
    elif kind == "search.request":
        r = rng.random()
        a["ok"] = rng.choice([True, True, True, False]) if r < 0.9 else rng.choice(["true", 1, None])
        a["latency_ms"] = rng.choice([rng.randint(0, 4000), 2000, 2000.0, 1999.5, 2000.001]) \
            if rng.random() < 0.9 else rng.choice(["5", True, None, -1])
    elif kind == "net.probe":
        a["latency_ms"] = rng.choice([rng.randint(1, 300), 12.5, 0, 50, 1e2]) \
            if rng.random() < 0.9 else rng.choice(["5", False, None])
    if rng.random() < 0.05:
        a["extra"] = {"nested": [1, 2]}
    return a


def stream(rng):
    lines = []
    n_id = [0]

    def emit(kind, subject, product=None, at=None, attrs=None):
        n_id[0] += 1
        ev = {"id": f"e{n_id[0]:04d}" if rng.random() < 0.97 else rng.choice(["", 7, None]),
              "at": at or instant(rng), "kind": kind, "subject": subject}
        if product is not False:
            ev["product"] = product or rng.choice(PRODUCTS)
        if rng.random() < 0.3:
            ev["party"] = rng.choice(["netco", "prime", 5])
        a = attrs if attrs is not None else attrs_for(rng, kind)
        if a or rng.random() < 0.5:
            ev["attrs"] = a
        lines.append(ev)

    for t in range(rng.randint(1, 8)):
        subj = f"T{t}"
        prod = rng.choice(PRODUCTS)
        for _ in range(rng.randint(1, 10)):
            emit(rng.choice(TICKET + ["ticket.opened"] * 2), subj, prod)
    for a in range(rng.randint(0, 4)):
        prod = rng.choice(PRODUCTS)
        for _ in range(rng.randint(1, 4)):
            emit(rng.choice(["alert.raised", "alert.reported", "alert.raised"]), f"A{a}", prod)
    for p in range(rng.randint(0, 4)):
        prod = rng.choice(PRODUCTS)
        for _ in range(rng.randint(1, 4)):
            emit(rng.choice(["plan.scheduled", "plan.completed"]), f"P{p}", prod)
    for r in range(rng.randint(0, 3)):
        prod = rng.choice(PRODUCTS)
        for _ in range(rng.randint(1, 3)):
            emit(rng.choice(["security.report_due", "security.report_submitted"]), f"R{r}", prod)
    for s in range(rng.randint(0, 6)):
        prod = rng.choice(PRODUCTS)
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["asset.registered", "scan.completed"])
            at = instant(rng, -20, 36) if kind == "asset.registered" else instant(rng)
            emit(kind, f"S{s}", prod, at=at)
    for _ in range(rng.randint(0, 12)):
        emit(rng.choice(["search.request", "net.probe", "security.incident", "x.unknown"]),
             f"M{rng.randint(0, 3)}")
    # damage some lines
    out = []
    for ev in lines:
        r = rng.random()
        if r < 0.03:
            ev["at"] = bad_time(rng)
        elif r < 0.05:
            ev["product"] = rng.choice(["infra.unknown", "", 5])
        elif r < 0.06:
            del ev["product"]
        elif r < 0.07:
            ev["attrs"] = rng.choice([[1], "x", None, 5])
        elif r < 0.08:
            ev["subject"] = rng.choice(["", 3, None])
        out.append(json.dumps(ev, ensure_ascii=False))
    for _ in range(rng.randint(0, 3)):
        out.append(rng.choice(["{", "[1,2]", "null", "\"x\"", "{\"id\":1}", "   ", ""]))
    rng.shuffle(out)
    # exact duplicates
    for _ in range(rng.randint(0, 4)):
        if out:
            out.insert(rng.randint(0, len(out)), rng.choice(out))
    return "\n".join(out) + "\n"


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def compare(a, b, path, out):
    if isinstance(b, dict):
        for k, v in b.items():
            if not isinstance(a, dict) or k not in a:
                out.append(f"{path}.{k}: missing")
            else:
                compare(a[k], v, f"{path}.{k}", out)
    elif isinstance(b, list):
        if not isinstance(a, list) or len(a) != len(b):
            out.append(f"{path}: length")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: slagrade {a!r} vs oracle {b!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--streams", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="directory to keep failing streams in")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.streams):
            path = os.path.join(tmp, f"s{i}.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.write(stream(rng))
            variants = [[], ["--period", "2026-10"],
                        ["--period", "2026-10", "--as-of", instant(rng, 1, 33)],
                        ["--as-of", instant(rng, 1, 33)]]
            for extra in variants:
                ca, sa, ea = run([args.binary, "eval", CONTRACT, path, "--format", "json"] + extra)
                cb, sb, eb = run([sys.executable, os.path.join(HERE, "oracle.py"), path] + extra)
                if ca != 0 or cb != 0:
                    if (ca == 0) != (cb == 0):
                        failures += 1
                        print(f"stream {i} {extra}: exit slagrade {ca} oracle {cb}\n{ea}{eb}")
                    continue
                diffs = []
                compare(json.loads(sa), json.loads(sb), "", diffs)
                if diffs:
                    failures += 1
                    print(f"stream {i} {extra}: {len(diffs)} disagreements")
                    print("\n".join("  " + d for d in diffs[:15]))
                    if args.keep:
                        os.makedirs(args.keep, exist_ok=True)
                        with open(os.path.join(args.keep, f"s{args.seed}-{i}.jsonl"), "w") as f:
                            f.write(open(path, encoding="utf-8").read())
    print(f"{args.streams} streams, {failures} with disagreements")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
