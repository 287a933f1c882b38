"""The messages most worth a person's time (`guyub review RUN_DIR -n 40 -o review.qdpx`).

Most of them are those Guyub is least sure of, theme by theme in turn: the messages
whose score for the theme lies nearest the score the theme needs (just given it, or
just missed), as a share of that score. The rest, a quarter, are drawn at random from
the others with a fixed seed: the uncertain ones tell the model most when coded, but
agreement measured on them alone would be biased low; on the random slice it is not.
Coded and imported, they join the seeds of the next fit (`guyub fit --seeds`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow.dataset as ds

from pipeline.qda.export import Coded, coded_of, run_columns

RANDOM_SHARE = 0.25


@dataclass(frozen=True)
class Chosen:
    """The messages chosen, by row; why: a theme's id (Guyub is unsure of it), or
    "random"."""

    rows: list[int]
    why: list[str]


def choose(
    scores: np.ndarray, thresholds: Sequence[float], theme_ids: Sequence[str], n: int, seed: int = 0
) -> Chosen:
    """`scores`: messages x themes. At most n rows, each chosen once."""
    total = scores.shape[0]
    n = min(n, total)
    n_random = round(n * RANDOM_SHARE) if n > 1 else 0
    limits = np.maximum(np.asarray(thresholds, dtype=float), 1e-12)
    doubt = np.abs(scores - limits) / limits  # 0: exactly at the theme's threshold
    # each theme's rows, least sure first (ties by row: the same choice every time)
    queues = [np.lexsort((np.arange(total), doubt[:, t])) for t in range(len(theme_ids))]
    taken: dict[int, str] = {}
    position = [0] * len(queues)
    while len(taken) < n - n_random and any(p < total for p in position):
        for t, queue in enumerate(queues):
            while position[t] < total and int(queue[position[t]]) in taken:
                position[t] += 1
            if position[t] < total and len(taken) < n - n_random:
                taken[int(queue[position[t]])] = theme_ids[t]
    rest = np.setdiff1d(np.arange(total), list(taken))
    drawn = np.random.default_rng(seed).choice(rest, size=min(n_random, len(rest)), replace=False)
    for row in sorted(drawn.tolist()):
        taken[row] = "random"
    rows = sorted(taken)
    return Chosen(rows, [taken[r] for r in rows])


def review_messages(
    dataset, theme_ids: Sequence[str], thresholds: dict[str, float], n: int, seed: int = 0
) -> tuple[dict[str, list[Coded]], Chosen]:
    """The chosen messages of a run, by chat, as a project shows them."""
    messages = ds.dataset(dataset, format="parquet")
    table = messages.to_table(columns=run_columns(messages))
    scores = np.array(table.column("theme_scores").to_pylist(), dtype=float).reshape(
        table.num_rows, len(theme_ids)
    )
    chosen = choose(scores, [thresholds[t] for t in theme_ids], theme_ids, n, seed)
    chats: dict[str, list[Coded]] = {}
    for row, why in zip(chosen.rows, chosen.why, strict=True):
        message = table.slice(row, 1).to_pylist()[0]
        chats.setdefault(message["chat"], []).append(coded_of(message, theme_ids, why))
    return chats, chosen
