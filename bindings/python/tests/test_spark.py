"""Scale-out on Apache Spark (local mode): evaluators per subject partition, checkpoints merged
on the driver, give exactly the single-process scorecard. Skipped without pyspark or Java 17."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import slagrade
from conftest import BINDINGS, CONTRACT, run_cli

pytest.importorskip("pyspark", reason="pyspark is not installed")
pytest.importorskip("pyarrow", reason="pyarrow is not installed")


def _java_major() -> int | None:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


JAVA = _java_major()
if JAVA is None:
    pytest.skip("no Java runtime: Spark cannot start", allow_module_level=True)
if JAVA < 17:
    pytest.skip(f"Java {JAVA} is older than Spark needs (17)", allow_module_level=True)


def _example() -> ModuleType:
    path = BINDINGS / "examples" / "spark_year.py"
    spec = importlib.util.spec_from_file_location("spark_year", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


spark_year = _example()
PARTITIONS = 4
# pyspark warns that it has not yet been certified with pandas 3; mapInArrow does not use pandas
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_year.spark_session("local[2]", PARTITIONS)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 20k generated events over three months, with duplicates and malformed lines."""
    out = tmp_path_factory.mktemp("spark") / "events.jsonl"
    run_cli("gen", "--seed", "11", "--events", "20000", "--from", "2026-09", "--to", "2026-11",
            "--malformed", "2000", "-o", str(out))
    return out


@pytest.fixture(scope="module")
def checkpoints(spark: Any, contract: slagrade.Contract, stream: Path) -> list[bytes]:
    return spark_year.partition_checkpoints(spark, contract.source, stream, PARTITIONS)


def test_one_checkpoint_per_partition(contract: slagrade.Contract, stream: Path,
                                      checkpoints: list[bytes]) -> None:
    assert len(checkpoints) == PARTITIONS
    parts = [slagrade.Evaluator.restore(contract, c).counts for c in checkpoints]
    single = contract.evaluator()
    single.push_many(stream)
    # every partition did part of the work, and the parts add up (a duplicate line is in the
    # same partition as its first copy, since both have the same subject)
    assert all(p["accepted"] > 0 for p in parts)
    for k in ("accepted", "duplicates", "rejected"):
        assert sum(p[k] for p in parts) == single.counts[k]
    assert single.counts["duplicates"] > 0 and single.counts["rejected"] > 0


def test_merged_scorecard_equals_single_process(contract: slagrade.Contract, stream: Path,
                                                checkpoints: list[bytes]) -> None:
    merged = spark_year.merge_checkpoints(contract, checkpoints)
    assert merged.scorecard().to_dict() == contract.evaluate(stream).to_dict()
    months = "2026-09..2026-11"
    assert spark_year.as_dicts(merged.scorecard(months)) == spark_year.as_dicts(contract.evaluate(stream, months))
    as_of = "2026-10-20T12:00:00+08:00"
    assert merged.scorecard("2026-10", as_of).to_dict() == contract.evaluate(stream, "2026-10", as_of).to_dict()


def test_merge_order_does_not_matter(contract: slagrade.Contract, checkpoints: list[bytes]) -> None:
    forward = spark_year.merge_checkpoints(contract, checkpoints).scorecard().to_dict()
    backward = spark_year.merge_checkpoints(contract, checkpoints[::-1]).scorecard().to_dict()
    assert forward == backward


def test_example_end_to_end(spark: Any, contract: slagrade.Contract, stream: Path) -> None:
    cards = spark_year.spark_scorecard(spark, contract, stream, PARTITIONS, "2026-09..2026-11")
    assert isinstance(cards, list) and [c.period for c in cards] == ["2026-09", "2026-10", "2026-11"]
    assert spark_year.as_dicts(cards) == spark_year.as_dicts(contract.evaluate(stream, "2026-09..2026-11"))


def test_contract_path_is_the_bundled_one() -> None:
    assert spark_year.DEFAULT_CONTRACT.resolve() == CONTRACT.resolve()
