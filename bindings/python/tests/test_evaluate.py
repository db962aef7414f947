"""Evaluation: every input type, equality with the CLI, Decimal exactness, periods, explain."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import slagrade
from conftest import run_cli, CONTRACT

CST = timezone(timedelta(hours=8))


def valid_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records that the contract accepts: comparable across every input type."""
    c = slagrade.Contract.from_file(CONTRACT)
    ev = c.evaluator()
    return [r for r in records if ev.push(r) == "accepted"]


def test_path_equals_cli(contract: slagrade.Contract, events_path: Path, cli_json: dict[str, Any]) -> None:
    card = contract.evaluate(events_path)
    assert card.to_dict() == cli_json
    assert contract.evaluate(str(events_path)).to_dict() == cli_json


def test_records_equal_cli(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    card = contract.evaluate(records)
    got = card.to_dict()
    assert got["assessments"] == cli_json["assessments"]
    assert got["as_of"] == cli_json["as_of"]
    assert got["events"]["accepted"] == cli_json["events"]["accepted"]
    assert got["events"]["duplicates"] == cli_json["events"]["duplicates"]


def test_generator_input(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    card = contract.evaluate(r for r in records)
    assert card.to_dict()["assessments"] == cli_json["assessments"]


def test_pandas_equals_cli(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    df = pd.DataFrame(records)
    card = contract.evaluate(df)
    got = card.to_dict()
    assert got["assessments"] == cli_json["assessments"]
    assert got["events"]["accepted"] == cli_json["events"]["accepted"]
    # the row with a missing `id` is rejected, with its row number
    assert any(r.reason == "missing `id`" and r.line is not None for r in card.rejected)


def test_pandas_tz_aware_timestamps(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    df = pd.DataFrame(valid_rows(records))
    df["at"] = pd.to_datetime(df["at"], format="ISO8601", utc=True).dt.tz_convert("Asia/Shanghai")
    assert isinstance(df["at"].dtype, pd.DatetimeTZDtype)
    card = contract.evaluate(df)
    assert card.to_dict()["assessments"] == cli_json["assessments"]
    assert card.events["rejected"] == 0


def test_pandas_naive_timestamps_are_rejected_events(contract: slagrade.Contract) -> None:
    df = pd.DataFrame(
        {
            "id": ["a", "b"],
            "at": pd.to_datetime(["2026-10-12 10:00:00", "2026-10-12 11:00:00"]),
            "kind": ["ticket.opened", "net.probe"],
            "subject": ["T-1", "P-1"],
            "product": ["infra.servers", "network.internet"],
            "priority": ["P1", None],
            "latency_ms": [None, 20.5],
        }
    )
    ev = contract.evaluator()
    counts = ev.push_many(df)
    assert counts == {"accepted": 0, "duplicates": 0, "rejected": 2}
    assert all("time zone" in r.reason for r in ev.rejected)


def test_pandas_attributes_as_columns(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    rows = valid_rows(records)
    flat = pd.json_normalize(rows)
    flat.columns = [c.removeprefix("attrs.") for c in flat.columns]
    assert "attrs" not in flat.columns and "priority" in flat.columns
    card = contract.evaluate(flat)
    assert card.to_dict()["assessments"] == cli_json["assessments"]
    assert card.events["rejected"] == 0


def test_pandas_attrs_as_json_strings(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    df = pd.DataFrame(valid_rows(records))
    df["attrs"] = [json.dumps(a) if isinstance(a, dict) else a for a in df["attrs"]]
    card = contract.evaluate(df)
    assert card.to_dict()["assessments"] == cli_json["assessments"]


def test_polars(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    rows = valid_rows(records)
    df = pl.DataFrame(
        {
            "id": [r["id"] for r in rows],
            "at": [r["at"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "subject": [r["subject"] for r in rows],
            "product": [r.get("product") for r in rows],
            "attrs": [json.dumps(r.get("attrs", {})) for r in rows],
        }
    )
    card = contract.evaluate(df)
    assert card.to_dict()["assessments"] == cli_json["assessments"]


def test_polars_tz_datetime(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    pdf = pd.DataFrame(valid_rows(records))
    pdf["at"] = pd.to_datetime(pdf["at"], format="ISO8601", utc=True)
    pdf["attrs"] = [json.dumps(a) for a in pdf["attrs"]]
    df = pl.from_pandas(pdf)
    assert isinstance(df.schema["at"], pl.Datetime) and df.schema["at"].time_zone is not None
    card = contract.evaluate(df)
    assert card.to_dict()["assessments"] == cli_json["assessments"]


def test_pyarrow(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    rows = valid_rows(records)
    table = pa.table(
        {
            "id": [r["id"] for r in rows],
            "at": [r["at"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "subject": [r["subject"] for r in rows],
            "product": [r.get("product") for r in rows],
            "attrs": [json.dumps(r.get("attrs", {})) for r in rows],
        }
    )
    card = contract.evaluate(table)
    assert card.to_dict()["assessments"] == cli_json["assessments"]


def test_pyarrow_timestamps_and_attribute_columns(contract: slagrade.Contract, records: list[dict[str, Any]], cli_json: dict[str, Any]) -> None:
    flat = pd.json_normalize(valid_rows(records))
    flat.columns = [c.removeprefix("attrs.") for c in flat.columns]
    flat["at"] = pd.to_datetime(flat["at"], format="ISO8601", utc=True)
    table = pa.Table.from_pandas(flat, preserve_index=False)
    assert pa.types.is_timestamp(table.schema.field("at").type)
    card = contract.evaluate(table)
    assert card.to_dict()["assessments"] == cli_json["assessments"]
    assert card.events["rejected"] == 0


def test_decimal_exactness(card: slagrade.Scorecard, cli_json: dict[str, Any]) -> None:
    for a, ja in zip(card.assessments, cli_json["assessments"]):
        assert isinstance(a.score, Decimal) and str(a.score) == ja["score"]
        assert isinstance(a.fee_due, Decimal) and str(a.fee_due) == ja["fee_due"]
        assert {k: (None if v is None else str(v)) for k, v in a.levels.items()} == ja["levels"]
        for i, ji in zip(a.indicators, ja["indicators"]):
            assert i.id == ji["id"]
            if ji["value"] is None:
                assert i.value is None and i.score is None
            else:
                assert isinstance(i.value, Decimal) and str(i.value) == ji["value"]
                assert isinstance(i.score, Decimal) and str(i.score) == ji["score"]
            assert i.weight == Decimal(ji["weight"])
    prime = card.assessment("prime")
    # 4 decimal places for values, 2 for scores, as the contract says
    assert all(i.value is None or i.value.as_tuple().exponent == -4 for i in prime.indicators)
    assert prime.score is not None and prime.score.as_tuple().exponent == -2


def test_instants_are_aware(card: slagrade.Scorecard, cli_json: dict[str, Any]) -> None:
    assert card.as_of is not None and card.as_of.utcoffset() == timedelta(hours=8)
    assert card.as_of.isoformat() == cli_json["as_of"]
    assert card.period == "2026-10"
    assert card.period_start == datetime(2026, 10, 1, tzinfo=CST)
    assert card.period_end == datetime(2026, 11, 1, tzinfo=CST)
    assert card.contract == "egov-2026" and card.currency == "CNY"


def test_period_range_gives_a_list(contract: slagrade.Contract, events_path: Path) -> None:
    cards = contract.evaluate(events_path, period="2026-09..2026-11")
    assert isinstance(cards, list)
    assert [c.period for c in cards] == ["2026-09", "2026-10", "2026-11"]
    cli = json.loads(run_cli("eval", str(CONTRACT), str(events_path), "--format", "json", "--period", "2026-09..2026-11"))
    assert [c.to_dict() for c in cards] == cli


def test_period_all(contract: slagrade.Contract, events_path: Path) -> None:
    cards = contract.evaluate(events_path, period="all")
    assert isinstance(cards, list) and "2026-10" in [c.period for c in cards]
    single = contract.evaluate(events_path, period="2026-10")
    assert isinstance(single, slagrade.Scorecard)


def test_bad_period(contract: slagrade.Contract, events_path: Path) -> None:
    with pytest.raises(ValueError):
        contract.evaluate(events_path, period="2026-13")
    with pytest.raises(ValueError):
        contract.evaluate(events_path, period="2026-Q4")


def test_as_of_string_and_datetime(contract: slagrade.Contract, events_path: Path) -> None:
    a = contract.evaluate(events_path, as_of="2026-10-20T00:00:00+08:00")
    b = contract.evaluate(events_path, as_of=datetime(2026, 10, 19, 16, 0, tzinfo=timezone.utc))
    assert a.to_dict() == b.to_dict()
    cli = json.loads(run_cli("eval", str(CONTRACT), str(events_path), "--format", "json", "--as-of", "2026-10-20T00:00:00+08:00"))
    assert a.to_dict() == cli


def test_as_of_naive_is_an_error(contract: slagrade.Contract, events_path: Path) -> None:
    with pytest.raises(ValueError):
        contract.evaluate(events_path, as_of=datetime(2026, 10, 20))
    with pytest.raises(ValueError):
        contract.evaluate(events_path, as_of="2026-10-20 00:00")


def test_rejected_events_are_listed(card: slagrade.Scorecard, cli_json: dict[str, Any]) -> None:
    assert len(card.rejected) == cli_json["events"]["rejected"] == card.events["rejected"]
    r = card.rejected[0]
    assert isinstance(r, slagrade.Rejection)
    assert isinstance(r.line, int) and r.reason and r.text


def test_to_json(card: slagrade.Scorecard, cli_json: dict[str, Any]) -> None:
    assert json.loads(card.to_json()) == cli_json
    assert json.loads(card.to_json(indent=2)) == cli_json
    assert "\n  " in card.to_json(indent=2)


def test_to_pandas(card: slagrade.Scorecard) -> None:
    df = card.to_pandas()
    assert len(df) == 4 * 12
    assert {"assessor", "assessee", "indicator", "value", "score", "met", "breached"} <= set(df.columns)
    row = df[(df.assessee == "prime") & (df.indicator == "response_timeliness")].iloc[0]
    assert isinstance(row["value"], Decimal)
    assert row["value"] == card.assessment("prime").indicator("response_timeliness").value


def test_to_csv_and_table(card: slagrade.Scorecard) -> None:
    csv = card.to_csv()
    assert csv.count("\n") == 1 + 48 and csv.startswith("period,assessor")
    assert "服务响应及时率" in card.to_table()
    assert str(card) == card.to_table()


def test_explain_breaches(card: slagrade.Scorecard) -> None:
    found = card.explain("response_timeliness")
    ind = card.assessment("prime").indicator("response_timeliness")
    breached = [f for f in found if f.status == "breached"]
    assert len(breached) == ind.breached
    f = breached[0]
    assert isinstance(f.elapsed, timedelta) and isinstance(f.allowed, timedelta)
    assert f.elapsed > f.allowed
    assert f.events and f.events[0].step == "start"
    assert f.events[0].at is not None and f.events[0].at.tzinfo is not None


def test_explain_per_assessee(card: slagrade.Scorecard) -> None:
    netco = card.explain("response_timeliness", assessee="netco")
    assert all(f.product.startswith("network.") for f in netco)
    assert len([f for f in netco if f.status == "breached"]) == card.assessment("netco").indicator("response_timeliness").breached
    plans = card.explain("maintenance_on_time")
    assert all(f.due is not None for f in plans if f.status == "breached")
    assert "response_timeliness" in card.explain_text("response_timeliness", "netco")
    with pytest.raises(KeyError):
        card.explain("no_such_indicator")
    with pytest.raises(KeyError):
        card.explain("response_timeliness", assessee="nobody")


def test_worked_example_make_up_saturday(contract: slagrade.Contract) -> None:
    events = [
        {"id": "e1", "at": "2026-10-09T17:20:00+08:00", "kind": "ticket.opened", "subject": "T-1",
         "product": "app.om_mgmt.desk", "attrs": {"priority": "P2"}},
        {"id": "e2", "at": "2026-10-12T09:15:00+08:00", "kind": "ticket.acknowledged", "subject": "T-1",
         "product": "app.om_mgmt.desk"},
    ]
    card = contract.evaluate(events)
    ind = card.assessment("prime").indicator("response_timeliness")
    assert (ind.met, ind.breached, ind.value) == (0, 1, Decimal("0.0000"))
    (f,) = card.explain("response_timeliness")
    # 10 min Friday + 7 h on the make-up Saturday + 15 min Monday
    assert f.elapsed == timedelta(hours=7, minutes=25)
    assert f.allowed == timedelta(minutes=30)
