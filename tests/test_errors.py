"""workshop.errors: the stable codes and parameters every refusal carries (no Flask)."""

from __future__ import annotations

import pytest

from workshop.errors import BudgetError, PhaseError, ValidationError, WorkshopError


def test_errors_carry_a_stable_code_and_params() -> None:
    err = BudgetError("budget", budget=5, remaining=1)
    assert isinstance(err, WorkshopError)
    assert (err.code, err.params) == ("budget", {"budget": 5, "remaining": 1})
    assert "budget" in str(err)


@pytest.mark.parametrize(
    "cls, code", [(ValidationError, "invalid"), (PhaseError, "wrong_phase"), (BudgetError, "over_budget"), (WorkshopError, "error")]
)
def test_errors_default_code(cls: type[WorkshopError], code: str) -> None:
    err = cls()
    assert err.code == code and err.params == {}
    assert str(err) == code
