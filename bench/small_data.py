"""Below how many messages do topics mean little? Fit the seeded NMF on random samples of
n messages of one realistic export, three disjoint samples per n, and report how far
their topics agree (matched top-10 Jaccard of the topics' terms between samples: the
same talk should give the same topics whoever drew it) and their NPMI coherence, which
on a few messages reads high by accident (two words in two messages always co-occur).

    python -m bench.small_data [--messages 20000] [--sizes 10,25,50,...]

The size where agreement levels off is `report.min_messages_for_topics`: below it a run
warns on the terminal and in the report, and shows no coherence.
"""

from __future__ import annotations

import argparse
import random

import numpy as np

from bench.corpus import make_export
from pipeline.config import load_config
from pipeline.ingest import read_exports
from pipeline.model.metrics import matched_jaccard, npmi_coherence
from pipeline.model.study import label_matrix, load_study
from pipeline.model.themes import theme_centroids
from pipeline.model.topics import SeededNMF, corpus_term_weights
from pipeline.model.vectorise import Vectoriser
from pipeline.normalise import Normaliser
from pipeline.normalise.corpus import build_corpus

SAMPLES = 3


def topics_of(tokens, seed_tokens, seed_labels, config):
    """(top-10 term sets of the emergent topics, their mean NPMI) for one sample."""
    vectoriser = Vectoriser(config.vectorise).fit([*tokens, *seed_tokens])
    X = vectoriser.transform([*tokens, *seed_tokens])
    S = theme_centroids(X[len(tokens) :], seed_labels)
    c = config.topics
    model = SeededNMF(c.extra_topics, c.mu, c.max_iter, c.tol, 0).fit(X, S)
    corpus = X[: len(tokens)]
    described = corpus_term_weights(corpus, model.transform(corpus), model.components_)
    terms = vectoriser.vocabulary_
    presence = (corpus > 0).astype(float).tocsc()
    emergent = described[len(S) :]
    tops = [list(np.argsort(-row, kind="stable")[:10]) for row in emergent]
    npmi = float(np.mean([npmi_coherence(presence, idx) for idx in tops]))
    return [{terms[i] for i in idx} for idx in tops], npmi


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.small_data", description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--sizes", default="10,25,50,100,200,400,800,1600,3200")
    args = parser.parse_args(argv)
    config = load_config()
    normaliser = Normaliser(config.normalise)
    path = make_export(args.messages)
    corpus = build_corpus(read_exports([path], config.ingest, config.privacy).messages, normaliser)
    themes, seeds = load_study(config.themes)
    train = [s for s in seeds if s.split == "train"]
    seed_tokens = [normaliser(s.text).tokens for s in train]
    seed_labels = label_matrix(train, [t.id for t in themes])
    rng = random.Random(7)
    order = list(range(len(corpus.tokens)))
    print(f"{'messages':>9}{'agreement':>11}{'NPMI':>8}")
    for n in [int(x) for x in args.sizes.split(",")]:
        rng.shuffle(order)
        samples = [order[i * n : (i + 1) * n] for i in range(SAMPLES)]
        fits = [
            topics_of([corpus.tokens[i] for i in sample], seed_tokens, seed_labels, config)
            for sample in samples
        ]
        agreement = np.mean(
            [matched_jaccard(fits[a][0], fits[b][0]) for a in range(SAMPLES) for b in range(a)]
        )
        npmi = np.mean([fit[1] for fit in fits])
        print(f"{n:>9}{agreement:>11.3f}{npmi:>8.3f}")


if __name__ == "__main__":
    main()
