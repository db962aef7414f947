"""JSON Lines files read on several threads: the same result as one sequential read."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

import slagrade
from conftest import run_cli

#: the core cuts a file into ranges from this size on
MIN_SPLIT_BYTES = 4 << 20


@pytest.fixture(scope="session")
def big_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 5 MB of events over three months, with duplicates, malformed lines, blank lines
    and repeated ids of other content (other instants) spread over the whole file."""
    d = tmp_path_factory.mktemp("big")
    gen = d / "gen.jsonl"
    run_cli("gen", "--seed", "11", "--events", "30000", "--from", "2026-09", "--to", "2026-11",
            "--out-of-order", "100", "--duplicates", "20000", "--malformed", "5000", "-o", str(gen))
    lines = gen.read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i % 97 == 0:
            out.append("")
        if i % 89 == 50:
            out.append(lines[(i * 7919) % len(lines)].replace("T0", "T1"))
    path = d / "events.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    assert path.stat().st_size >= MIN_SPLIT_BYTES
    return path


def rejections(rs: list[slagrade.Rejection]) -> list[tuple[Any, str, str]]:
    return [(r.line, r.reason, r.text) for r in rs]


def cards(x: Any) -> list[dict[str, Any]]:
    return [c.to_dict() for c in (x if isinstance(x, list) else [x])]


@pytest.fixture(scope="session")
def sequential(contract: slagrade.Contract, big_events: Path) -> list[slagrade.Scorecard]:
    out = contract.evaluate(big_events, period="all", threads=1)
    assert isinstance(out, list) and len(out) >= 3
    return out


@pytest.mark.parametrize("threads", [2, 3])
def test_threads_give_the_sequential_result(contract: slagrade.Contract, big_events: Path,
                                            sequential: list[slagrade.Scorecard], threads: int) -> None:
    many = contract.evaluate(big_events, period="all", threads=threads)
    assert cards(many) == cards(sequential)
    first, other = sequential[0], many[0]
    assert other.events == first.events
    assert first.events["duplicates"] > 100 and first.events["rejected"] > 100
    assert rejections(other.rejected) == rejections(first.rejected)
    # rejected lines are numbered in the whole file, past the first range too
    last = max(r.line or 0 for r in first.rejected)
    assert last > len(big_events.read_text(encoding="utf-8").splitlines()) // 2
    for c1, c2 in zip(sequential, many):
        assert c2.explain_text("response_timeliness") == c1.explain_text("response_timeliness")
    assert cards(contract.evaluate(big_events, threads=threads)) == cards(
        contract.evaluate(big_events, threads=1))


def test_default_threads_give_the_sequential_result(contract: slagrade.Contract, big_events: Path,
                                                    sequential: list[slagrade.Scorecard]) -> None:
    many = contract.evaluate(big_events, period="all")
    assert cards(many) == cards(sequential)
    assert rejections(many[0].rejected) == rejections(sequential[0].rejected)


def test_diff_with_threads(contract: slagrade.Contract, big_events: Path) -> None:
    one = slagrade.diff(contract, contract, big_events, period="2026-10", threads=1)
    two = slagrade.diff(contract, contract, big_events, period="2026-10", threads=2)
    assert two.to_dict() == one.to_dict()


def shifted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same ids at other instants: which copy of an id counts changes the scores."""
    return [{**r, "at": r["at"].replace("T0", "T1")} for r in records if isinstance(r.get("at"), str)]


@pytest.fixture(scope="session")
def big_records(big_events: Path) -> list[dict[str, Any]]:
    out = []
    for line in big_events.read_text(encoding="utf-8").splitlines():
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if isinstance(v, dict):
            out.append(v)
    return out


@pytest.mark.parametrize("threads", [2, 3])
def test_path_after_pushed_events(contract: slagrade.Contract, big_events: Path,
                                  big_records: list[dict[str, Any]], threads: int) -> None:
    # events whose ids the file repeats later on, some from past its first range
    first = shifted(big_records[::7])
    one = contract.evaluator()
    one.push(first[0])
    one.push_many(first[1:])
    one_counts = one.push_many(big_events, threads=1)
    many = contract.evaluator()
    many.push(first[0])
    many.push_many(first[1:])
    many_counts = many.push_many(big_events, threads=threads)
    assert many_counts == one_counts
    assert one_counts["duplicates"] >= len(first) - 1
    assert many.counts == one.counts
    assert rejections(many.rejected) == rejections(one.rejected)
    assert cards(many.scorecard("all")) == cards(one.scorecard("all"))
    # the events pushed first win over the file's copies of their ids
    ref = contract.evaluator()
    ref.push_many(first + big_records)
    assert [c["assessments"] for c in cards(many.scorecard("all"))] == \
        [c["assessments"] for c in cards(ref.scorecard("all"))]
    file_first = contract.evaluator()
    file_first.push_many(big_events, threads=threads)
    file_first.push_many(first)
    assert [c["assessments"] for c in cards(file_first.scorecard("all"))] != \
        [c["assessments"] for c in cards(many.scorecard("all"))]


def test_path_into_an_empty_evaluator(contract: slagrade.Contract, big_events: Path,
                                      sequential: list[slagrade.Scorecard]) -> None:
    ev = contract.evaluator()
    counts = ev.push_many(big_events, threads=2)
    assert counts == sequential[0].events == ev.counts
    assert rejections(ev.rejected) == rejections(sequential[0].rejected)
    assert cards(ev.scorecard("all")) == cards(sequential)
    # a scorecard read before the next file keeps its events
    before = ev.scorecard("2026-10").to_dict()
    again = ev.push_many(big_events, threads=2)
    assert again["accepted"] == 0 and again["duplicates"] > 30000
    assert ev.scorecard("2026-10").to_dict()["assessments"] == before["assessments"]


def test_threads_below_one_raise(contract: slagrade.Contract, events_path: Path) -> None:
    for bad in (0, -1):
        with pytest.raises(ValueError, match="threads must be at least 1"):
            contract.evaluate(events_path, threads=bad)
        with pytest.raises(ValueError, match="threads must be at least 1"):
            contract.evaluator().push_many(events_path, threads=bad)
        with pytest.raises(ValueError, match="threads must be at least 1"):
            slagrade.diff(contract, contract, events_path, period="2026-10", threads=bad)
    with pytest.raises(TypeError):
        contract.evaluate(events_path, threads="2")  # type: ignore[arg-type]


def test_threads_with_other_input(contract: slagrade.Contract, records: list[dict[str, Any]]) -> None:
    """Other inputs take `threads` too (they are not read from a file: it changes nothing)."""
    a = contract.evaluate(records, threads=1).to_dict()
    assert contract.evaluate(records, threads=3).to_dict() == a


def test_missing_file_with_threads(contract: slagrade.Contract, tmp_path: Path) -> None:
    with pytest.raises(slagrade.EventError, match="cannot read events file"):
        contract.evaluate(tmp_path / "nowhere.jsonl", threads=2)
    with pytest.raises(slagrade.EventError, match="not a file"):
        contract.evaluator().push_many(tmp_path, threads=2)


# ---------------------------------------------------------------- files larger than memory


@pytest.mark.parametrize("threads", [1, 2])
def test_max_memory_gives_the_in_memory_scorecards(contract: slagrade.Contract, big_events: Path,
                                                   sequential: list[slagrade.Scorecard],
                                                   tmp_path: Path, threads: int) -> None:
    spill = tmp_path / "spill"
    disk = contract.evaluate(big_events, period="all", threads=threads, max_memory="1M",
                             spill_dir=spill)
    assert isinstance(disk, list)
    assert cards(disk) == cards(sequential)
    assert disk[0].events == sequential[0].events
    assert rejections(disk[0].rejected) == rejections(sequential[0].rejected)
    # explained from the partitions, which stay while scorecards made from them exist
    assert list(spill.iterdir()) != []
    for d, m in zip(disk, sequential):
        for indicator in ("response_timeliness", "repair_timeliness", "search_success_rate",
                          "vuln_scan_coverage"):
            assert d.explain_text(indicator) == m.explain_text(indicator)
        assert [(f.subject, f.product, f.status) for f in d.explain("response_timeliness")] == \
            [(f.subject, f.product, f.status) for f in m.explain("response_timeliness")]
    with pytest.raises(KeyError):
        disk[0].explain("no_such_indicator")
    assert disk[0].to_pandas().equals(sequential[0].to_pandas())
    del d, disk
    gc.collect()
    assert list(spill.iterdir()) == []


def test_max_memory_periods_and_as_of(contract: slagrade.Contract, big_events: Path) -> None:
    size = big_events.stat().st_size
    for period, as_of in [(None, None), ("2026-10", None), ("2026-09..2026-10", None),
                          (None, "2026-10-20T12:00:00+08:00"), ("all", "2026-10-20T12:00:00+08:00")]:
        mem = contract.evaluate(big_events, period=period, as_of=as_of)  # type: ignore[call-overload]
        disk = contract.evaluate(big_events, period=period, as_of=as_of,  # type: ignore[call-overload]
                                 max_memory=size // 3, threads=2)
        assert cards(disk) == cards(mem), (period, as_of)
        assert type(disk) is type(mem)


def test_max_memory_enough_reads_into_memory(contract: slagrade.Contract, big_events: Path,
                                             sequential: list[slagrade.Scorecard]) -> None:
    card = contract.evaluate(big_events, period="2026-10", max_memory="8G")
    assert card.explain_text("response_timeliness") == \
        contract.evaluate(big_events, period="2026-10").explain_text("response_timeliness")


def test_max_memory_without_accepted_events(contract: slagrade.Contract, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("not json\n" * 500 + '{"id": "x"}\n', encoding="utf-8")
    for kw in ({}, {"max_memory": 1024}):
        with pytest.raises(ValueError, match="no accepted events"):
            contract.evaluate(path, **kw)  # type: ignore[arg-type]
        assert contract.evaluate(path, period="all", **kw) == []  # type: ignore[arg-type]
        card = contract.evaluate(path, period="2026-10", **kw)  # type: ignore[arg-type]
        assert card.events == {"accepted": 0, "duplicates": 0, "rejected": 501}
        assert [r.line for r in card.rejected] == list(range(1, 502))


def test_max_memory_arguments(contract: slagrade.Contract, events_path: Path,
                              records: list[dict[str, Any]], tmp_path: Path) -> None:
    for bad in ("lots", "0", "12X", "", 0, -5, True):
        with pytest.raises(ValueError, match="is not a size"):
            contract.evaluate(events_path, max_memory=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_memory"):
        contract.evaluate(events_path, max_memory=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="JSON Lines file"):
        contract.evaluate(records, max_memory="1G")
    with pytest.raises(ValueError, match="spill_dir"):
        contract.evaluate(events_path, spill_dir=tmp_path)
    with pytest.raises(slagrade.EventError, match="cannot read events file"):
        contract.evaluate(tmp_path / "nowhere.jsonl", max_memory="1G")
    # sizes as the command line reads them
    mem = contract.evaluate(events_path).to_dict()
    for size in (65536, "64K", "64kb", "64KiB", " 65536 "):
        assert contract.evaluate(events_path, max_memory=size).to_dict() == mem
