"""How many seed messages per theme does a codebook need? Fit on the example export with
k seeds per theme drawn from the study's seed set's train split (k = 5, 10, 20, 40, 80;
three draws each; a theme with fewer than k train seeds gives all it has) and report
macro-F1 on the seed set's test split, which is only reported, never used to choose.

    python -m bench.seed_curve [--per-theme 5,10,20,40,80] [--draws 3]

The figures are in the README ("How many seeds to write"); `themes.min_seeds_per_theme`
is where the curve flattens, and a codebook with fewer seeds for a theme warns.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from pipeline.config import load_config
from pipeline.ingest import read_exports
from pipeline.model.fitted import ThemeModel
from pipeline.model.study import load_everyday, load_study
from pipeline.model.units import fitting_units
from pipeline.model.validate import evaluate_model
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "whatsapp_umkm_banua.txt"


def draw(train, theme_ids, k: int, seed: int):
    """k seeds per theme (by their first theme), drawn with a fixed seed."""
    rng = random.Random(seed)
    chosen = []
    for theme in theme_ids:
        of_theme = [s for s in train if s.themes and s.themes[0] == theme]
        chosen.extend(rng.sample(of_theme, min(k, len(of_theme))))
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_curve", description=__doc__)
    parser.add_argument("--per-theme", default="5,10,20,40,80")
    parser.add_argument("--draws", type=int, default=3)
    args = parser.parse_args(argv)
    config = load_config(None, ["topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    units = fitting_units(build_corpus(messages, normaliser), config.topics)
    themes, seeds = load_study(config.themes)
    ids = [t.id for t in themes]
    train = [s for s in seeds if s.split == "train"]
    test = [s for s in seeds if s.split == "test"]
    everyday = [normaliser(b.text) for b in load_everyday(config.themes) if b.split == "train"]
    print(f"{'seeds/theme':>12}{'seeds':>8}{'macro-F1':>12}{'sd':>8}")
    for k in (int(x) for x in args.per_theme.split(",")):
        scores, sizes = [], []
        for seed in range(args.draws):
            chosen = draw(train, ids, k, seed)
            model = ThemeModel(config.model_config(), themes).fit(
                units, chosen, [normaliser(s.text) for s in chosen], everyday
            )
            scores.append(evaluate_model(model, test, normaliser)["macro_f1"])
            sizes.append(len(chosen))
        print(f"{k:>12}{np.mean(sizes):>8.0f}{np.mean(scores):>12.3f}{np.std(scores):>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
