"""Does reviewing help, and how much? The coding loop simulated on labelled messages,
the study's seed set's train split only (its test split stays held out):

- 20 train seeds per theme are the model's seeds;
- 400 others are the messages a run holds, their labels hidden: `guyub review` picks
  N of them (the least sure theme by theme, and a random quarter) for a person to
  label, and the labels join the seeds (`guyub fit --seeds`);
- the rest are held back: agreement with their labels (Cohen's kappa over every
  message x theme decision, and macro-F1) is measured after each refit.

Against the same N drawn wholly at random, to see what choosing the least sure adds.

    python -m bench.review_curve [--reviewed 40,80,160]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from pipeline.config import load_config
from pipeline.ingest import read_exports
from pipeline.model.agreement import compare
from pipeline.model.fitted import ThemeModel
from pipeline.model.metrics import theme_agreement
from pipeline.model.study import label_matrix, load_everyday, load_study
from pipeline.model.units import fitting_units
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus
from pipeline.qda.review import choose

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "whatsapp_umkm_banua.txt"
BASE_PER_THEME = 20
POOL = 400


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.review_curve", description=__doc__)
    parser.add_argument("--reviewed", default="40,80,160")
    args = parser.parse_args(argv)
    config = load_config(None, ["topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    themes, seeds = load_study(config.themes)
    ids = [t.id for t in themes]
    train = [s for s in seeds if s.split == "train"]
    rng = random.Random(0)
    rng.shuffle(train)
    base = []
    for theme in ids:
        base.extend([s for s in train if s.themes[:1] == (theme,)][:BASE_PER_THEME])
    rest = [s for s in train if s not in base]
    pool, held = rest[:POOL], rest[POOL:]
    messages = read_exports([EXAMPLE], config.ingest, config.privacy).messages
    units = fitting_units(build_corpus(messages, normaliser), config.topics)
    pool_docs = [normaliser(s.text) for s in pool]
    corpus = [*units, *(d.tokens for d in pool_docs)]  # the run's messages: example + pool
    everyday = [normaliser(b.text) for b in load_everyday(config.themes) if b.split == "train"]
    truth = label_matrix(held, ids)
    held_docs = [normaliser(s.text) for s in held]

    def fitted(extra):
        chosen = [*base, *extra]
        return ThemeModel(config.model_config(), themes).fit(
            corpus, chosen, [normaliser(s.text) for s in chosen], everyday
        )

    def measured(model):
        assigned = model.apply(held_docs).assigned
        kappa = compare(assigned, truth, ids, rounds=200, seed=0)["overall"]
        return kappa["kappa"], kappa["kappa_95"], theme_agreement(truth, assigned, ids)["macro_f1"]

    first = fitted([])
    scores = first.apply(pool_docs).scores
    print(f"base: {len(base)} seeds; pool {len(pool)}; held back {len(held)} labelled messages")
    k, interval, f1 = measured(first)
    print(f"{'reviewed':>9}  {'least sure + random quarter':>34}  {'all at random':>30}")
    print(f"{0:>9}  kappa {k:.3f} [{interval[0]:.2f}, {interval[1]:.2f}] F1 {f1:.3f}")
    for n in (int(x) for x in args.reviewed.split(",")):
        picked = choose(scores, first.thresholds_, ids, n, seed=0).rows
        drawn = np.random.default_rng(0).choice(len(pool), size=n, replace=False)
        row = f"{n:>9}"
        for rows in (picked, sorted(drawn.tolist())):
            k, interval, f1 = measured(fitted([pool[i] for i in rows]))
            row += f"  kappa {k:.3f} [{interval[0]:.2f}, {interval[1]:.2f}] F1 {f1:.3f}"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
