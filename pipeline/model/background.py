"""Everyday text: what a message with none of the study's themes looks like.

The seed set is written to carry themes; real groups mostly do not (greetings, family,
feelings, prices, complaints). A model trained on seeds alone gives a theme to most
everyday texts. The background is a sample of public everyday Indonesian, Banjarese and
English text (`configs/background.jsonl`), used as *weak* negatives: a few of its texts
do carry a theme, so each weighs less than a seed in training, and it mostly sets the
thresholds' budget of false claims (see `themes.calibrate_thresholds`).

The file is derived from the public corpora beside the project by

    python -m pipeline.model.background ../shared/corpora -o configs/background.jsonl

and a test checks that this reproduces it. Only the corpora's train splits (and sets
that have no split) become `train` rows; validation splits become `test` rows, which
each model scores as held-out everyday text. Test splits are never read.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.model.study import DataError

# Seeds the sampling of capped parts, so the same corpora always give the same file.
SAMPLE_SEED = 20261206
# Long reviews are cut: a group message is rarely longer, and the cut keeps the file small.
MAX_CHARS = 400
# Corpus placeholders as a chat would show the thing they hide, so that the normaliser
# masks them as it masks real mentions, links and numbers.
_PLACEHOLDERS = [
    (re.compile(r"\[USERNAME\]|xxxuserxxx"), "@user"),
    (re.compile(r"\[URL\]"), "https://t.co/x"),
    (re.compile(r"xxxnumberxxx"), "3"),
    (re.compile(r"\[SENSITIVE-NO\]"), "3"),
]


@dataclass(frozen=True)
class BackgroundText:
    text: str
    source: str
    split: str  # "train": used in fitting; "test": scored as held-out everyday text


def load_background(path: Path) -> list[BackgroundText]:
    """`{"text", "source", "split"}` per line; a damaged row is an error naming its line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read ({err})") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append(BackgroundText(str(row["text"]), str(row["source"]), str(row["split"])))
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise DataError(f"{path}:{number}: not a background row ({err})") from None
    return rows


def _clean(text: str) -> str:
    for pattern, replacement in _PLACEHOLDERS:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text[:MAX_CHARS].rsplit(" ", 1)[0] if len(text) > MAX_CHARS else text


def _csv_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def _tsv_first(path: Path) -> list[str]:
    """SmSA's rows: `text<TAB>label`, no header."""
    return [line.rsplit("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]


def _lines(*paths: Path) -> list[str]:
    return [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]


def corpus_sources(corpora: Path) -> Iterator[tuple[str, str, int, list[str]]]:
    """(source, split, at most, texts) for each part of the background. Train splits
    and unsplit sets give `train` rows; validation splits give `test` rows."""
    indonlu = corpora / "indonlu-smsa-emot"
    nusax = corpora / "nusax-banjarese" / "sentiment"
    stif = corpora / "stif-indonesia"
    yield "indonlu-emot", "train", 0, _csv_column(indonlu / "emot/train_preprocess.csv", "tweet")
    yield "indonlu-smsa", "train", 4000, _tsv_first(indonlu / "smsa/train_preprocess.tsv")
    yield "stif-indonesia", "train", 0, _lines(stif / "labelled/train.inf")
    unlabelled = sorted((stif / "unlabelled").glob("batch*.inf"))
    yield "stif-indonesia-unlabelled", "train", 2000, _lines(*unlabelled)
    for language in ("indonesian", "banjarese", "english"):
        yield f"nusax-{language}", "train", 0, _csv_column(nusax / language / "train.csv", "text")
    prdect = corpora / "prdect-id" / "PRDECT-ID Dataset.csv"
    yield "prdect-id", "train", 2000, _csv_column(prdect, "Customer Review")
    yield "indonlu-emot", "test", 0, _csv_column(indonlu / "emot/valid_preprocess.csv", "tweet")
    yield "indonlu-smsa", "test", 440, _tsv_first(indonlu / "smsa/valid_preprocess.tsv")
    for language in ("indonesian", "banjarese", "english"):
        yield f"nusax-{language}", "test", 0, _csv_column(nusax / language / "valid.csv", "text")
    yield "stif-indonesia", "test", 0, _lines(stif / "labelled/dev.inf")


def build_background(corpora: Path) -> list[BackgroundText]:
    """Every part's texts, cleaned, each distinct text once, sampled with a fixed seed
    where a part is capped; the same corpora always give the same rows."""
    seen: set[str] = set()
    rows = []
    for source, split, limit, texts in corpus_sources(corpora):
        cleaned = []
        for text in map(_clean, texts):
            if text and text.lower() not in seen:
                seen.add(text.lower())
                cleaned.append(text)
        if limit and len(cleaned) > limit:
            chosen = sorted(
                random.Random(f"{SAMPLE_SEED}:{source}:{split}").sample(range(len(cleaned)), limit)
            )
            cleaned = [cleaned[i] for i in chosen]
        rows.extend(BackgroundText(text, source, split) for text in cleaned)
    return rows


def dumps_background(rows: list[BackgroundText]) -> str:
    return "".join(
        json.dumps({"text": r.text, "source": r.source, "split": r.split}, ensure_ascii=False)
        + "\n"
        for r in rows
    )


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m pipeline.model.background", description=__doc__
    )
    parser.add_argument("corpora", type=Path, help="the shared corpora folder")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = build_background(args.corpora)
    args.output.write_text(dumps_background(rows), encoding="utf-8")
    print(f"{args.output}: {len(rows)} texts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
