import numpy as np
import pytest

from pipeline import dataset as parts
from pipeline.model.fitted import Applied
from pipeline.normalise import Normalised
from pipeline.records import Message
from pipeline.report.data import RunData
from pipeline.report.query import MessageQueries
from pipeline.report.tables import (
    EMERGENT,
    EVERYDAY,
    MINOR,
    QUOTE_MIN_TOKENS,
    THEME,
    TopicBar,
    member_table,
    pick_quotes,
    prevalence,
    topic_kind,
    with_context,
)


def message(i: int, author: str, text: str, timestamp: str = "2024-01-01T10:00") -> Message:
    return Message(str(i), "g", "whatsapp", "g.txt", i + 1, timestamp, author, "message", text)


def write_messages(folder, messages, normalised, applied: Applied, theme_ids):
    """A messages dataset as the apply map writes it, a part per PART_ROWS rows."""
    folder.mkdir()
    for index, start in enumerate(range(0, max(len(messages), 1), parts.PART_ROWS)):
        rows = slice(start, start + parts.PART_ROWS)
        table = parts.message_table(
            parts.record_table(messages[rows]),
            parts.normalised_table(normalised[rows]),
            parts.applied_table(
                Applied(applied.weights[rows], applied.scores[rows], applied.assigned[rows]),
                theme_ids,
            ),
        )
        parts.write_part(folder / parts.part_name(index), table)


@pytest.fixture
def dataset(tmp_path):
    """A messages dataset written as a run writes it, of messages given one theme `a`
    (or the themes `assigned` says) with `scores` for it."""

    def write(messages, scores, assigned=None, tokens=None):
        scores = np.asarray(scores, dtype=float).reshape(len(messages), -1)
        assigned = np.ones(scores.shape, dtype=bool) if assigned is None else assigned
        tokens = tokens or [m.text.split() for m in messages]
        normalised = [Normalised(m.text, t, "id") for m, t in zip(messages, tokens, strict=True)]
        folder = tmp_path / f"messages-{len(list(tmp_path.iterdir()))}.parquet"
        ids = ["a", "b"][: scores.shape[1]]
        applied = Applied(np.zeros((len(messages), 1)), scores, assigned)
        write_messages(folder, messages, normalised, applied, ids)
        return RunData(folder, ids, [i.upper() for i in ids], [["x"]], ["a"], [0.0])

    return write


def quotes_of(data: RunData, limit: int, pool: int = 500):
    with MessageQueries(data.messages) as queries:
        (candidates,) = queries.theme_candidates(["a"], pool, QUOTE_MIN_TOKENS)
        return pick_quotes(candidates, limit)


def test_quotes_prefer_high_scores_from_different_authors_without_near_duplicates(dataset):
    messages = [
        message(0, "A", "beli tepung murah di pasar lima"),
        message(1, "A", "harga gula turun minggu ini"),
        message(2, "B", "beli tepung murah di pasar lima ya"),  # near-duplicate of 0
        message(3, "C", "ruko disewakan dekat kampus"),
        message(4, "D", "ok"),  # too short to say anything
    ]
    quotes = quotes_of(dataset(messages, [0.9, 0.8, 0.85, 0.5, 0.95]), limit=3)
    # 4 is too short, 2 repeats 0, then one per author before A's second message
    assert [q.line for q in quotes] == [1, 4, 2]
    assert quotes[0].cite() == '"beli tepung murah di pasar lima" (A, 2024-01-01, g.txt:1)'


def test_prevalence_by_week_counts_every_week_from_the_first_to_the_last(dataset):
    messages = [
        message(0, "A", "x", "2024-01-01T10:00"),  # a Monday
        message(1, "A", "x", "2024-01-07T10:00"),  # the Sunday of that week
        message(2, "A", "x", "2024-01-22T10:00"),  # two weeks on: 2024-01-15 is empty
        message(3, "B", "x", ""),  # no time: in no week
    ]
    assigned = np.array([[True, False], [False, False], [True, True], [True, True]])
    data = dataset(messages, assigned * 1.0, assigned)
    with MessageQueries(data.messages) as queries:
        shown = prevalence(data, queries, "auto", min_messages=2)
    assert shown.unit == "week"
    assert shown.periods == ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]
    assert shown.messages == [2, 0, 0, 1]
    assert shown.given == {"a": [1, 0, 0, 1], "b": [0, 0, 0, 1]}
    assert [shown.sparse(i) for i in range(4)] == [False, True, True, True]
    assert shown.share("a", 0) == 0.5 and shown.share("a", 1) is None
    rows = shown.rows()
    assert rows[0] == {
        "period": "2024-01-01",
        "messages": 2,
        "too_few": False,
        "theme": "a",
        "theme_messages": 1,
        "share": 0.5,
    }
    assert rows[2]["share"] == "" and len(rows) == 4 * 2


def test_prevalence_of_a_long_span_is_by_month(dataset):
    messages = [
        message(0, "A", "x", "2023-11-30T10:00"),
        message(1, "A", "x", "2024-02-01T10:00"),
        message(2, "A", "x", "2024-06-15T10:00"),  # 198 days after the first: months
    ]
    data = dataset(messages, [1.0, 0.0, 1.0], np.array([[True], [False], [True]]))
    with MessageQueries(data.messages) as queries:
        shown = prevalence(data, queries, "auto")
        by_week = prevalence(data, queries, "week")
    assert shown.unit == "month"
    assert shown.periods == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-05",
        "2024-06",
    ]
    assert shown.messages == [1, 0, 0, 1, 0, 0, 0, 1]
    assert by_week.unit == "week" and len(by_week.periods) == 29  # 2023-11-27 .. 2024-06-10


def test_quotes_are_never_everyday_talk_and_open_in_their_context(dataset):
    messages = [
        message(0, "A", "ruko disewakan dekat kampus murah"),
        message(1, "B", "selamat pagi semua terima kasih"),  # everyday talk: not quoted
        message(2, "C", "harga gula turun minggu ini"),
        message(3, "D", "siap terima kasih info"),  # one word beyond the formulas
        message(4, "E", "tepung terigu naik lagi"),
    ]
    tokens = [m.text.split() for m in messages]
    data = dataset(messages, [0.5, 0.99, 0.6, 0.98, 0.4], tokens=tokens)
    everyday = {"selamat", "pagi", "semua", "terima", "kasih", "siap"}
    with MessageQueries(data.messages, everyday=everyday) as queries:
        (candidates,) = queries.theme_candidates(["a"], 500, QUOTE_MIN_TOKENS)
        quotes = pick_quotes(candidates, 5)
        assert [q.line for q in quotes] == [3, 1, 5]
        rows = [{"quotes": quotes}]
        with_context(queries, [rows], 1)
        assert queries.overview.everyday == 0  # every message here carries a theme
    # one message before and one after, in the source's order, the quote among them
    assert [[s.line for s in q.context] for q in rows[0]["quotes"]] == [[2, 3, 4], [1, 2], [4, 5]]
    assert rows[0]["quotes"][0].context[1].text == "harga gula turun minggu ini"


def test_topic_kinds():
    bar = TopicBar(everyday={"terima", "selamat", "datang"}, size=10, coherence=-0.2)
    assert topic_kind("trust", ["bayar", "terima"], 3, None, bar) == THEME
    # most shown terms hold a word of everyday talk
    thanks = ["terima", "info", "terima info", "selamat datang"]
    assert topic_kind("emergent", thanks, 40, 0.1, bar) == EVERYDAY
    assert topic_kind("emergent", ["jual", "sambal", "online"], 40, -0.1, bar) == EMERGENT
    assert topic_kind("emergent", ["jual", "sambal", "online"], 9, -0.1, bar) == MINOR  # small
    assert topic_kind("emergent", ["jual", "sambal", "online"], 40, -0.3, bar) == MINOR  # loose
    assert topic_kind("emergent", ["jual", "sambal", "online"], 40, None, bar) == EMERGENT


def test_quotes_from_a_large_theme_are_the_ones_a_full_ranking_gives(dataset):
    """A theme with thousands of members is ranked by its best few hundred first; the
    quotes must be those of ranking all of them, also when the best all come from one
    author and the others' messages are far down."""
    rng = np.random.default_rng(3)
    n = 3_000
    words = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(words, size=6, replace=False)) for _ in range(n)]
    scores = np.round(rng.random(n), 6)  # as the dataset keeps them
    scores[:200] += 1.0  # one author's 200 messages score highest
    authors = ["Top" if i < 200 else f"M{i % 50}" for i in range(n)]
    scores[rng.integers(200, n, size=300)] = 0.5  # many ties
    for k, i in enumerate(range(n - 20, n)):  # members who write rarely, with low scores
        authors[i], scores[i] = f"Late{k}", 0.01
    messages = [message(i, a, t) for i, (a, t) in enumerate(zip(authors, texts, strict=True))]
    tokens = [t.split() for t in texts]
    data = dataset(messages, scores)

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
        got = quotes_of(data, limit)
        assert [q.line for q in got] == by_full_ranking(limit)


def test_a_dataset_in_many_parts_gives_the_tables_of_one_part(dataset, monkeypatch):
    """Ties are broken by the messages' order across parts, as in one file."""
    rng = np.random.default_rng(5)
    n = 700
    texts = [" ".join(f"w{j}" for j in rng.choice(30, size=5, replace=False)) for _ in range(n)]
    scores = np.round(rng.choice([0.2, 0.5, 0.9], size=n), 6)  # ties everywhere
    messages = [message(i, f"M{i % 9}", t) for i, t in enumerate(texts)]
    whole = dataset(messages, scores)
    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 64)
    parted = dataset(messages, scores)
    assert len(list(parted.messages.iterdir())) == -(-n // 64) > 1 < parts.PART_ROWS
    for pool in (500, 20):
        assert quotes_of(parted, 12, pool) == quotes_of(whole, 12, pool)
    with MessageQueries(whole.messages) as a, MessageQueries(parted.messages) as b:
        assert member_table(whole, a) == member_table(parted, b)


def test_member_table_counts_by_hand(dataset):
    messages = [message(0, "A", "x"), message(1, "A", "x"), message(2, "B", "x")]
    assigned = np.array([[True, False], [True, True], [False, False]])
    data = dataset(messages, assigned * 1.0, assigned)
    with MessageQueries(data.messages) as queries:
        rows = member_table(data, queries)
    assert rows == [
        {"author": "A", "messages": 2, "a": 1.0, "a_messages": 2, "b": 0.5, "b_messages": 1},
        {"author": "B", "messages": 1, "a": 0.0, "a_messages": 0, "b": 0.0, "b_messages": 0},
    ]


def test_the_dataset_reads_as_one_table_in_pandas_and_duckdb(dataset, monkeypatch):
    import duckdb
    import pandas as pd

    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 2)
    messages = [message(i, "A", f"pesan nomor {i}") for i in range(5)]
    data = dataset(messages, [0.5] * 5)
    assert pd.read_parquet(data.messages)["text"].tolist() == [m.text for m in messages]
    glob = str(data.messages / "*.parquet")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall() == [(5,)]


def test_the_words_of_everyday_talk_are_as_the_normaliser_writes_them():
    from pipeline.config import load_config, resolve_data_path
    from pipeline.normalise import Normaliser
    from pipeline.normalise.resources import read_word_list

    config = load_config()
    words = read_word_list(resolve_data_path(config.report.everyday_talk))
    normaliser = Normaliser(config.normalise)
    assert len(words) > 30
    assert {word: normaliser(word).tokens for word in words} == {word: [word] for word in words}
