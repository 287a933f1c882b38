import numpy as np

from pipeline.records import Message
from pipeline.report.data import RunData
from pipeline.report.tables import pick_quotes, weekly_shares


def message(i: int, author: str, text: str, timestamp: str = "2024-01-01T10:00") -> Message:
    return Message(str(i), "g", "whatsapp", "g.txt", i + 1, timestamp, author, "message", text)


def test_quotes_prefer_high_scores_from_different_authors_without_near_duplicates():
    messages = [
        message(0, "A", "beli tepung murah di pasar lima"),
        message(1, "A", "harga gula turun minggu ini"),
        message(2, "B", "beli tepung murah di pasar lima ya"),  # near-duplicate of 0
        message(3, "C", "ruko disewakan dekat kampus"),
        message(4, "D", "ok"),  # too short to say anything
    ]
    tokens = [m.text.split() for m in messages]
    scores = np.array([0.9, 0.8, 0.85, 0.5, 0.95])
    quotes = pick_quotes(range(5), scores, messages, tokens, limit=3)
    # 4 is too short, 2 repeats 0, then one per author before A's second message
    assert [q.line for q in quotes] == [1, 4, 2]
    assert quotes[0].cite() == '"beli tepung murah di pasar lima" (A, 2024-01-01, g.txt:1)'


def test_weekly_shares_by_iso_week():
    messages = [
        message(0, "A", "x", "2024-01-01T10:00"),  # Monday of 2024-W01
        message(1, "A", "x", "2024-01-07T10:00"),  # Sunday, same week
        message(2, "A", "x", "2024-01-08T10:00"),  # 2024-W02
    ]
    assigned = np.array([[True, False], [False, False], [True, True]])
    data = RunData(
        messages,
        [["x"]] * 3,
        ["a", "b"],
        ["A", "B"],
        assigned * 1.0,
        assigned,
        np.zeros((3, 1)),
        [["x"]],
        ["a"],
        [0.0],
    )
    assert weekly_shares(data) == {
        "2024-W01": {"a": 0.5, "b": 0.0},
        "2024-W02": {"a": 1.0, "b": 1.0},
    }


def test_quotes_from_a_large_theme_are_the_ones_a_full_ranking_gives():
    """A theme with thousands of members is ranked by its best few hundred first; the
    quotes must be those of ranking all of them, also when the best all come from one
    author and the others' messages are far down."""
    rng = np.random.default_rng(3)
    n = 3_000
    words = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(words, size=6, replace=False)) for _ in range(n)]
    scores = rng.random(n)
    scores[:200] += 1.0  # one author's 200 messages score highest
    authors = ["Top" if i < 200 else f"M{i % 50}" for i in range(n)]
    scores[rng.integers(200, n, size=300)] = 0.5  # many ties
    for k, i in enumerate(range(n - 20, n)):  # members who write rarely, with low scores
        authors[i], scores[i] = f"Late{k}", 0.01
    messages = [message(i, a, t) for i, (a, t) in enumerate(zip(authors, texts, strict=True))]
    tokens = [t.split() for t in texts]

    def by_full_ranking(limit: int) -> list[int]:
        order = sorted(range(n), key=lambda i: (-scores[i], messages[i].timestamp, i))
        chosen: list[int] = []
        for repeat in (False, True):
            for i in order:
                seen = {messages[j].author for j in chosen}
                if len(chosen) == limit or i in chosen or (not repeat and authors[i] in seen):
                    continue
                if any(
                    len(set(tokens[i]) & set(tokens[j])) / len(set(tokens[i]) | set(tokens[j]))
                    >= 0.6
                    for j in chosen
                ):
                    continue
                chosen.append(i)
        return [i + 1 for i in chosen]

    for limit in (3, 5, 60, 80):  # 71 authors: 80 quotes need the second pass
        got = pick_quotes(np.arange(n), scores, messages, tokens, limit)
        assert [q.line for q in got] == by_full_ranking(limit)
