"""Errors raised by the domain and service layers.

Each error carries a stable machine ``code`` (what a client switches on) and
``params`` (what a person needs to understand it).  The human sentence is not
built here: the web adapters look the code up in the translation catalogue, so
the same error reads in French or English depending on who receives it.  This
module imports nothing from Flask on purpose.
"""

from __future__ import annotations

from typing import Any


class WorkshopError(Exception):
    """Base class: something a user asked for cannot be done, and why."""

    code = "error"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code} {params}" if params else self.code)


class ValidationError(WorkshopError):
    """The payload is malformed or a value is out of range."""

    code = "invalid"


class NotFound(WorkshopError):
    """The thing referred to does not exist (or is not visible to the caller)."""

    code = "not_found"


class Forbidden(WorkshopError):
    """The caller is known but not allowed to do this."""

    code = "forbidden"


class PhaseError(WorkshopError):
    """The round's current phase does not allow this."""

    code = "wrong_phase"


class BudgetError(WorkshopError):
    """A vote would exceed the dot budget or the per-item cap."""

    code = "over_budget"


class Unauthenticated(WorkshopError):
    """No valid token or join code was presented."""

    code = "unauthenticated"


class Busy(WorkshopError):
    """The database stayed locked (another process, a slow disk) past the wait bound: "not now", not "no"."""

    code = "busy"


class Conflict(WorkshopError):
    """The thing was changed by someone else since the sender read it (compare-and-set on its version)."""

    code = "conflict"
