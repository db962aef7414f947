"""Dispatch of event input: paths, iterables of dicts, and column-wise DataFrame/Arrow input.

DataFrames and Arrow tables are read one column at a time: each column is taken once as a
Python list (timezone-aware timestamp columns as Unix seconds), and the Rust core builds the
events from the column vectors. Null and NaN values are missing values.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping
from typing import Any

from ._errors import EventError

def _module(name: str) -> Any:
    """An optional dependency, imported when its objects are given."""
    return importlib.import_module(name)


REQUIRED = ("id", "at", "kind", "subject", "product")
FIELDS = REQUIRED + ("party", "attrs")


def prepare(events: Any) -> tuple[str, Any]:
    """Returns ``("path", str)``, ``("records", iterable)`` or ``("columns", spec)``."""
    if isinstance(events, (str, os.PathLike)):
        return ("path", os.fspath(events))
    if isinstance(events, (bytes, bytearray, memoryview)):
        raise EventError(
            "events given as bytes: pass a path to a JSON Lines file, an iterable of "
            "dicts, a DataFrame or an Arrow table"
        )
    top = type(events).__module__.split(".", 1)[0]
    if top == "pandas":
        pd = _module("pandas")

        if isinstance(events, pd.DataFrame):
            return ("columns", _pandas(events))
        raise EventError(f"unsupported pandas object {type(events).__name__}: pass a DataFrame")
    if top == "polars":
        pl = _module("polars")

        if isinstance(events, pl.LazyFrame):
            events = events.collect()
        if isinstance(events, pl.DataFrame):
            return ("columns", _polars(events))
        raise EventError(f"unsupported polars object {type(events).__name__}: pass a DataFrame")
    if top == "pyarrow":
        pa = _module("pyarrow")

        if isinstance(events, (pa.Table, pa.RecordBatch)):
            return ("columns", _arrow(events))
        raise EventError(f"unsupported pyarrow object {type(events).__name__}: pass a Table")
    if isinstance(events, Mapping):
        raise EventError(
            "a single event given: pass a list of events (or use Evaluator.push for one)"
        )
    if isinstance(events, Iterable):
        return ("records", events)
    raise EventError(
        "events must be a path to a JSON Lines file, an iterable of dicts, a pandas or "
        f"polars DataFrame or a pyarrow Table, not {type(events).__name__}"
    )


def _check_columns(names: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise EventError(
            "missing required column(s) "
            + ", ".join(f"`{c}`" for c in missing)
            + " (columns: "
            + ", ".join(names)
            + ")"
        )
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise EventError(f"column `{n}` appears twice")
        seen.add(n)


def _spec(n: int, at_epoch: bool, columns: dict[str, list[Any]], extra: dict[str, list[Any]]) -> dict[str, Any]:
    return {"n": n, "at_epoch": at_epoch, "columns": columns, "extra": extra}


# ---------------------------------------------------------------------------------- pandas


def _pandas_list(s: Any) -> list[Any]:
    """A column as a list, missing values (None, NaN, NaT, NA) as None."""
    mask = s.isna()
    if bool(mask.any()):
        s = s.astype(object).where(~mask, None)
    return list(s.tolist())


def _pandas(df: Any) -> dict[str, Any]:
    np = _module("numpy")
    pd = _module("pandas")

    names = [str(c) for c in df.columns]
    _check_columns(names)
    df = df.set_axis(names, axis=1)
    n = len(df)
    cols: dict[str, list[Any]] = {}
    at_epoch = False
    for name in FIELDS:
        if name not in names:
            continue
        s = df[name]
        if name == "at" and isinstance(s.dtype, pd.DatetimeTZDtype):
            ns = s.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
            raw = ns.to_numpy().view("int64")
            secs = np.floor_divide(raw, 1_000_000_000).astype(object)
            secs[ns.isna().to_numpy()] = None
            cols[name] = list(secs.tolist())
            at_epoch = True
        else:
            cols[name] = _pandas_list(s)
    extra = {name: _pandas_list(df[name]) for name in names if name not in FIELDS}
    return _spec(n, at_epoch, cols, extra)


# ---------------------------------------------------------------------------------- polars


def _polars(df: Any) -> dict[str, Any]:
    pl = _module("polars")

    names = list(df.columns)
    _check_columns(names)
    cols: dict[str, list[Any]] = {}
    at_epoch = False
    for name in FIELDS:
        if name not in names:
            continue
        s = df.get_column(name)
        if name == "at" and isinstance(s.dtype, pl.Datetime) and s.dtype.time_zone is not None:
            cols[name] = s.dt.epoch("s").to_list()
            at_epoch = True
        else:
            cols[name] = s.to_list()
    extra = {name: df.get_column(name).to_list() for name in names if name not in FIELDS}
    return _spec(df.height, at_epoch, cols, extra)


# ----------------------------------------------------------------------------------- arrow

_UNIT = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _arrow_list(col: Any) -> list[Any]:
    pa = _module("pyarrow")

    ty = col.type
    if pa.types.is_map(ty):
        return [None if v is None else dict(v) for v in col.to_pylist()]
    if pa.types.is_timestamp(ty) and ty.tz is not None:
        # aware timestamps as RFC 3339 text (exact, whatever the unit)
        f = _UNIT[ty.unit]
        from datetime import datetime, timezone

        out: list[Any] = []
        for v in col.cast(pa.int64()).to_pylist():
            out.append(
                None
                if v is None
                else datetime.fromtimestamp(v // f, tz=timezone.utc).isoformat()
            )
        return out
    return list(col.to_pylist())


def _arrow(table: Any) -> dict[str, Any]:
    pa = _module("pyarrow")

    names = [str(c) for c in table.schema.names]
    _check_columns(names)
    cols: dict[str, list[Any]] = {}
    at_epoch = False
    for name in FIELDS:
        if name not in names:
            continue
        col = table.column(name)
        ty = col.type
        if name == "at" and pa.types.is_timestamp(ty) and ty.tz is not None:
            f = _UNIT[ty.unit]
            cols[name] = [None if v is None else v // f for v in col.cast(pa.int64()).to_pylist()]
            at_epoch = True
        else:
            cols[name] = _arrow_list(col)
    extra = {name: _arrow_list(table.column(name)) for name in names if name not in FIELDS}
    return _spec(table.num_rows, at_epoch, cols, extra)
