import pytest

from pipeline.config import ConfigError, load_config, parse_override


def test_defaults_file_matches_the_models():
    # configs/default.toml documents the defaults: loading it must give the same values.
    from pipeline.config import Config

    assert load_config() == Config()


@pytest.mark.parametrize(
    ("item", "keys", "value"),
    [
        ("topics.mu=40", ["topics", "mu"], 40),
        ("normalise.stem=false", ["normalise", "stem"], False),
        ('privacy.salt_file="abc"', ["privacy", "salt_file"], "abc"),
        ("privacy.salt_file=abc", ["privacy", "salt_file"], "abc"),
    ],
)
def test_override_values_are_read_as_toml(item, keys, value):
    assert parse_override(item) == (keys, value)


def test_override_changes_the_value():
    assert load_config(overrides=["topics.extra_topics=3"]).topics.extra_topics == 3


def test_unknown_key_is_refused_with_its_name():
    with pytest.raises(ConfigError, match=r"topics\.mue"):
        load_config(overrides=["topics.mue=3"])


def test_a_setting_that_moved_says_where_it_went(tmp_path):
    with pytest.raises(
        ConfigError, match=r"normalise\.workers is not a setting; it is now engine\.workers"
    ):
        load_config(overrides=["normalise.workers=1"])
    old = tmp_path / "old.toml"
    old.write_text("[normalise]\nmin_parallel = 1000\n")
    with pytest.raises(
        ConfigError, match=r"old\.toml: normalise\.min_parallel .* engine\.min_parallel"
    ):
        load_config(old)


def test_a_retired_setting_says_why_it_went(tmp_path):
    old = tmp_path / "old.toml"
    old.write_text("[engine]\nprefetch = false\n")
    with pytest.raises(
        ConfigError,
        match=r"old\.toml: engine\.prefetch is not a setting any more: .* remove the line",
    ):
        load_config(old)


def test_a_model_keeps_only_its_own_tables():
    config = load_config(overrides=["engine.workers=1", "topics.extra_topics=4"])
    model_tables = config.model_config().as_dict()
    assert sorted(model_tables) == ["normalise", "themes", "topics", "vectorise"]
    assert model_tables["topics"]["extra_topics"] == 4
    # a run with a fitted model keeps its own engine, privacy and ingest settings
    other = load_config(overrides=["engine.workers=2", "privacy.pseudonymise_names=true"])
    merged = other.with_model(config.model_config())
    assert merged.engine.workers == 2 and merged.privacy.pseudonymise_names
    assert merged.topics.extra_topics == 4


def test_bad_value_is_refused():
    with pytest.raises(ConfigError, match=r"vectorise\.max_df"):
        load_config(overrides=["vectorise.max_df=3.5"])


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


def test_every_upper_limit_says_why():
    from typing import Annotated, get_args, get_origin

    from pipeline.config import LIMITS, setting_type, settings

    bounded = []
    for dotted in settings():
        kind = setting_type(dotted.split("."))
        if get_origin(kind) is Annotated:
            metas = get_args(kind)[1:]
            if any(getattr(m, "le", None) is not None or getattr(m, "lt", None) for m in metas):
                bounded.append(dotted)
    # shares and fractions (at most 1.0) need no reason
    missing = [
        d for d in bounded if d not in LIMITS and not _at_most_one(setting_type(d.split(".")))
    ]
    assert missing == []


def _at_most_one(kind) -> bool:
    from typing import get_args

    return any(getattr(m, "le", None) == 1.0 for m in get_args(kind)[1:])
