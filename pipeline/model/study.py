"""The study a model learns from: the codebook's themes, the labelled seed set and the
everyday texts that carry no theme, read from the files the config names."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline.config import ThemesConfig, resolve_data_path

if TYPE_CHECKING:
    from pipeline.model.background import BackgroundText


@dataclass(frozen=True)
class Theme:
    id: str
    name_en: str
    name_id: str
    definition: str


@dataclass(frozen=True)
class SeedMessage:
    text: str
    themes: tuple[str, ...]
    lang: str
    split: str
    id: str = ""  # the message's id, where it came from a run (guyub import-codes)


class DataError(ValueError):
    """A codebook or labelled file that cannot be used; names the file and line."""


def load_codebook(path: Path) -> list[Theme]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DataError(f"{path}: {err}") from None
    return [
        Theme(id=key, name_en=t["name_en"], name_id=t["name_id"], definition=t["definition"])
        for key, t in data["themes"].items()
    ]


def load_labelled(path: Path, theme_ids: Sequence[str]) -> list[SeedMessage]:
    """`{"text", "themes": [...]}` per line; unknown theme ids are an error, not a skip."""
    known = set(theme_ids)
    items: list[SeedMessage] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read ({err})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, themes = row["text"], tuple(row.get("themes", ()))
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise DataError(f"{path}:{number}: not a {{'text', 'themes'}} object ({err})") from None
        unknown = [t for t in themes if t not in known]
        if unknown or not isinstance(text, str):
            raise DataError(f"{path}:{number}: unknown theme id(s) {unknown} or text not a string")
        items.append(
            SeedMessage(
                text, themes, row.get("lang", ""), row.get("split", "train"), str(row.get("id", ""))
            )
        )
    return items


def label_matrix(items: Sequence[SeedMessage], theme_ids: Sequence[str]) -> np.ndarray:
    index = {t: i for i, t in enumerate(theme_ids)}
    Y = np.zeros((len(items), len(theme_ids)), dtype=bool)
    for row, item in enumerate(items):
        for theme in item.themes:
            Y[row, index[theme]] = True
    return Y


def load_study(t: ThemesConfig) -> tuple[list[Theme], list[SeedMessage]]:
    themes = load_codebook(resolve_data_path(t.codebook))
    ids = [theme.id for theme in themes]
    seeds = load_labelled(resolve_data_path(t.seed_set), ids)
    for path in t.extra_seeds:
        seeds.extend(load_reviewed(Path(path), ids))
    return themes, seeds


def load_reviewed(path: Path, theme_ids: Sequence[str]) -> list[SeedMessage]:
    """Labelled messages people coded (`guyub import-codes`), as training seeds: one per
    message, with the themes at least half of its coders gave it."""
    coders: dict[str, int] = {}
    votes: dict[str, dict[str, int]] = {}
    items: dict[str, SeedMessage] = {}
    for number, item in enumerate(load_labelled(path, theme_ids)):
        key = item.id or f"line {number}"
        coders[key] = coders.get(key, 0) + 1
        for theme in item.themes:
            votes.setdefault(key, {})[theme] = votes.get(key, {}).get(theme, 0) + 1
        items.setdefault(key, item)
    order = {t: i for i, t in enumerate(theme_ids)}
    return [
        SeedMessage(
            item.text,
            tuple(
                sorted(
                    (t for t, n in votes.get(key, {}).items() if 2 * n >= coders[key]),
                    key=order.__getitem__,
                )
            ),
            item.lang,
            "train",
        )
        for key, item in items.items()
    ]


def load_everyday(t: ThemesConfig) -> list[BackgroundText]:
    """The everyday texts with no theme that the themes are learned against."""
    from pipeline.model.background import load_background  # it reads DataError from here

    return load_background(resolve_data_path(t.everyday)) if t.everyday else []
