"""An outside check of the learning machinery on data nobody here wrote: IndoNLU's EmoT
(Indonesian tweets, five emotions; ../shared/corpora/indonlu-smsa-emot) as a codebook of
five themes, its train split as the seeds and as the corpus the topics are fitted on,
macro-F1 on its test split beside the baselines the IndoNLU paper publishes (Wilie et
al. 2020, Table 5). Nothing is chosen on the test split (nor on the valid split): the
default settings, no everyday texts (EmoT's own tweets are in Guyub's everyday set),
and, since each tweet has exactly one emotion, its best-scoring theme as the answer.

    python -m bench.emot
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from pipeline.config import load_config
from pipeline.model.fitted import ThemeModel
from pipeline.model.metrics import theme_agreement
from pipeline.model.study import SeedMessage, Theme, label_matrix
from pipeline.normalise import Normaliser

EMOT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "indonlu-smsa-emot" / "emot"
THEMES = [
    Theme("anger", "Anger", "Marah", "Anger, annoyance, outrage at someone or something."),
    Theme("fear", "Fear", "Takut", "Fear, worry, anxiety about what may happen."),
    Theme("happy", "Happy", "Senang", "Happiness, joy, gratitude, excitement."),
    Theme("love", "Love", "Cinta", "Love and affection for someone or something."),
    Theme("sadness", "Sadness", "Sedih", "Sadness, grief, disappointment, loneliness."),
]
# IndoNLU paper, Table 5: macro-F1 (%) on EmoT's test split
PUBLISHED = {
    "Scratch": 57.31,
    "fastText-cc-id": 65.36,
    "fastText-indo4b": 69.23,
    "mBERT": 67.30,
    "XLM-R base": 71.15,
    "XLM-R large": 78.51,
    "IndoBERT-lite base": 73.88,
    "IndoBERT base": 75.48,
    "IndoBERT large (phase two)": 79.47,
}


def read(split: str) -> list[tuple[str, str]]:
    with (EMOT / f"{split}_preprocess.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["tweet"], row["label"]) for row in csv.DictReader(handle)]


def main() -> int:
    config = load_config(None, ["themes.everyday=", "topics.stability_runs=1"])
    normaliser = Normaliser(config.normalise)
    train, test = read("train"), read("test")
    seeds = [SeedMessage(text, (label,), "id", "train") for text, label in train]
    seed_docs = [normaliser(text) for text, _ in train]
    model = ThemeModel(config.model_config(), THEMES).fit(
        [d.tokens for d in seed_docs], seeds, seed_docs
    )
    applied = model.apply([normaliser(text) for text, _ in test])
    ids = model.theme_ids
    truth = [label for _, label in test]
    best = [ids[i] for i in np.argmax(applied.scores, axis=1)]
    macro = f1_score(truth, best, labels=ids, average="macro")
    accuracy = float(np.mean([a == b for a, b in zip(truth, best, strict=True)]))
    as_assigned = theme_agreement(
        label_matrix([SeedMessage("", (label,), "", "test") for label in truth], ids),
        applied.assigned,
        ids,
    )
    print(f"EmoT test ({len(test)} tweets), trained on its {len(train)} train tweets")
    print(f"  Guyub, best theme:        macro-F1 {100 * macro:.3f}  accuracy {100 * accuracy:.2f}")
    print(f"  Guyub, themes as assigned: macro-F1 {100 * as_assigned['macro_f1']:.2f}")
    for name, value in PUBLISHED.items():
        print(f"  {name:<26} macro-F1 {value:.2f} (published)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
