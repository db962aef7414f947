"""Shared fixtures: the reference contract, the bundled October stream and the CLI's output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import slagrade

HERE = Path(__file__).resolve().parent
BINDINGS = HERE.parent
ROOT = BINDINGS.parent.parent
EXAMPLES = ROOT / "examples"
CONTRACT = EXAMPLES / "egov-2026.sla"
EVENTS = EXAMPLES / "events-2026-10.jsonl"


def cli_command() -> list[str]:
    """The `slagrade` command line: $SLAGRADE_BIN, a built binary, or `cargo run`."""
    env = os.environ.get("SLAGRADE_BIN")
    if env:
        return [env]
    for profile in ("release", "debug"):
        exe = ROOT / "target" / profile / "slagrade"
        if exe.exists():
            return [str(exe)]
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("no slagrade binary and no cargo")
    return [cargo, "run", "--release", "--quiet", "--manifest-path", str(ROOT / "Cargo.toml"), "--"]


def run_cli(*args: str) -> str:
    out = subprocess.run(cli_command() + list(args), capture_output=True, text=True, check=True)
    return out.stdout


@pytest.fixture(scope="session")
def events_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if EVENTS.exists():
        return EVENTS
    out = tmp_path_factory.mktemp("events") / "events.jsonl"
    run_cli("gen", "--seed", "7", "--events", "5000", "-o", str(out))
    return out


@pytest.fixture(scope="session")
def contract() -> slagrade.Contract:
    return slagrade.Contract.from_file(CONTRACT)


@pytest.fixture(scope="session")
def cli_json(events_path: Path) -> dict[str, Any]:
    return json.loads(run_cli("eval", str(CONTRACT), str(events_path), "--format", "json"))


@pytest.fixture(scope="session")
def records(events_path: Path) -> list[dict[str, Any]]:
    """The stream's lines that are JSON objects (the others cannot be a dict or a row)."""
    out = []
    for line in events_path.read_text(encoding="utf-8").splitlines():
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if isinstance(v, dict):
            out.append(v)
    return out


@pytest.fixture(scope="session")
def card(contract: slagrade.Contract, events_path: Path) -> slagrade.Scorecard:
    return contract.evaluate(events_path)


def assessments_only(d: dict[str, Any]) -> Any:
    return d["assessments"]
