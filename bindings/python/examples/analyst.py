"""Notebook-style walk through the reference contract for an analyst.

Loads the reference contract, evaluates the bundled October month from a pandas DataFrame,
prints the per-party table and saves a bar chart of indicator scores per party.

    python analyst.py [scores.png]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import slagrade  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "examples" / "egov-2026.sla"
EVENTS = ROOT / "examples" / "events-2026-10.jsonl"


def load_events(path: Path) -> pd.DataFrame:
    """The month's events as a DataFrame (lines that are not JSON objects are skipped here;
    the JSON Lines reader would report them as rejected)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if isinstance(v, dict):
            rows.append(v)
    # `at` stays RFC 3339 text, validated strictly by the contract's rules; a column of
    # timezone-aware timestamps is accepted as well (naive ones are rejected events)
    return pd.DataFrame(rows)


def main(png: str) -> None:
    # 1. the contract
    contract = slagrade.Contract.from_file(CONTRACT)
    print(f"contract {contract.name}: {len(contract.parties)} parties, "
          f"{len(contract.products)} products, {len(contract.indicators)} indicators")

    # 2. the month's events, from a DataFrame
    events = load_events(EVENTS)
    card = contract.evaluate(events, period="2026-10")
    assert isinstance(card, slagrade.Scorecard)
    print(f"period {card.period}, as of {card.as_of}, events {card.events}")

    # 3. the per-party table
    parties = pd.DataFrame(
        [
            {
                "assessor": a.assessor,
                "assessee": a.assessee,
                "score": a.score,
                **{f"{k} level": v for k, v in a.levels.items()},
                "fee": a.fee,
                "fee due": a.fee_due,
            }
            for a in card.assessments
        ]
    )
    print(parties.to_string(index=False))

    # 4. why is the prime's response timeliness what it is?
    breaches = [f for f in card.explain("response_timeliness") if f.status == "breached"]
    print(f"\nresponse timeliness: {len(breaches)} breached tickets, e.g.")
    for f in breaches[:3]:
        print(f"  {f.subject} [{f.product}] {f.elapsed} counted of {f.allowed} allowed")

    # 5. a bar chart of indicator scores per party
    rows = card.to_pandas()
    rows["score"] = rows["score"].map(lambda s: None if s is None else float(s))
    pivot = rows.pivot(index="indicator", columns="assessee", values="score")
    pivot = pivot.reindex([i.id for i in contract.indicators])
    ax = pivot.plot.bar(figsize=(12, 5), width=0.8)
    ax.set_ylabel("score (0–100)")
    ax.set_title(f"{contract.name} · {card.period} · indicator scores per party")
    ax.set_ylim(0, 105)
    ax.legend(title="party", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    plt.tight_layout()
    plt.savefig(png, dpi=100)
    print(f"\nchart saved to {png}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "scores.png")
