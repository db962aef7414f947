#!/usr/bin/env bash
# Runs every test: the Rust crate (unit, integration, golden, property, oracle agreement),
# the oracle's own tests, the README walkthrough, and the Python package in its own venv.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust tests"
cargo test --release

echo "== oracle unit tests"
python3 -m unittest discover -s tests/oracle -p 'test_*.py'

echo "== Python package"
bash bindings/python/run-tests.sh

echo "== all tests passed"
