"""Seeded NMF beside plain NMF (nndsvda, themes matched afterwards) and scikit-learn's
LDA, on the same corpus and seed set in one run.

    python -m bench.topics [--messages 20000] [--export PATH]

For each: time to fit, NPMI of the theme topics' top 10 terms over the corpus, the mean
(min..max) of five fits with seeds 0-4 (for seeded NMF the terms Guyub reports, and
below them its anchored rows' terms), topic
diversity, stability over 5 seeds (matched top-10 Jaccard), and macro-F1 on the seed
set's held-out split at each theme's best threshold (scores from the topics matched to
themes; the same for all three, so it compares what the topics can tell apart).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import NMF, LatentDirichletAllocation

from bench.corpus import make_export
from pipeline.config import load_config
from pipeline.ingest import read_exports
from pipeline.model.metrics import npmi_coherence, stability, theme_agreement, topic_diversity
from pipeline.model.study import label_matrix, load_study
from pipeline.model.themes import (
    assign_themes,
    calibrate_thresholds,
    match_topics,
    theme_centroids,
    theme_scores,
)
from pipeline.model.topics import SeededNMF, corpus_term_weights, solve_weights
from pipeline.model.vectorise import Vectoriser
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus

# Each fit gives H (matched to the themes), a message-weight function, and the rows
# whose top terms describe the topics: for seeded NMF those Guyub reports, refitted to
# the corpus rows (the first n_corpus of X); for the others, H as their users see it.


def fit_seeded(X, S, k, seed, config, n_corpus):
    c = config.topics
    model = SeededNMF(k - len(S), c.mu, c.max_iter, c.tol, seed).fit(X, S)
    corpus = X[:n_corpus]
    described = corpus_term_weights(corpus, model.transform(corpus), model.components_)
    return model.components_, model.transform, described


def fit_plain(X, S, k, seed, config, n_corpus):
    model = NMF(k, init="nndsvda", random_state=seed, max_iter=400).fit(X)
    H = model.components_
    return H, lambda rows: solve_weights(rows, H), H


def fit_lda(X, S, k, seed, config, n_corpus):
    model = LatentDirichletAllocation(k, random_state=seed, learning_method="batch").fit(X)
    return model.components_, model.transform, model.components_


METHODS = {"seeded NMF": fit_seeded, "plain NMF + matching": fit_plain, "LDA + matching": fit_lda}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.topics", description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--export", type=Path, help="a chat export to use instead of a made one")
    parser.add_argument(
        "--set", action="append", default=[], help="config override, table.key=value"
    )
    args = parser.parse_args(argv)
    config = load_config(overrides=args.set)
    normaliser = Normaliser(config.normalise)
    path = args.export or make_export(args.messages)
    corpus = build_corpus(read_exports([path], config.ingest, config.privacy).messages, normaliser)
    themes, seeds = load_study(config.themes)
    ids = [t.id for t in themes]
    train = [s for s in seeds if s.split == "train"]
    test = [s for s in seeds if s.split == "test"]
    train_tokens = [normaliser(s.text).tokens for s in train]
    test_tokens = [normaliser(s.text).tokens for s in test]
    vectoriser = Vectoriser(config.vectorise).fit([*corpus.tokens, *train_tokens])
    X = vectoriser.transform([*corpus.tokens, *train_tokens])
    X_train, X_test = X[len(corpus.tokens) :], vectoriser.transform(test_tokens)
    Y_train, Y_test = label_matrix(train, ids), label_matrix(test, ids)
    S = theme_centroids(X_train, Y_train)
    k = len(ids) + config.topics.extra_topics
    n_corpus = len(corpus.tokens)
    presence = (X[:n_corpus] > 0).astype(float).tocsc()
    print(f"{len(corpus.tokens)} messages + {len(train)} train seeds, {X.shape[1]} terms, K={k}")
    print(
        f"{'method':<22}{'fit s':>7}{'theme NPMI, 5 seeds':>22}{'all NPMI':>10}"
        f"{'diversity':>11}{'stability':>11}{'macro-F1':>10}"
    )
    for name, fit in METHODS.items():
        start = time.perf_counter()
        H, weights, described = fit(X, S, k, 0, config, n_corpus)
        seconds = time.perf_counter() - start
        threshold = 0.0 if name != "seeded NMF" else config.themes.match_threshold
        topic_themes = match_topics(H, S, threshold)
        tops = [list(np.argsort(-row)[:10]) for row in described]
        npmi = [npmi_coherence(presence, idx) for idx in tops]
        diversity = topic_diversity([[str(i) for i in idx] for idx in tops])
        others = [fit(X, S, k, seed, config, n_corpus) for seed in range(1, 5)]
        stable = stability(described, [other[2] for other in others])
        # Theme-topic NPMI of each of the five fits: a method whose topics change with
        # the seed (LDA's stability is ~0.25) cannot be judged by one fit's figure.
        fits = [(H, described), *((other[0], other[2]) for other in others)]
        themed = {
            rows: [
                theme_npmi(presence, fitted[i], match_topics(fitted[0], S, threshold))
                for fitted in fits
            ]
            for i, rows in enumerate(("H", "described"))
        }
        # Thresholds at their best on the held-out seeds, for all three alike: this
        # compares what the topics can tell apart, not how each would be calibrated.
        test_scores = theme_scores(weights(X_test), topic_themes, len(ids))
        thresholds = calibrate_thresholds(test_scores, Y_test, config.themes.relative_threshold)
        predicted = assign_themes(test_scores, thresholds, config.themes.relative_threshold)
        f1 = theme_agreement(Y_test, predicted, ids)["macro_f1"]
        print(
            f"{name:<22}{seconds:>7.2f}{_spread(themed['described']):>22}{np.mean(npmi):>10.3f}"
            f"{diversity:>11.3f}{stable:>11.3f}{f1:>10.3f}"
        )
        if name == "seeded NMF":
            anchored = stability(H, [other[0] for other in others])
            print(f"{'  its anchored rows':<29}{_spread(themed['H']):>22}{anchored:>32.3f}")


def theme_npmi(presence, rows: np.ndarray, topic_themes: list[int | None]) -> float:
    """Mean NPMI of the top 10 terms of the topics named after a theme."""
    return float(
        np.mean(
            [
                npmi_coherence(presence, list(np.argsort(-row)[:10]))
                for row, theme in zip(rows, topic_themes, strict=True)
                if theme is not None
            ]
        )
    )


def _spread(values: list[float]) -> str:
    """mean (min..max) over the fits."""
    return f"{np.mean(values):.3f} ({min(values):.2f}..{max(values):.2f})"


if __name__ == "__main__":
    main()
