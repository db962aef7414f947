"""Exceptions of slagrade and the diagnostics a contract error carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

__all__ = ["ContractError", "Diagnostic", "EventError"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a contract: a stable code, where it is and how to fix it.

    Positions are 1-based; columns count characters.
    """

    code: str
    severity: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    label: Optional[str] = None
    help: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "label": self.label,
            "help": self.help,
        }


class ContractError(ValueError):
    """The contract does not load. ``str(e)`` is the rendered report; ``e.diagnostics``
    lists every error and warning."""

    diagnostics: list[Diagnostic]

    def __init__(self, message: str, diagnostics: Optional[list[Diagnostic]] = None) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.diagnostics))


class EventError(ValueError):
    """Event input that cannot be read at all: a missing file, an unsupported container, a
    missing required column. Single bad events are not errors: they are rejected and listed
    in ``Scorecard.rejected``."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),))
