"""Type stubs of slagrade."""

from ._errors import ContractError as ContractError, Diagnostic as Diagnostic, EventError as EventError
from ._errors import UnknownNameError as UnknownNameError
from ._slagrade import (
    Assessment as Assessment,
    AtRisk as AtRisk,
    Contract as Contract,
    Diff as Diff,
    Evaluator as Evaluator,
    Finding as Finding,
    FindingEvent as FindingEvent,
    Indicator as Indicator,
    IndicatorResult as IndicatorResult,
    Party as Party,
    Product as Product,
    Rejection as Rejection,
    Scorecard as Scorecard,
    __version__ as __version__,
    check as check,
    diff as diff,
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
