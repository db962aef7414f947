"""Score a year of events with slagrade evaluators running inside Apache Spark.

    python examples/spark_year.py EVENTS.jsonl [--contract ../../examples/egov-2026.sla]
        [--partitions 4] [--master local[2]] [--period 2026-01..2026-12] [--as-of T] [--check]

How it works (docs/scale-out.md):

1. Spark reads the JSON Lines file as text, one row per line, untouched, so that slagrade's
   own strict reader decides every rejection, as it does in a single process.
2. Each line is keyed by its `subject` (`get_json_object`; lines that are not JSON key to
   null) and the rows are repartitioned by that key: all events of a subject, and every copy
   of a duplicated line, land in the same task.
3. Each task (`mapInArrow`) builds an evaluator from the contract's text, pushes its lines
   batch by batch (each Arrow batch spooled to a local JSON Lines file that
   `Evaluator.push_many` reads), and yields one row: the evaluator's `checkpoint()` bytes.
4. The driver restores every checkpoint (`Evaluator.restore`), merges them (`merge`) and asks
   the merged evaluator for the scorecard(s).

The result equals `Contract.evaluate(EVENTS.jsonl)` in one process, digit for digit: same
event counts, same `as_of` and default period, same values, scores and fees. `--check`
computes the single-process scorecard too and asserts it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional, Union

import slagrade

HERE = Path(__file__).resolve().parent
DEFAULT_CONTRACT = HERE.parent.parent.parent / "examples" / "egov-2026.sla"

Cards = Union[slagrade.Scorecard, list[slagrade.Scorecard]]


def spark_session(master: str = "local[2]", partitions: int = 4) -> Any:
    """A Spark session whose Python workers run this interpreter (so they import slagrade)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("slagrade-scale-out")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.pyspark.udf.faulthandler.enabled", "true")
        .getOrCreate()
    )


def partition_checkpoints(spark: Any, contract_text: str, events: Union[str, os.PathLike[str]],
                          partitions: int) -> list[bytes]:
    """Runs one evaluator per partition of the events (partitioned by subject) and returns
    their checkpoints."""
    import pyarrow as pa
    from pyspark.sql import functions as F

    def evaluate_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # runs in a Python worker: no state is shared with the driver but the contract's text
        import slagrade as sg

        contract = sg.Contract.parse(contract_text, "contract.sla")
        ev = contract.evaluator()
        with tempfile.TemporaryDirectory(prefix="slagrade-task-") as tmp:
            spool = Path(tmp) / "batch.jsonl"
            for batch in batches:
                lines = batch.column(0).to_pylist()
                if not lines:
                    continue
                spool.write_text("\n".join(lines) + "\n", encoding="utf-8")
                ev.push_many(spool)
        yield pa.RecordBatch.from_pydict({"checkpoint": [ev.checkpoint()]},
                                         schema=pa.schema([("checkpoint", pa.binary())]))

    lines = spark.read.text(os.fspath(events), lineSep="\n")  # one row per line, as written
    by_subject = (
        lines.withColumn("key", F.get_json_object("value", "$.subject"))
        .repartition(partitions, "key")
        .select("value")
    )
    rows = by_subject.mapInArrow(evaluate_partition, "checkpoint binary").collect()
    return [bytes(r["checkpoint"]) for r in rows]


def merge_checkpoints(contract: slagrade.Contract, checkpoints: list[bytes]) -> slagrade.Evaluator:
    merged = contract.evaluator()
    for data in checkpoints:
        merged.merge(slagrade.Evaluator.restore(contract, data))
    return merged


def spark_scorecard(spark: Any, contract: slagrade.Contract, events: Union[str, os.PathLike[str]],
                    partitions: int = 4, period: Optional[str] = None,
                    as_of: Optional[str] = None) -> Cards:
    """The scorecard(s) of `events`, evaluated by `partitions` Spark tasks and merged."""
    checkpoints = partition_checkpoints(spark, contract.source, events, partitions)
    return merge_checkpoints(contract, checkpoints).scorecard(period, as_of)


def as_dicts(cards: Cards) -> Any:
    return [c.to_dict() for c in cards] if isinstance(cards, list) else cards.to_dict()


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("events", help="JSON Lines event file (a local path, or any path Spark reads)")
    ap.add_argument("--contract", default=str(DEFAULT_CONTRACT))
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--period", help="a period, a range (2026-01..2026-12) or `all`; default: "
                    "the period holding most events")
    ap.add_argument("--as-of", dest="as_of")
    ap.add_argument("--check", action="store_true",
                    help="also evaluate in this process and assert the same scorecard(s)")
    args = ap.parse_args(argv)

    contract = slagrade.Contract.from_file(args.contract)
    spark = spark_session(args.master, args.partitions)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        t0 = time.perf_counter()
        cards = spark_scorecard(spark, contract, args.events, args.partitions, args.period, args.as_of)
        t_spark = time.perf_counter() - t0
    finally:
        spark.stop()

    if isinstance(cards, list):
        print(f"{len(cards)} periods, evaluated by {args.partitions} Spark tasks ({args.master}) "
              f"in {t_spark:.1f} s")
        print(f"  {'assessment':18} {'period':8} {'score':>7} {'fee due':>12}")
        for card in cards:
            for a in card.assessments:
                print(f"  {a.assessor + ' → ' + a.assessee:18} {card.period:8} "
                      f"{'—' if a.score is None else str(a.score):>7} {'—' if a.fee_due is None else str(a.fee_due):>12}")
    else:
        print(cards.to_table())
        print(f"evaluated by {args.partitions} Spark tasks ({args.master}) in {t_spark:.1f} s")

    if args.check:
        t0 = time.perf_counter()
        single = contract.evaluate(args.events, args.period, args.as_of)
        t_single = time.perf_counter() - t0
        if as_dicts(single) != as_dicts(cards):
            print("the Spark scorecard DIFFERS from the single-process one", file=sys.stderr)
            return 1
        print(f"equal to the single-process scorecard (Contract.evaluate, {t_single:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
