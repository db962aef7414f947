"""Contracts: loading, introspection, diagnostics and errors."""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

import pytest

import slagrade
from conftest import CONTRACT

BROKEN = """contract "broken" {
  timezone "Asia/Shanghai"
  currency CNY
  term 2026-01-01 .. 2026-12-31
  period month
  calendar office {
    hours mon..fri 09:00-12:00
    holidays cn-statutory
  }
  category app "应用" calendar offfice {
    product desk "服务台"
  }
}
"""


def test_parse_text() -> None:
    c = slagrade.Contract.parse(CONTRACT.read_text(encoding="utf-8"), "egov.sla")
    assert c.name == "egov-2026"
    assert c.file_name == "egov.sla"
    assert c.timezone == "Asia/Shanghai"
    assert c.currency == "CNY"
    assert c.period_kind == "month"


def test_parse_utf8_bytes() -> None:
    c = slagrade.Contract.parse(CONTRACT.read_bytes())
    assert c.name == "egov-2026"


def test_from_file_str_and_pathlike() -> None:
    a = slagrade.Contract.from_file(str(CONTRACT))
    b = slagrade.Contract.from_file(Path(CONTRACT))
    assert a.source == b.source == CONTRACT.read_text(encoding="utf-8")


def test_from_file_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        slagrade.Contract.from_file(tmp_path / "nope.sla")


def test_check_clean_contract(contract: slagrade.Contract) -> None:
    diags = contract.check()
    assert isinstance(diags, list)
    assert all(isinstance(d, slagrade.Diagnostic) and d.severity == "warning" for d in diags)


def test_check_function_lists_errors_without_raising() -> None:
    diags = slagrade.check(BROKEN)
    assert diags and diags[0].severity == "error"
    assert slagrade.check(CONTRACT.read_text(encoding="utf-8")) == []


def test_parties(contract: slagrade.Contract) -> None:
    parties = {p.id: p for p in contract.parties}
    assert list(parties) == ["bureau", "prime", "netco", "secco", "appco"]
    assert parties["bureau"].role == "client" and parties["bureau"].fee is None
    assert parties["prime"].fee == Decimal("1200000.00")
    assert str(parties["prime"].fee) == "1200000.00"
    assert parties["netco"].covers == ["network.*"]
    assert parties["netco"].covered == ["network.egov_wan", "network.internet"]
    assert parties["secco"].title == "安全分包方"


def test_products(contract: slagrade.Contract) -> None:
    products = {p.id: p for p in contract.products}
    assert len(products) == 13
    oa = products["app.business_support.oa"]
    assert (oa.category, oa.subcategory, oa.calendar) == ("app", "business_support", "office")
    assert oa.title_zh == "协同办公业务支撑"
    assert products["network.internet"].calendar == "always"


def test_indicators(contract: slagrade.Contract) -> None:
    inds = contract.indicators
    assert [i.id for i in inds][:2] == ["anomaly_report_timeliness", "maintenance_on_time"]
    assert len(inds) == 12
    rt = next(i for i in inds if i.id == "response_timeliness")
    assert (rt.level, rt.weight, rt.target, rt.unit) == ("process", Decimal(15), ">= 95%", "fraction")
    assert sum(i.weight for i in inds) == 100


def test_contract_assessments(contract: slagrade.Contract) -> None:
    assert contract.assessments == [
        ("bureau", "prime"),
        ("prime", "netco"),
        ("prime", "secco"),
        ("prime", "appco"),
    ]


def test_contract_pickles(contract: slagrade.Contract) -> None:
    again = pickle.loads(pickle.dumps(contract))
    assert again.source == contract.source and again.name == contract.name


def test_contract_error_fields() -> None:
    with pytest.raises(slagrade.ContractError) as info:
        slagrade.Contract.parse(BROKEN, "broken.sla")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.diagnostics
    d = e.diagnostics[0]
    assert d.code.startswith("E") and len(d.code) == 5
    assert d.severity == "error"
    assert "offfice" in d.message or "calendar" in d.message
    assert (d.line, d.column) == (10, BROKEN.splitlines()[9].index("offfice") + 1)
    assert d.help is None or isinstance(d.help, str)
    assert d.to_dict()["code"] == d.code


def test_contract_error_text_is_rendered() -> None:
    with pytest.raises(slagrade.ContractError) as info:
        slagrade.Contract.parse(BROKEN, "broken.sla")
    text = str(info.value)
    d = info.value.diagnostics[0]
    assert f"error[{d.code}]" in text
    assert "broken.sla:10:" in text


def test_syntax_error_position() -> None:
    with pytest.raises(slagrade.ContractError) as info:
        slagrade.Contract.parse('contract "x" {\n  timezone 42 42\n}\n')
    d = info.value.diagnostics[0]
    assert d.code == "E0001" and d.line == 2


def test_contract_error_pickles() -> None:
    with pytest.raises(slagrade.ContractError) as info:
        slagrade.Contract.parse(BROKEN)
    e = info.value
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is slagrade.ContractError
    assert str(again) == str(e)
    assert again.diagnostics == e.diagnostics


def test_event_error_pickles() -> None:
    e = slagrade.EventError("missing required column `product`")
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is slagrade.EventError and str(again) == str(e)
    assert isinstance(again, ValueError)
