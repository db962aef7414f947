"""slagrade: executable IT-operations service contracts.

Load a ``.sla`` contract, hand it events (a list of dicts, a pandas or polars DataFrame, a
pyarrow Table or a JSON Lines file) and get exact, explainable scorecards::

    import slagrade
    contract = slagrade.Contract.from_file("egov-2026.sla")
    card = contract.evaluate("events-2026-10.jsonl")
    card.to_pandas()
    card.explain("response_timeliness")

Values, scores and money are ``decimal.Decimal``; instants are timezone-aware ``datetime``;
durations are ``timedelta``. Every rule lives in the Rust core; this package converts.
"""

from ._errors import ContractError, Diagnostic, EventError, UnknownNameError
from ._slagrade import (
    Assessment,
    AtRisk,
    Contract,
    Diff,
    Evaluator,
    Finding,
    FindingEvent,
    Indicator,
    IndicatorResult,
    Party,
    Product,
    Rejection,
    Scorecard,
    __version__,
    check,
    diff,
)

__all__ = [
    "Assessment",
    "AtRisk",
    "Contract",
    "ContractError",
    "Diagnostic",
    "Diff",
    "EventError",
    "Evaluator",
    "Finding",
    "FindingEvent",
    "Indicator",
    "IndicatorResult",
    "Party",
    "Product",
    "Rejection",
    "Scorecard",
    "UnknownNameError",
    "__version__",
    "check",
    "diff",
]
