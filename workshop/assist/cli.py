"""``workshop assist group``: group a list of ideas, to prepare a workshop or check the assistant.

    workshop assist group --ideas idees.txt [--themes themes.txt] [--format json]

One idea per line; one theme per line, a title alone or ``title: description``.
With themes, each idea goes to the theme the assistant is confident about
(titles printed exactly as given), the others stay unsorted; without themes,
the assistant proposes its own (catalogue titles, or a group's distinctive
words).  Line numbers are 1-based, as an editor shows them; blank lines are
skipped.  The model runs here, synchronously: no server is needed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..errors import ValidationError, WorkshopError
from .embedder import INSTALL_HINT, load_embedder


def read_lines(path: Path) -> list[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers."""
    text = path.read_text(encoding="utf-8-sig")
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def parse_theme(line: str) -> tuple[str, str]:
    """``title: description`` → (title, description); a title alone has no description."""
    title, sep, description = line.partition(":")
    if sep and title.strip() and description.strip():
        return title.strip(), description.strip()
    return line.strip(), ""


def group(ideas: list[tuple[int, str]], themes: list[tuple[str, str]] | None, embedder, language: str = "fr") -> dict:
    """The grouping as ``{"groups": [{"title", "ideas"}], "unsorted": [...]}`` (line numbers)."""
    import numpy as np

    from . import engine
    from .catalogue import load_catalogue

    catalogue = load_catalogue()
    texts = [t for _, t in ideas]
    lines = [n for n, _ in ideas]
    cat_texts = [c.seed_text(language) for c in catalogue]
    theme_texts = [" : ".join(x for x in theme if x) for theme in themes or []]
    titles = [t for t, _ in themes or []]
    all_vectors = embedder.embed(texts + cat_texts + titles + theme_texts)
    n, c, t = len(texts), len(cat_texts), len(titles)
    vectors, cat_vectors = all_vectors[:n], all_vectors[n : n + c]
    title_vectors, full_vectors = all_vectors[n + c : n + c + t], all_vectors[n + c + t :]
    seeds_catalogue = [engine.CatalogueSeed(e.key, e.title(language), e.summary(language), v) for e, v in zip(catalogue, cat_vectors)]
    cal = embedder.calibration
    if themes:
        seeds = [
            engine.ThemeSeed(k, titles[k], np.stack([title_vectors[k], full_vectors[k]]) if themes[k][1] else title_vectors[k][None, :])
            for k in range(t)
        ]
        result = engine.suggest(list(range(n)), vectors, seeds, seeds_catalogue, cal, texts, texts)
        members: dict[int, list[int]] = {k: [] for k in range(t)}
        unsorted = []
        for s in result.suggestions:
            (members[s.theme_id] if s.confident else unsorted).append(lines[s.idea_id])
        groups = [{"title": titles[k], "ideas": members[k]} for k in range(t)]
    else:
        proposals = engine.propose(list(range(n)), vectors, seeds_catalogue, cal, texts, texts)
        groups = [{"title": p.title, "ideas": [lines[i] for i in p.idea_ids]} for p in proposals]
        taken = {i for p in proposals for i in p.idea_ids}
        unsorted = [lines[i] for i in range(n) if i not in taken]
    return {"groups": groups, "unsorted": sorted(unsorted)}


@click.group()
def assist():
    """The offline grouping assistant (optional extra: pip install -e '.[assist]')."""


@assist.command("group")
@click.option(
    "--ideas", "ideas_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="One idea per line."
)
@click.option(
    "--themes",
    "themes_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="One theme per line: 'title' or 'title: description'.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def group_command(ideas_path, themes_path, fmt):
    """Sort the ideas of a file into themes (given, or proposed); line numbers are 1-based."""
    from ..commands import cli_lang, fail, npgettext

    try:
        embedder = load_embedder(os.environ.get("WORKSHOP_ASSIST_EMBEDDER") or None)
        if embedder is None:
            raise ValidationError("assist_unavailable", command=INSTALL_HINT)
        ideas = read_lines(ideas_path)
        themes = [parse_theme(line) for _n, line in read_lines(themes_path)] if themes_path else None
        result = group(ideas, themes, embedder, cli_lang())
    except WorkshopError as error:
        fail(error)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for g in result["groups"]:
        click.echo(f"{g['title']} — " + npgettext("cli", "%(num)s idea", "%(num)s ideas", len(g["ideas"])))
        for n in g["ideas"]:
            click.echo(f"  {n:>4}  {dict(ideas)[n]}")
    click.echo(npgettext("cli", "Unsorted — %(num)s idea", "Unsorted — %(num)s ideas", len(result["unsorted"])))
    for n in result["unsorted"]:
        click.echo(f"  {n:>4}  {dict(ideas)[n]}")
