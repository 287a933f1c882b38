"""How well message themes agree with labelled messages, and how good the topics are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import scipy.sparse as sp


def theme_agreement(truth: np.ndarray, predicted: np.ndarray, theme_ids: list[str]) -> dict:
    """Per-theme precision, recall, F1 and support; macro F1 over the themes that occur
    in the labels; micro F1 over all decisions; and, where some messages are labelled
    with no theme, the share of those given one."""
    per_theme: dict[str, dict[str, float | int]] = {}
    f1s = []
    for t, theme in enumerate(theme_ids):
        support = int(truth[:, t].sum())
        tp = int(np.sum(truth[:, t] & predicted[:, t]))
        n_pred = int(predicted[:, t].sum())
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if support:
            f1s.append(f1)
            per_theme[theme] = {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "f1": round(f1, 4),
                "support": support,
            }
    tp_all = int(np.sum(truth & predicted))
    micro_den = int(truth.sum() + predicted.sum())
    result: dict = {
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "micro_f1": round(2 * tp_all / micro_den, 4) if micro_den else 0.0,
        "per_theme": per_theme,
    }
    none = ~truth.any(axis=1)
    if none.any():
        # messages labelled with no theme, and how many of them were given one anyway
        result["no_theme"] = {
            "support": int(none.sum()),
            "given_a_theme": round(float(predicted[none].any(axis=1).mean()), 4),
        }
    return result


@dataclass(frozen=True)
class TermCounts:
    """How many messages hold each of some terms (`columns` of the vocabulary), and each
    pair of them: the diagonal of `together` and the rest. Counts of disjoint sets of
    messages add up exactly (they are whole numbers), so parts are counted apart."""

    columns: tuple[int, ...]
    together: np.ndarray
    messages: float

    @classmethod
    def of(cls, X, columns: Sequence[int], counts=None) -> TermCounts:
        """From the TF-IDF (or presence) rows X, each standing for `counts` messages."""
        present = (X[:, list(columns)] > 0).astype(np.float64)
        n = X.shape[0] if counts is None else float(np.sum(counts))
        weighted = (
            present if counts is None else sp.diags(np.asarray(counts, dtype=np.float64)) @ present
        )
        return cls(tuple(columns), np.asarray((present.T @ weighted).todense()), n)

    def __add__(self, other: TermCounts) -> TermCounts:
        return TermCounts(
            self.columns, self.together + other.together, self.messages + other.messages
        )

    def npmi(self, term_indices: Sequence[int]) -> float:
        """Mean NPMI of all pairs of the terms: a pair that never occurs together scores
        -1, one that always does +1."""
        if len(term_indices) < 2:
            return 0.0
        at = [self.columns.index(i) for i in term_indices]
        together, n = self.together[np.ix_(at, at)], self.messages
        p_single = np.diag(together) / n
        scores = []
        for i in range(len(at)):
            for j in range(i + 1, len(at)):
                p_joint = together[i, j] / n
                if p_joint == 0 or p_single[i] == 0 or p_single[j] == 0:
                    scores.append(-1.0)
                elif p_joint == 1.0:
                    scores.append(1.0)
                else:
                    pmi = np.log(p_joint / (p_single[i] * p_single[j]))
                    scores.append(float(pmi / -np.log(p_joint)))
        return round(float(np.mean(scores)), 4)


def npmi_coherence(presence, term_indices: list[int], counts=None) -> float:
    """Mean NPMI of all pairs of a topic's top terms, from message-level co-occurrence.

    `presence` is a binary message x term matrix (scipy sparse); `counts`, if given,
    says how many messages each row stands for (a distinct text and its repeats).
    """
    return TermCounts.of(presence, term_indices, counts).npmi(term_indices)


def topic_diversity(top_terms: list[list[str]]) -> float:
    """Share of distinct terms among all topics' top terms (1.0: no topic repeats another)."""
    every = [term for terms in top_terms for term in terms]
    return round(len(set(every)) / len(every), 4) if every else 0.0


def top_term_sets(components: np.ndarray, n: int = 10) -> list[set[int]]:
    return [set(np.argsort(-row, kind="stable")[:n].tolist()) for row in components]


def matched_jaccard(a: list[set[int]], b: list[set[int]]) -> float:
    """Mean top-term Jaccard of two topic sets, topics paired by Hungarian matching."""
    from scipy.optimize import linear_sum_assignment

    similarity = np.array([[len(x & y) / len(x | y) if x | y else 1.0 for y in b] for x in a])
    rows, cols = linear_sum_assignment(-similarity)
    return float(similarity[rows, cols].mean())


def stability(reference: np.ndarray, others: list[np.ndarray], n: int = 10) -> float:
    """How much topics change with the random seed: matched top-n Jaccard of each other
    run against the reference, averaged (1.0: the same topics every time)."""
    if not others:
        return 1.0
    ref = top_term_sets(reference, n)
    return round(float(np.mean([matched_jaccard(ref, top_term_sets(o, n)) for o in others])), 4)


def quality_terms(model, top_n: int = 10) -> list[int]:
    """The vocabulary columns topic quality is measured on: every topic's top terms."""
    return sorted(set(chain.from_iterable(model.top_term_indices(top_n))))


def topic_quality(model, counts: TermCounts, top_n: int = 10) -> dict[str, object]:
    """NPMI coherence of each topic's top terms over the corpus (`counts` of the
    `quality_terms` in its messages), and diversity."""
    coherence = [counts.npmi(idx) for idx in model.top_term_indices(top_n)]
    names = model.top_terms(top_n)
    themed = [c for c, t in zip(coherence, model.topic_themes_, strict=True) if t is not None]
    return {
        "coherence": coherence,
        "mean_npmi": round(float(np.mean(coherence)), 4) if coherence else 0.0,
        "theme_topic_npmi": round(float(np.mean(themed)), 4) if themed else 0.0,
        "diversity": topic_diversity(names),
    }
