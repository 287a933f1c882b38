"""Word error rate of the normaliser's readable text on STIF-Indonesia.

    python -m bench.wer [train|test]

Words are lowercase [a-z0-9]+ runs. Tune on `train` only: `test` is the gold standard,
scored once per change, never tuned on (dev is not used at all).
"""

from __future__ import annotations

import re
import sys

from bench.corpus import SHARED
from pipeline.config import load_config
from pipeline.normalise import Normaliser

WORD_RE = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def edit_distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def wer(hypotheses: list[str], references: list[str]) -> float:
    errors = sum(
        edit_distance(words(h), words(r)) for h, r in zip(hypotheses, references, strict=True)
    )
    return errors / sum(len(words(r)) for r in references)


def main(split: str = "train") -> None:
    folder = SHARED / "stif-indonesia" / "labelled"
    informal = (folder / f"{split}.inf").read_text(encoding="utf-8").splitlines()
    formal = (folder / f"{split}.for").read_text(encoding="utf-8").splitlines()
    # STIF already masks users and numbers; keep its placeholders as they are.
    config = load_config(
        overrides=["normalise.mask_numbers=false", "normalise.mask_mentions=false"]
    )
    normaliser = Normaliser(config.normalise)
    print(f"STIF {split}: {len(informal)} sentences")
    print(f"  no normalisation  WER {wer(informal, formal):.3f}")
    print(f"  guyub text        WER {wer([normaliser.readable(t) for t in informal], formal):.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
