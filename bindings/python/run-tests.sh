#!/usr/bin/env bash
# Builds the Python extension in its own virtual environment and runs the pytest suite.
#   bash bindings/python/run-tests.sh [pytest args...]
# The environment is bindings/python/.venv, or $SLAGRADE_VENV; $PYTHON picks the interpreter.
# SLAGRADE_SPARK=0 skips installing PySpark (its test then skips).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${SLAGRADE_VENV:-$HERE/.venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating virtual environment $VENV"
  "$PY" -m venv "$VENV"
fi
export VIRTUAL_ENV="$VENV"
export PATH="$VENV/bin:$PATH"

echo "== installing build and test dependencies"
python -m pip install --quiet --disable-pip-version-check --upgrade pip
python -m pip install --quiet --disable-pip-version-check \
  "maturin>=1.5,<2" pytest pandas polars pyarrow numpy matplotlib mypy
# PySpark for the scale-out test (tests/test_spark.py; about 30 s to install, a minute to run;
# the test skips itself without it or without Java 17). SLAGRADE_SPARK=0 leaves it out.
if [ "${SLAGRADE_SPARK:-1}" != "0" ]; then
  python -m pip install --quiet --disable-pip-version-check "pyspark>=3.5,<5"
fi

echo "== building the slagrade command line (for the equality tests)"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin slagrade
export SLAGRADE_BIN="$ROOT/target/release/slagrade"

echo "== building the extension"
(cd "$HERE" && maturin develop --release --quiet)

echo "== running the tests"
cd "$HERE"
export MPLBACKEND=Agg
exec python -m pytest -q "$@"
