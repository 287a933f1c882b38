import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import resolve_data_path
from pipeline.model.study import DataError, load_codebook, load_labelled
from pipeline.model.themes import assign_themes, match_topics

STUDY_THEMES = [
    "togetherness",
    "trust",
    "creativity",
    "information_sharing",
    "training",
    "mentoring",
    "legality",
    "capital_access",
    "promotion",
    "refreshing",
]


def test_codebook_has_exactly_the_study_themes():
    themes = load_codebook(resolve_data_path("codebook.toml"))
    assert [t.id for t in themes] == STUDY_THEMES
    assert all(t.name_id and t.name_en and t.definition for t in themes)


def test_seed_set_covers_every_theme_with_a_held_out_split():
    items = load_labelled(resolve_data_path("seed_set.jsonl"), STUDY_THEMES)
    for theme in STUDY_THEMES:
        labelled = [i for i in items if theme in i.themes]
        assert len(labelled) >= 20, theme
        assert any(i.split == "test" for i in labelled), theme
    assert any(not i.themes for i in items)  # messages with no theme exist too
    assert len({i.text for i in items}) == len(items)  # no repeated seed


def test_match_topics_by_hand():
    components = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, 1.0, 0.1]])
    centroids = np.array([[0, 1.0, 0], [1.0, 0, 0]])
    # topic 0 -> theme 1, topic 2 -> theme 0, topic 1 matches nothing: emergent
    assert match_topics(components, centroids, threshold=0.2) == [1, None, 0]
    # a weak best match does not count
    weak = np.array([[1.0, 1.0, 1.0], [0, 0, 1.0]])
    assert match_topics(weak, np.array([[1.0, 0, 0]]), threshold=0.6) == [None, None]


def test_assign_themes_by_hand():
    scores = np.array([[0.5, 0.3, 0.0], [0.1, 0.05, 0.0], [0.0, 0.0, 0.0]])
    thresholds = np.array([0.2, 0.2, 0.2])
    # row 0: theme 0 (0.5) and theme 1 (0.3 >= half of 0.5); row 1: below thresholds
    assert assign_themes(scores, thresholds, 0.5).tolist() == [
        [True, True, False],
        [False, False, False],
        [False, False, False],
    ]
    assert assign_themes(scores, thresholds, 0.7).tolist()[0] == [True, False, False]


def test_unknown_theme_in_labelled_file_names_the_line(tmp_path):
    path = tmp_path / "l.jsonl"
    path.write_text(
        json.dumps({"text": "a", "themes": ["trust"]})
        + "\n"
        + json.dumps({"text": "b", "themes": ["kindness"]})
        + "\n"
    )
    with pytest.raises(DataError, match=r"l.jsonl:2"):
        load_labelled(path, STUDY_THEMES)


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "l.jsonl"
    path.write_text('{"text": "a", "themes": []}\n{broken\n')
    with pytest.raises(DataError, match=r"l.jsonl:2"):
        load_labelled(path, STUDY_THEMES)


def test_segments_join_close_messages_of_one_chat():
    from pipeline.model.units import segments
    from pipeline.normalise import Normalised
    from pipeline.normalise.corpus import Corpus
    from pipeline.records import Message

    def message(chat, stamp, token):
        return Message(token, chat, "whatsapp", "x.txt", 1, stamp, "A", "message", token)

    items = [
        message("g", "2024-01-01T10:00", "a"),
        message("g", "2024-01-01T10:05", "b"),  # 5 min later: same segment
        message("g", "2024-01-01T10:30", "c"),  # 25 min gap: new segment
        message("h", "2024-01-01T10:31", "d"),  # another chat: new segment
        message("h", "", "e"),  # no time: alone
        message("h", "2024-01-01T10:32", "f"),
    ]
    corpus = Corpus(items, [Normalised(m.text, [m.text], "id") for m in items])
    assert segments(corpus, 10) == [["a", "b"], ["c"], ["d"], ["e"], ["f"]]


def test_shipped_model_maps_formal_english_summaries():
    # Hand-labelled sentences in the register of the study's own summaries, written
    # apart from the seed set; an early prototype got about half of these right.
    from pipeline import DEFAULT_MODEL_DIR
    from pipeline.model.artifacts import load_model
    from pipeline.normalise import Normaliser

    model = load_model(DEFAULT_MODEL_DIR)
    items = load_labelled(
        Path(__file__).parents[1] / "fixtures" / "formal_english.jsonl", STUDY_THEMES
    )
    normaliser = Normaliser(model.config.normalise)
    assigned = model.apply([normaliser(i.text) for i in items]).assigned
    hits = [assigned[n, STUDY_THEMES.index(i.themes[0])] for n, i in enumerate(items)]
    assert sum(hits) >= 16, [i.text for i, hit in zip(items, hits, strict=True) if not hit]


def test_shipped_model_reaches_the_target_on_messages_it_never_saw():
    # 131 messages in the members' own registers (colloquial Indonesian, Banjarese,
    # English, emoji; 12 per theme, three with two themes, 12 with none), written and
    # labelled by hand in one sitting before the model was run on them. Never add them
    # to the seed set or tune on them: they stand in for the team's independent set,
    # on which the issue asks for macro-F1 >= 0.85.
    from pipeline import DEFAULT_MODEL_DIR
    from pipeline.model.artifacts import load_model
    from pipeline.model.metrics import theme_agreement
    from pipeline.model.study import label_matrix
    from pipeline.normalise import Normaliser

    model = load_model(DEFAULT_MODEL_DIR)
    path = Path(__file__).parents[1] / "fixtures" / "members_independent.jsonl"
    items = load_labelled(path, STUDY_THEMES)
    normaliser = Normaliser(model.config.normalise)
    assigned = model.apply([normaliser(i.text) for i in items]).assigned
    result = theme_agreement(label_matrix(items, STUDY_THEMES), assigned, STUDY_THEMES)
    assert result["macro_f1"] >= 0.85, result["per_theme"]


def test_everyday_budget_raises_only_the_thresholds_everyday_text_reaches():
    import numpy as np

    from pipeline.model.themes import assign_themes, calibrate_thresholds

    # two themes; seeds of theme 0 score 0.6-0.9, of theme 1 0.7-0.9
    scores = np.array([[0.9, 0.0], [0.6, 0.0], [0.7, 0.1], [0.0, 0.9], [0.0, 0.7], [0.1, 0.0]])
    Y = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 0]], dtype=bool)
    # no everyday text: each cut is the best-F1 one, the lowest positive score
    assert calibrate_thresholds(scores, Y, 0.8).tolist() == [0.6, 0.7]
    # everyday texts score up to 0.65 on theme 0 and never reach theme 1
    everyday = np.array([[0.65, 0.0], [0.62, 0.0], [0.3, 0.0], [0.0, 0.2]])
    thresholds = calibrate_thresholds(scores, Y, 0.8, everyday, everyday_rate=0.25)
    # theme 0 must rise above 0.62 (two of four texts claimed is over the budget);
    # 0.7 keeps the most F1 and leaves none claimed; theme 1 is untouched
    assert thresholds.tolist() == [0.7, 0.7]
    assert assign_themes(everyday, thresholds, 0.8).any(axis=1).mean() <= 0.25


def test_agreement_reports_the_share_of_no_theme_messages_given_one():
    import numpy as np

    from pipeline.model.metrics import theme_agreement

    truth = np.array([[1, 0], [0, 0], [0, 0], [0, 0], [0, 0]], dtype=bool)
    predicted = np.array([[1, 0], [0, 1], [0, 0], [0, 0], [1, 1]], dtype=bool)
    result = theme_agreement(truth, predicted, ["a", "b"])
    # two of the four messages with no theme were given one (worked out by hand)
    assert result["no_theme"] == {"support": 4, "given_a_theme": 0.5}
    assert result["per_theme"]["a"]["precision"] == 0.5
