"""Dispatch of event input: paths, iterables of dicts, and column-wise DataFrame/Arrow input.

DataFrames and Arrow tables are read one column at a time. With pyarrow installed, pandas and
polars columns are first converted to Arrow arrays, and every column of a type the Rust
reader handles (strings, integers, floats, booleans, nulls, a timezone-aware timestamp `at`,
an `attrs` struct of such fields) is handed over as Arrow arrays, through the Arrow C Data
Interface: the Rust core validates them and reads them in place, with no Python object per
value. Any other column is taken once as a Python
list and converted value by value (the only path without pyarrow). Null and NaN values are
missing values either way.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Optional

from ._errors import EventError

#: False reads DataFrames and Arrow tables through Python lists even when pyarrow is
#: installed (the path taken without pyarrow); for comparisons and tests.
use_arrow = True


def _module(name: str) -> Any:
    """An optional dependency, imported when its objects are given."""
    return importlib.import_module(name)


def _pyarrow() -> Any:
    """pyarrow when installed and enabled, else None."""
    if not use_arrow:
        return None
    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        return None


REQUIRED = ("id", "at", "kind", "subject", "product")
FIELDS = REQUIRED + ("party", "attrs")


def prepare(events: Any) -> tuple[str, Any]:
    """Returns ``("path", str)``, ``("records", iterable)`` or ``("columns", spec)``.

    A column spec is ``{"n", "at_epoch", "columns": {field: desc}, "extra": {name: desc}}``;
    a column description is a list of values, ``("list", values)``, ``("arrow", chunks)``
    (see `_arrays`) or, for `attrs`, ``("struct", [(field, desc), ...])``.
    """
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
            pa = _pyarrow()
            return ("columns", _pandas(events) if pa is None else _pandas_arrow(pa, events))
        raise EventError(f"unsupported pandas object {type(events).__name__}: pass a DataFrame")
    if top == "polars":
        pl = _module("polars")

        if isinstance(events, pl.LazyFrame):
            events = events.collect()
        if isinstance(events, pl.DataFrame):
            pa = _pyarrow()
            return ("columns", _polars(events) if pa is None else _polars_arrow(pa, events))
        raise EventError(f"unsupported polars object {type(events).__name__}: pass a DataFrame")
    if top == "pyarrow":
        pa = _module("pyarrow")

        if isinstance(events, (pa.Table, pa.RecordBatch)):
            return ("columns", _arrow(events) if _pyarrow() is None else _arrow_arrays(pa, events))
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


# --------------------------------------------------------------------------- Arrow arrays

Desc = tuple


def _arrays(pa: Any, arr: Any, at: bool = False) -> Optional[Desc]:
    """``("arrow", chunks)`` for an array or chunked array of a type the Rust reader handles
    (cast to the layout it reads), else None. The Rust core imports each chunk through the
    Arrow C Data Interface (``__arrow_c_array__``) and validates it before reading it in
    place. A timestamp is handled for `at` only, and only when timezone-aware."""
    t = pa.types
    ty = arr.type
    try:
        if t.is_dictionary(ty):
            arr = arr.cast(ty.value_type)
            ty = arr.type
        if getattr(t, "is_string_view", lambda _: False)(ty):
            arr = arr.cast(pa.large_string())
            ty = arr.type
        if t.is_integer(ty) and ty != pa.int64():
            arr = arr.cast(pa.int64())  # a checked cast: fails on overflow
        elif t.is_floating(ty) and ty != pa.float64():
            arr = arr.cast(pa.float64())
        elif not (t.is_string(ty) or t.is_large_string(ty) or t.is_boolean(ty)
                  or t.is_integer(ty) or t.is_floating(ty) or t.is_null(ty)
                  or (at and t.is_timestamp(ty) and ty.tz is not None)):
            return None
    except (pa.ArrowException, ValueError, TypeError):
        return None
    chunks = list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]
    if any(not all(b is None or getattr(b, "is_cpu", True) for b in c.buffers()) for c in chunks):
        return None
    return ("arrow", chunks)


def _struct(pa: Any, arr: Any, taken: set[str]) -> Optional[Desc]:
    """``("struct", [(field, desc), ...])`` for an `attrs` struct column whose fields are all
    read as Arrow arrays, else None. A field that shares its name with an attribute column is
    left to the list path, which decides which of the two wins."""
    ty = arr.type
    if not pa.types.is_struct(ty):
        return None
    names = [ty.field(i).name for i in range(ty.num_fields)]
    if len(set(names)) != len(names) or set(names) & taken:
        return None
    out = []
    # each field with the struct's own nulls merged in
    for name, f in zip(names, arr.flatten()):
        d = _arrays(pa, f)
        if d is None:
            return None
        out.append((name, d))
    return ("struct", out)


def _arrow_spec(pa: Any, names: list[str], n: int, array: Callable[[str], Any],
                fallback: Callable[[str], Any]) -> dict[str, Any]:
    """A column spec reading each column as Arrow arrays when it can: ``array(name)`` is the
    column as an Arrow array (None when it cannot be converted), ``fallback(name)`` its
    values as a list (or a ``("list", ...)`` description)."""
    _check_columns(names)
    extra_names = [c for c in names if c not in FIELDS]

    def desc(name: str, at: bool = False) -> Desc:
        arr = array(name)
        d = None
        if arr is not None:
            if name == "attrs" and pa.types.is_struct(arr.type):
                # the attribute names the other columns give (`attrs.due` gives `due`)
                taken = set(extra_names) | {c[6:] for c in extra_names if c.startswith("attrs.")}
                d = _struct(pa, arr, taken)
            else:
                d = _arrays(pa, arr, at)
        if d is not None:
            return d
        values = fallback(name)
        return values if isinstance(values, tuple) else ("list", values)

    cols = {name: desc(name, name == "at") for name in FIELDS if name in names}
    extra = {name: desc(name) for name in extra_names}
    return {"n": n, "at_epoch": False, "columns": cols, "extra": extra}


def _first_value(s: Any) -> Any:
    """The first value of a column that is not missing (None when there is none)."""
    for v in s:
        if v is not None and v == v:
            return v
    return None


def _pandas_arrow(pa: Any, df: Any) -> dict[str, Any]:
    names = [str(c) for c in df.columns]
    _check_columns(names)
    df = df.set_axis(names, axis=1)
    # an `attrs` column of dicts is read by the Rust core from the dicts themselves (faster
    # than pyarrow's struct conversion, which looks up every field in every dict)
    dicts = "attrs" in names and df["attrs"].dtype == object and isinstance(
        _first_value(df["attrs"]), dict)
    try:
        table = pa.Table.from_pandas(df.drop(columns=["attrs"]) if dicts else df,
                                     preserve_index=False)
    except Exception:  # some column pyarrow cannot convert: columns one by one
        table = None

    def array(name: str) -> Any:
        if dicts and name == "attrs":
            return None
        if table is not None:
            return table.column(name)
        try:
            return pa.array(df[name], from_pandas=True)
        except Exception:  # a column pyarrow cannot convert goes through a list
            return None

    def fallback(name: str) -> Any:
        if dicts and name == "attrs":
            # the values as they are: the Rust core reads dicts, and takes pandas' missing
            # values (None, NaN, NA, NaT) as null, as `_pandas_list` would make them
            pd = _module("pandas")
            return ("list", df[name].tolist(), (pd.NA, pd.NaT))
        return _pandas_list(df[name])

    return _arrow_spec(pa, names, len(df), array, fallback)


def _polars_arrow(pa: Any, df: Any) -> dict[str, Any]:
    names = list(df.columns)
    _check_columns(names)

    def array(name: str) -> Any:
        try:
            return df.get_column(name).to_arrow()
        except Exception:  # a column pyarrow cannot hold goes through a list
            return None

    return _arrow_spec(pa, names, df.height, array, lambda name: df.get_column(name).to_list())


def _arrow_arrays(pa: Any, table: Any) -> dict[str, Any]:
    names = [str(c) for c in table.schema.names]
    _check_columns(names)
    return _arrow_spec(pa, names, table.num_rows, table.column,
                       lambda name: _arrow_list(table.column(name)))
