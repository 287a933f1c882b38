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
        items.append(SeedMessage(text, themes, row.get("lang", ""), row.get("split", "train")))
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
    seeds = load_labelled(resolve_data_path(t.seed_set), [theme.id for theme in themes])
    return themes, seeds


def load_everyday(t: ThemesConfig) -> list[BackgroundText]:
    """The everyday texts with no theme that the themes are learned against."""
    from pipeline.model.background import load_background  # it reads DataError from here

    return load_background(resolve_data_path(t.everyday)) if t.everyday else []
