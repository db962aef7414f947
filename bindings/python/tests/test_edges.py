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
