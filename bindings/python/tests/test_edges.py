"""Edges of the Python layer: file errors, pickling across processes, positions after a
merge, naive datetimes, unknown names, flattened attribute columns and docstrings."""

from __future__ import annotations

import errno
import inspect
import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import slagrade
import slagrade._input as slagrade_input
from conftest import CONTRACT

# ------------------------------------------------------------------------------ from_file


def test_from_file_missing_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing.sla"
    with pytest.raises(FileNotFoundError) as info:
        slagrade.Contract.from_file(path)
    e = info.value
    assert e.filename == str(path)
    assert e.errno == errno.ENOENT
    assert str(path) in str(e)


def test_from_file_directory_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as info:
        slagrade.Contract.from_file(str(tmp_path))
    assert info.value.filename == str(tmp_path)


# --------------------------------------------------------------------- naive datetimes


NAIVE = datetime(2026, 10, 12, 10, 0, 0)
NAIVE_REASON = ("`at`: `2026-10-12T10:00:00` has no time zone offset (a naive time): add `Z` "
                "or an offset such as `+08:00`")


def naive_row() -> dict[str, Any]:
    return {"id": "a", "at": NAIVE, "kind": "ticket.opened", "subject": "T-1",
            "product": "infra.servers", "attrs": {"priority": "P1"}}


@pytest.mark.parametrize("form", ["dicts", "push", "pandas", "pandas-lists", "polars", "arrow",
                                  "arrow-lists", "jsonl"])
def test_a_naive_datetime_is_one_reason_in_every_form(contract: slagrade.Contract, form: str,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    row = naive_row()
    ev = contract.evaluator()
    if form.endswith("-lists"):
        monkeypatch.setattr(slagrade_input, "use_arrow", False)
    if form == "dicts":
        ev.push_many([row])
    elif form == "push":
        assert ev.push(row) == "rejected"
    elif form.startswith("pandas"):
        ev.push_many(pd.DataFrame([row]))
    elif form == "polars":
        ev.push_many(pl.DataFrame([row]))
    elif form.startswith("arrow"):
        ev.push_many(pa.Table.from_pylist([row]))
    else:
        p = tmp_path / "naive.jsonl"
        p.write_text(json.dumps({**row, "at": NAIVE.isoformat()}) + "\n")
        ev.push_many(p)
    [r] = ev.rejected
    assert r.reason == NAIVE_REASON
    assert r.line == (None if form == "push" else 1)
    text = json.loads(r.text)
    assert text["at"] == "2026-10-12T10:00:00"
    assert (text["id"], text["attrs"]["priority"]) == ("a", "P1")


def test_a_naive_time_attribute_says_so(contract: slagrade.Contract) -> None:
    ev = contract.evaluator()
    ev.push_many([{"id": "p", "at": "2026-10-12T10:00:00+08:00", "kind": "plan.scheduled",
                   "subject": "PL-1", "product": "infra.servers", "attrs": {"due": NAIVE}}])
    [r] = ev.rejected
    assert "`2026-10-12T10:00:00` has no time zone offset" in r.reason
    assert json.loads(r.text)["attrs"]["due"] == "2026-10-12T10:00:00"
