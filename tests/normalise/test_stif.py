"""The public gold standard: STIF-Indonesia's test split (informal -> formal), scored the
way the issue defines it. Built and tuned on the train split only."""

from pathlib import Path

import pytest

from bench.wer import edit_distance, wer, words

STIF = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "stif-indonesia" / "labelled"


def test_edit_distance_by_hand():
    assert edit_distance(["a", "b", "c"], ["a", "c"]) == 1
    assert edit_distance(["a", "b"], ["b", "a"]) == 2
    assert wer(["saya mau"], ["saya ingin pergi"]) == pytest.approx(2 / 3)
    assert words("Halo, Kak-2!") == ["halo", "kak", "2"]


@pytest.mark.skipif(not STIF.exists(), reason="../shared/corpora is not beside the project")
def test_word_error_rate_on_the_stif_test_split():
    from pipeline.config import load_config
    from pipeline.normalise import Normaliser

    informal = (STIF / "test.inf").read_text(encoding="utf-8").splitlines()
    formal = (STIF / "test.for").read_text(encoding="utf-8").splitlines()
    config = load_config(
        overrides=["normalise.mask_numbers=false", "normalise.mask_mentions=false"]
    )
    normaliser = Normaliser(config.normalise)
    assert wer(informal, formal) == pytest.approx(0.413, abs=0.002)  # no normalisation
    assert wer([normaliser.readable(t) for t in informal], formal) <= 0.27
