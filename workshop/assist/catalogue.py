"""The catalogue of common themes the assistant seeds on (``sessions/themes/*.toml``).

A catalogue is a TOML file in the plans' spirit: a list of ``[[themes]]`` with
a ``key``, a French ``name`` and one-line ``description``, and optionally
``name_en`` / ``description_en``.  A plan may name another catalogue file, or
list its own themes (see ``sessions/README.md``); :func:`parse_catalogue`
validates either shape and says what is wrong, in the plans' way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..resources import resource_dir

THEMES_DIR = resource_dir("sessions") / "themes"  # in the checkout, or inside the installed wheel
DEFAULT_CATALOGUE = "politique-de-la-ville"
THEME_KEYS = ("key", "name", "description", "name_en", "description_en")
MAX_THEMES = 100
MAX_NAME = 120
MAX_DESCRIPTION = 400
_KEY = re.compile(r"^[a-z0-9_-]{1,40}$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


@dataclass(frozen=True)
class CatalogueTheme:
    """One common theme: a name and a one-line description, in French and English."""

    key: str
    name: str
    description: str
    name_en: str = ""
    description_en: str = ""

    def title(self, language: str = "fr") -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def summary(self, language: str = "fr") -> str:
        return self.description_en if language == "en" and self.description_en else self.description

    def seed_text(self, language: str = "fr") -> str:
        """What the model reads for this theme: its name and its description."""
        return f"{self.title(language)} : {self.summary(language)}"


def _invalid(source: str, detail: str) -> ValidationError:
    return ValidationError("invalid_catalogue", source=source, detail=detail)


def parse_themes(items: Any, source: str) -> tuple[CatalogueTheme, ...]:
    """Validate a list of theme tables (from a catalogue file or a plan's ``catalogue``)."""
    if not isinstance(items, list) or not items:
        raise _invalid(source, "'themes' must be a non-empty list of [[themes]] tables")
    if len(items) > MAX_THEMES:
        raise _invalid(source, f"at most {MAX_THEMES} themes")
    out: list[CatalogueTheme] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise _invalid(source, f"theme {n} must be a table with key, name and description")
        for k in item:
            if k not in THEME_KEYS:
                raise _invalid(source, f"unknown key '{k}' in theme {n} (expected one of: {', '.join(THEME_KEYS)})")
        values = {}
        for k in THEME_KEYS:
            value = item.get(k, "")
            if not isinstance(value, str):
                raise _invalid(source, f"'{k}' of theme {n} must be text")
            value = " ".join(value.split())
            limit = MAX_NAME if k.startswith("name") or k == "key" else MAX_DESCRIPTION
            if len(value) > limit:
                raise _invalid(source, f"'{k}' of theme {n} is longer than {limit} characters")
            values[k] = value
        if not values["name"] or not values["description"]:
            raise _invalid(source, f"theme {n} needs a name and a description")
        key = values["key"] or f"theme-{n}"
        if not _KEY.match(key):
            raise _invalid(source, f"key '{key}' of theme {n}: lower-case letters, digits, '-' and '_' only")
        if key in seen:
            raise _invalid(source, f"key '{key}' appears twice")
        seen.add(key)
        out.append(CatalogueTheme(**{**values, "key": key}))
    return tuple(out)


def parse_catalogue(text: str, source: str = "<catalogue>") -> tuple[CatalogueTheme, ...]:
    """A catalogue file's text → its themes."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _invalid(source, str(error)) from None
    for k in raw:
        if k != "themes":
            raise _invalid(source, f"unknown key '{k}' at the top level (expected [[themes]])")
    return parse_themes(raw.get("themes"), source)


def catalogue_path(name: str, directory: Path = THEMES_DIR) -> Path:
    """The file of a catalogue named in a plan (``"mon-catalogue"`` → sessions/themes/mon-catalogue.toml)."""
    if not _FILE_NAME.match(name) or name.startswith("."):
        raise _invalid(name, "a catalogue is named by its file name in sessions/themes/, without folders")
    return directory / f"{name.removesuffix('.toml')}.toml"


def load_catalogue(name: str = DEFAULT_CATALOGUE, directory: Path = THEMES_DIR) -> tuple[CatalogueTheme, ...]:
    """The themes of a catalogue file in ``sessions/themes/``."""
    path = catalogue_path(name, directory)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        names = ", ".join(sorted(p.stem for p in directory.glob("*.toml")))
        raise _invalid(name, f"no catalogue '{path.name}' in {directory} (there are: {names})") from None
    return parse_catalogue(text, path.name)


# --------------------------------------------------------------------------- a plan's own catalogue

CATALOGUES_DIR = "assist-catalogues"  # in the instance folder, one JSON file per workshop code


def save_workshop_catalogue(instance_path: str | Path, code: str, themes: tuple[CatalogueTheme, ...]) -> Path:
    """Keep the catalogue a plan chose for the workshop it created (read by the server's assistant)."""
    import json
    from dataclasses import asdict

    folder = Path(instance_path) / CATALOGUES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}.json"
    path.write_text(json.dumps([asdict(t) for t in themes], ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def workshop_catalogue(instance_path: str | Path | None, code: str) -> tuple[CatalogueTheme, ...] | None:
    """The catalogue a workshop's plan chose, or ``None`` (the shipped one)."""
    import json

    if not instance_path:
        return None
    path = Path(instance_path) / CATALOGUES_DIR / f"{code}.json"
    try:
        return parse_themes(json.loads(path.read_text(encoding="utf-8")), path.name)
    except (OSError, ValueError):
        return None
