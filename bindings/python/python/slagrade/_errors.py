"""Exceptions of slagrade and the diagnostics a contract error carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

__all__ = ["ContractError", "Diagnostic", "EventError", "UnknownNameError"]


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
        """The diagnostic as a dict, as `slagrade check --format json` lists it."""
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


class UnknownNameError(KeyError):
    """A name the scorecard does not hold: an assessee, an assessor or an indicator.
    ``str(e)`` says what was asked, the close name when there is one ("did you mean
    `netco`?") and the names there are; ``e.what`` (``"assessee"``, ``"assessor"`` or
    ``"indicator"``), ``e.name``, ``e.suggestion`` (or None) and ``e.known`` hold them.
    A ``KeyError``, as a missing key of a mapping is."""

    what: str
    name: str
    suggestion: Optional[str]
    known: list[str]

    def __init__(self, message: str, what: str, name: str, suggestion: Optional[str],
                 known: list[str]) -> None:
        super().__init__(message)
        self.what = what
        self.name = name
        self.suggestion = suggestion
        self.known = list(known)

    def __str__(self) -> str:
        # the message as it is (a KeyError shows the repr of its argument)
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.what, self.name, self.suggestion, self.known))
