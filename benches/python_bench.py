#!/usr/bin/env python3
"""Throughput of the Python package's batch evaluation, so that a regression of the binding shows.

    python benches/python_bench.py [--events 1000000] [--seed 7] [--file EVENTS.jsonl]
                                   [--repeat 3] [--profile] [--lists]

Generates a stream with `slagrade gen` (no malformed lines, so that `pandas.read_json` can
read it; or takes `--file`), loads it once, and times `Contract.evaluate` on:

  - the JSON Lines file (the Rust reader end to end);
  - a pandas DataFrame as `pd.read_json(lines=True)` gives it (`at` as text, `attrs` as dicts);
  - the same DataFrame with `at` as a timezone-aware datetime column;
  - that DataFrame with the attributes as columns of their own (`pd.json_normalize`);
  - a pyarrow Table (`at` as a timezone-aware timestamp, `attrs` as a struct column).

DataFrames and Arrow tables take the column-wise path: columns converted to Arrow (pandas),
their buffers read in place by the Rust core, an `attrs` column of dicts read from the dicts,
rows validated on two threads while the evaluator takes them in order (see
`bindings/python/src/ingest.rs`).

Each line prints seconds (median of `--repeat`) and events per second (lines of input / s).
The stated target for DataFrame / Arrow input is 3 M events/s. `--profile` also splits each
column-wise input into the Python side (`slagrade._input.prepare`: conversion to Arrow,
buffer addresses) and the rest (Rust: reading the columns, validation, evaluation,
scorecard), times `push_many` against `scorecard()`, and prints a cProfile summary.
`--lists` also times the DataFrame and the Table read through Python lists, the path taken
without pyarrow (`slagrade._input.use_arrow = False`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa

import slagrade
from slagrade import _input

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "examples" / "egov-2026.sla"


def slagrade_bin() -> str:
    env = os.environ.get("SLAGRADE_BIN")
    if env:
        return env
    exe = ROOT / "target" / "release" / "slagrade"
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "slagrade"], cwd=ROOT, check=True)
    return str(exe)


def timed(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--file", help="use this JSON Lines file (every line a valid JSON object)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--lists", action="store_true", help="also time the path without pyarrow")
    args = ap.parse_args(argv)

    tmp = None
    if args.file:
        path = Path(args.file)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="slagrade-bench-")
        path = Path(tmp.name) / "events.jsonl"
        subprocess.run([slagrade_bin(), "gen", "--seed", str(args.seed), "--events", str(args.events),
                        "--from", "2026-01", "--to", "2026-12", "--malformed", "0", "-o", str(path)],
                       check=True, capture_output=True)

    t0 = time.perf_counter()
    df = pd.read_json(path, lines=True, dtype=False)
    t_read = time.perf_counter() - t0
    n = len(df)
    df_ts = df.assign(at=pd.to_datetime(df["at"], format="ISO8601", utc=True))
    # the attributes as columns of their own, as `pd.json_normalize` gives them
    df_cols = df_ts.drop(columns="attrs").join(pd.json_normalize(df["attrs"].tolist()))
    table = pa.Table.from_pandas(df_ts, preserve_index=False)
    contract = slagrade.Contract.from_file(CONTRACT)
    period = "2026-10"

    print(f"{n:,} events ({path.stat().st_size / 1e6:.0f} MB of JSON Lines); "
          f"pandas.read_json took {t_read:.2f} s; Arrow schema: "
          + ", ".join(f"{f.name}: {f.type}" for f in table.schema if f.name != "attrs")
          + "; attrs: struct")

    # all four inputs give the same scorecard (the file also counts no rejected line)
    ref = contract.evaluate(path, period=period).to_dict()["assessments"]
    for name, events in (("DataFrame", df), ("DataFrame (at as datetime)", df_ts),
                         ("DataFrame (attributes as columns)", df_cols), ("Arrow", table)):
        got = contract.evaluate(events, period=period).to_dict()["assessments"]
        if got != ref:
            print(f"{name}: scorecard differs from the file's", file=sys.stderr)
            return 1

    cases = [
        ("JSON Lines file", lambda: contract.evaluate(path, period=period)),
        ("pandas DataFrame (at as text)", lambda: contract.evaluate(df, period=period)),
        ("pandas DataFrame (at as datetime)", lambda: contract.evaluate(df_ts, period=period)),
        ("pandas DataFrame (attrs as columns)", lambda: contract.evaluate(df_cols, period=period)),
        ("pyarrow Table", lambda: contract.evaluate(table, period=period)),
    ]
    if args.lists:
        def through_lists(events: Any) -> Any:
            _input.use_arrow = False
            try:
                return contract.evaluate(events, period=period)
            finally:
                _input.use_arrow = True

        cases += [
            ("DataFrame (at as datetime), lists", lambda: through_lists(df_ts)),
            ("pyarrow Table, lists", lambda: through_lists(table)),
        ]
    print(f"\nContract.evaluate, median of {args.repeat} (target for DataFrame / Arrow: 3,000,000 events/s)")
    print(f"  {'input':36} {'seconds':>8} {'events/s':>12}")
    for name, fn in cases:
        t = timed(fn, args.repeat)
        print(f"  {name:36} {t:8.3f} {n / t:12,.0f}")

    if args.profile:
        print("\nwhere the column-wise paths spend their time")
        for name, events in (("DataFrame (at as text)", df), ("DataFrame (at as datetime)", df_ts),
                             ("DataFrame (attributes as columns)", df_cols), ("Arrow", table)):
            t_prep = timed(lambda: _input.prepare(events), args.repeat)
            t_all = timed(lambda: contract.evaluate(events, period=period), args.repeat)
            print(f"  {name}: Python side (_input.prepare: to Arrow, buffer addresses) "
                  f"{t_prep:.3f} s; the rest (Rust: columns, validation, evaluation, scorecard) "
                  f"{t_all - t_prep:.3f} s; total {t_all:.3f} s")
        t_file = timed(lambda: contract.evaluate(path, period=period), args.repeat)
        print(f"  for comparison, the whole evaluation from the file (no Python objects): {t_file:.3f} s")
        for name, events in (("file", path), ("DataFrame (at as datetime)", df_ts), ("Arrow table", table)):
            ev = contract.evaluator()
            t0 = time.perf_counter()
            ev.push_many(events)
            t_push = time.perf_counter() - t0
            t_card = timed(lambda: ev.scorecard(period), args.repeat)
            print(f"  evaluator from the {name}: push_many {t_push:.3f} s "
                  f"({n / t_push:,.0f} events/s), then scorecard() {t_card:.3f} s")
        prof = cProfile.Profile()
        prof.enable()
        contract.evaluate(df_ts, period=period)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
        print(out.getvalue())
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
