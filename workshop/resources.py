"""Where the screens and the shipped plans are: ``static/``, ``templates/``, ``sessions/``.

They sit at the top of the repository; the wheel maps them into the package
(``workshop/static`` …, see ``[tool.hatch.build.targets.wheel.force-include]``
in pyproject.toml).  So an installed copy finds them through
:mod:`importlib.resources` inside the package, and a checkout (editable
install, or ``python -m workshop`` from the tree) next to it.  Standard
library only: ``workshop --help`` imports this without Flask.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

NAMES = ("static", "templates", "sessions")


def resource_dir(name: str) -> Path:
    """The directory ``name`` (one of :data:`NAMES`), installed or in the checkout."""
    if name not in NAMES:
        raise ValueError(f"unknown resource directory {name!r}")
    packaged = files("workshop") / name
    if packaged.is_dir():
        # A wheel is always unpacked on disk (no zip imports for workshop), so this is a real path.
        with as_file(packaged) as path:
            return Path(path)
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"workshop is installed without its {name}/ folder (looked in {packaged} and {checkout})")


def shipped_plans() -> Path:
    """The folder of ready-to-run workshop plans (``workshop new <name>``)."""
    return resource_dir("sessions")


DEFAULT_PLAN_NAME = "politique-de-la-ville-2030"
