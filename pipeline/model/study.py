"""The study a model learns from: the codebook's themes, the labelled seed set and the
everyday texts that carry no theme, read from the files the config names."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Sequence
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
    return read_codebook_file(path)[0]


def read_codebook_file(path: Path) -> tuple[list[Theme], dict[str, str]]:
    """A codebook's themes, and the other names a label may give one of them (its
    sub-codes: a label naming one counts as its theme). A TOML codebook
    (`[themes.ID]` with name_en, name_id, definition and optional `subcodes`), or a
    REFI-QDA codebook (`.qdc`) exported from a QDA tool: its top-level codes are the
    themes (ids made from their names), the codes nested in them roll up to them."""
    if path.suffix.lower() == ".qdc":
        return _qdc_codebook(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        themes = [
            Theme(id=key, name_en=t["name_en"], name_id=t["name_id"], definition=t["definition"])
            for key, t in data["themes"].items()
        ]
        subcodes = {
            str(name): key for key, t in data["themes"].items() for name in t.get("subcodes", [])
        }
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DataError(f"{path}: {err}") from None
    except (KeyError, TypeError, AttributeError) as err:
        raise DataError(
            f"{path}: each [themes.ID] needs name_en, name_id and definition ({err} missing)"
        ) from None
    return themes, subcodes


def code_id(name: str) -> str:
    """A theme id made from a code's name: lowercase words joined by underscores."""
    return "_".join(re.findall(r"\w+", name.casefold())) or "code"


def _qdc_codebook(path: Path) -> tuple[list[Theme], dict[str, str]]:
    """Themes from a REFI-QDA codebook: its top-level codes, or the codes inside a
    top-level folder (a code that cannot be coded with); deeper codes roll up to them.
    The emergent topics of a codebook Guyub exported are not themes."""
    from pipeline.qda.read import QdaError, read_codebook
    from pipeline.qda.refi import EMERGENT, guid, theme_of_description

    try:
        codes = read_codebook(path)
    except QdaError as err:
        raise DataError(str(err)) from None
    themes: list[Theme] = []
    theme_of: dict[str, str] = {}  # code guid -> theme id
    folders = {c.guid for c in codes.values() if c.parent is None and not c.codable}
    skipped = {guid("code", EMERGENT)}
    subcodes: dict[str, str] = {}
    for code in codes.values():  # parents come before their children
        if code.guid in skipped or code.parent in skipped:
            skipped.add(code.guid)
        elif code.parent is None and code.guid in folders:
            continue
        elif code.parent is None or code.parent in folders:
            described = theme_of_description(code.description)
            if described:  # a theme of a codebook Guyub exported: its own id and names
                definition, theme_id, name_id = described
                theme = Theme(theme_id, code.name, name_id, definition)
            else:
                theme = Theme(
                    code_id(code.name), code.name, code.name, code.description or code.name
                )
            if theme.id in theme_of.values():
                raise DataError(f"{path}: two theme codes are named {code.name!r}")
            themes.append(theme)
            theme_of[code.guid] = theme.id
        elif code.parent in theme_of:
            theme_of[code.guid] = theme_of[code.parent]
            subcodes[code_id(code.name)] = theme_of[code.parent]
    if not themes:
        raise DataError(f"{path}: no codes to make themes of")
    return themes, subcodes


def json_lines(path: Path, what: str) -> Iterator[tuple[int, dict]]:
    """The JSON objects of a file, one a line, with their line numbers; a line that is
    not one is an error naming the file and line (`what`: the object expected)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read ({err})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}:{number}: not a {what} object ({err})") from None
        if not isinstance(row, dict):
            raise DataError(f"{path}:{number}: not a {what} object")
        yield number, row


def load_labelled(
    path: Path, theme_ids: Sequence[str], subcodes: dict[str, str] | None = None
) -> list[SeedMessage]:
    """`{"text", "themes": [...]}` per line; a sub-code counts as its theme (`subcodes`);
    unknown theme ids are an error, not a skip."""
    subcodes = subcodes or {}
    known = set(theme_ids)
    items: list[SeedMessage] = []
    for number, row in json_lines(path, "{'text', 'themes'}"):
        try:
            text = row["text"]
            themes = tuple(dict.fromkeys(subcodes.get(t, t) for t in row.get("themes", ())))
        except (KeyError, TypeError, AttributeError) as err:
            raise DataError(f"{path}:{number}: not a {{'text', 'themes'}} object ({err})") from None
        if not isinstance(text, str):
            raise DataError(f"{path}:{number}: the text is not a string")
        unknown = [t for t in themes if t not in known]
        if unknown:
            raise DataError(
                f"{path}:{number}: theme(s) {unknown} are not in the codebook (its themes: "
                f"{', '.join(theme_ids)}); a codebook of your own needs seeds of its own: "
                "`guyub init DIR --codebook FILE` starts a project with a seed file to fill"
            )
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
    themes, subcodes = read_codebook_file(resolve_data_path(t.codebook))
    ids = [theme.id for theme in themes]
    seeds = load_labelled(resolve_data_path(t.seed_set), ids, subcodes)
    for path in t.extra_seeds:
        seeds.extend(load_reviewed(Path(path), ids, subcodes))
    return themes, seeds


# Below this many train seeds a theme is learned poorly: on the study's seed set, macro-F1
# on the test split is 0.27 with 5 seeds a theme, 0.44 with 10, 0.58 with 20, 0.74 with
# 40 and 0.83 with all (61-97 a theme), `python -m bench.seed_curve`.
FEW_SEEDS = 40


def few_seeds(themes: Sequence[Theme], seeds: Sequence[SeedMessage]) -> dict[str, int]:
    """The themes with fewer than FEW_SEEDS train seeds, and how many they have."""
    counts = dict.fromkeys((t.id for t in themes), 0)
    for seed in seeds:
        if seed.split == "train":
            for theme in seed.themes:
                counts[theme] += 1
    return {theme: n for theme, n in counts.items() if n < FEW_SEEDS}


def load_reviewed(
    path: Path, theme_ids: Sequence[str], subcodes: dict[str, str] | None = None
) -> list[SeedMessage]:
    """Labelled messages people coded (`guyub import-codes`), as training seeds: one per
    message, with the themes at least half of its coders gave it."""
    coders: dict[str, int] = {}
    votes: dict[str, dict[str, int]] = {}
    items: dict[str, SeedMessage] = {}
    for number, item in enumerate(load_labelled(path, theme_ids, subcodes)):
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
