"""The run's configuration: one frozen msgspec Struct per stage table, defaults in one place.

`configs/default.toml` documents every key; a file passed with `--config` and any
`--set table.key=value` override are laid over these defaults, and unknown keys are
refused (forbid_unknown_fields), so a typo never passes silently.

msgspec, not pydantic: the same checks, and importing it and building these tables
takes 15 ms instead of 90 ms, which every command, `guyub parse` above all, paid.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin

import msgspec
import tomli_w
from msgspec import Meta, Struct, field

from pipeline import CONFIG_DIR


class Table(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One table of the config file. Its constraints are checked by `load_config`
    (msgspec checks them when converting data, not when a table is made in code)."""


class IngestConfig(Table):
    format: Literal[
        "auto", "whatsapp", "line", "telegram", "transcript", "csv", "jsonl", "parquet"
    ] = "auto"
    date_order: Literal["auto", "dmy", "mdy", "ymd"] = "auto"
    keep_duplicates: bool = False
    # A longer line is no chat message: the file is refused with its line number.
    max_line_chars: Annotated[int, Meta(ge=1000)] = 1_000_000
    # Speakers whose turns are questions, not data (interviewers, moderators): kept as
    # records of kind "interviewer", never coded, never in the members' table. A
    # transcript may also name them in its header ("Interviewer: Peneliti").
    interviewers: list[str] = []


class NormaliseConfig(Table):
    lexicon_dir: str = "lexicon"
    unicode: bool = True
    lowercase: bool = True
    mask_urls: bool = True
    mask_emails: bool = True
    mask_phones: bool = True
    mask_mentions: bool = True
    mask_prices: bool = True
    mask_numbers: bool = True
    # "keep": masked items become tokens such as _price_; "drop": they vanish.
    placeholders: Literal["keep", "drop"] = "keep"
    laughter: bool = True
    elongation: bool = True
    reduplication: bool = True
    clitics: bool = True
    # jum'at -> jumat, do'a -> doa (Arabic loans); English contractions keep theirs
    apostrophes: bool = True
    lexicon: bool = True
    stem: bool = True
    # English lemmas -> the Indonesian stem for the same idea (configs/lexicon/english_concepts.tsv)
    english_concepts: bool = True
    stopwords: bool = True
    min_token_length: Annotated[int, Meta(ge=1, le=50)] = 2


class VectoriseConfig(Table):
    ngram_max: Annotated[int, Meta(ge=1, le=3)] = 2
    min_df: Annotated[int, Meta(ge=1, le=1_000_000)] = 2
    max_df: Annotated[float, Meta(gt=0.0, le=1.0)] = 0.5
    sublinear_tf: bool = True
    max_features: Annotated[int, Meta(ge=10, le=1_000_000)] = 20000


class TopicsConfig(Table):
    extra_topics: Annotated[int, Meta(ge=0, le=100)] = 10
    mu: Annotated[float, Meta(ge=0.0, le=1e6)] = 30.0
    max_iter: Annotated[int, Meta(ge=1, le=10_000)] = 300
    tol: Annotated[float, Meta(ge=0.0)] = 1e-6
    random_state: Annotated[int, Meta(ge=0, le=2**32 - 1)] = 0
    # Fit topics on single messages or on conversation segments (consecutive messages
    # of one chat at most segment_gap_minutes apart); messages are scored either way.
    unit: Literal["message", "segment"] = "message"
    segment_gap_minutes: Annotated[float, Meta(gt=0, le=10_080)] = 10.0
    # Fits with other seeds to measure stability (matched top-10 Jaccard); 1 skips it.
    stability_runs: Annotated[int, Meta(ge=1, le=20)] = 5
    # Corpus rows the topics are fitted on (0: all) and the stability refits' sample.
    fit_sample: Annotated[int, Meta(ge=0)] = 100_000
    stability_sample: Annotated[int, Meta(ge=100)] = 20_000


class ThemesConfig(Table):
    codebook: str = "codebook.toml"
    seed_set: str = "seed_set.jsonl"
    match_threshold: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.2
    # A message gets a theme when its score reaches the theme's threshold, calibrated
    # on the seed set at fit time, and at least this share of its best theme's score.
    relative_threshold: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.8
    # Thresholds are calibrated on seed scores from theme rows fitted without that seed.
    calibration_folds: Annotated[int, Meta(ge=2, le=20)] = 5
    # "classifier": logistic regression over topic weights, topic terms and surface
    # words, trained on the seeds; "topics": the weight of the topic matched to a theme.
    scorer: Literal["classifier", "topics"] = "classifier"
    classifier_c: Annotated[float, Meta(gt=0.0, le=1e6)] = 3.0  # inverse regularisation strength
    # Everyday text with none of the themes (configs/background.jsonl; "" for none): the
    # classifier learns the themes against it, each text weighing `everyday_weight` of a
    # seed (weak negatives: a few of them do carry a theme), and thresholds are raised
    # until at most `everyday_rate` of it, scored out of fold, gets any theme.
    everyday: str = "background.jsonl"
    everyday_weight: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.3
    everyday_rate: Annotated[float, Meta(gt=0.0, le=1.0)] = 0.05
    # A message needs at least this many distinct known words (not placeholders) to be
    # given any theme: one word is no evidence.
    min_evidence_terms: Annotated[int, Meta(ge=1, le=10)] = 2


class ReportConfig(Table):
    quotes_per_theme: Annotated[int, Meta(ge=1, le=20)] = 5
    top_terms: Annotated[int, Meta(ge=3, le=30)] = 10
    # Below this many messages, emergent topics and their coherence mean little: the
    # run says so and shows no coherence (measured by `python -m bench.small_data`).
    min_messages_for_topics: Annotated[int, Meta(ge=0)] = 400


class PrivacyConfig(Table):
    # Where the pseudonym salt is kept ("": the user's config folder); the salt itself is
    # never in a config, an output or a model.
    salt_file: str = ""
    pseudonymise_names: bool = False
    mask_phones: bool = True
    mask_emails: bool = True


class EngineConfig(Table):
    """Where the work runs: settings of the machine, never of a model."""

    # Processes for large inputs, normalising and applying (0: one per core); below
    # min_parallel texts, one process.
    workers: Annotated[int, Meta(ge=0, le=256)] = 0
    min_parallel: Annotated[int, Meta(ge=1)] = 50_000
    # Normalise on a second process while a large input is still being parsed
    prefetch: bool = True


class Tables(Table):
    def as_dict(self) -> dict:
        return msgspec.to_builtins(self)

    def digest(self) -> str:
        """A hash of the resolved values, recorded in manifests."""
        canonical = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def to_toml(self) -> str:
        return tomli_w.dumps(self.as_dict())


class ModelConfig(Tables):
    """The tables that define a model, saved with it: how text becomes terms, topics and
    themes. Nothing about the machine, the inputs' format or the user's privacy."""

    normalise: NormaliseConfig = field(default_factory=NormaliseConfig)
    vectorise: VectoriseConfig = field(default_factory=VectoriseConfig)
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    themes: ThemesConfig = field(default_factory=ThemesConfig)


MODEL_TABLES = tuple(f.name for f in msgspec.structs.fields(ModelConfig))


class Config(Tables):
    ingest: IngestConfig = field(default_factory=IngestConfig)
    normalise: NormaliseConfig = field(default_factory=NormaliseConfig)
    vectorise: VectoriseConfig = field(default_factory=VectoriseConfig)
    topics: TopicsConfig = field(default_factory=TopicsConfig)
    themes: ThemesConfig = field(default_factory=ThemesConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)

    def model_config(self) -> ModelConfig:
        """The tables a model fitted under this config is defined by."""
        return ModelConfig(**{name: getattr(self, name) for name in MODEL_TABLES})

    def with_model(self, model: ModelConfig) -> Config:
        """This run's settings, with a fitted model's own tables in place of these."""
        return msgspec.structs.replace(
            self, **{name: getattr(model, name) for name in MODEL_TABLES}
        )


class ConfigError(ValueError):
    """A configuration file or override that cannot be used."""


DEFAULT_CONFIG_FILE = CONFIG_DIR / "default.toml"


def resolve_data_path(name: str) -> Path:
    """Codebook, seed set and lexicons are named relative to configs/."""
    path = Path(name)
    return path if path.is_absolute() else CONFIG_DIR / path


def parse_override(item: str) -> tuple[list[str], object]:
    """`table.key=value`, the value read as TOML where it can be (numbers, booleans)."""
    key, sep, raw = item.partition("=")
    if not sep or "." not in key:
        raise ConfigError(f"--set {item!r}: expected table.key=value")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip().split("."), value


def load_config(
    path: Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    flags: Mapping[str, str] | None = None,
) -> Config:
    """The defaults, the config file, then each `table.key=value` override.

    `flags` names the command-line flag that set a key ("ingest.format": "--format"), so
    that an error speaks of what the user typed rather than of a file they never opened.
    """
    source = path or DEFAULT_CONFIG_FILE
    data: dict = {}
    if source.exists():
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{source}: {err}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{source}: not UTF-8 text; save it as UTF-8") from None
        except OSError as err:
            raise ConfigError(f"{source}: cannot be read ({err.strerror or err})") from None
    elif path is not None:
        raise ConfigError(f"{path}: no such config file")
    set_by: dict[str, str] = {}
    for item in overrides:
        keys, value = parse_override(item)
        dotted = ".".join(keys)
        said = _as_typed(dotted, item, flags or {})
        kind = setting_type(keys)
        if kind is None:
            raise ConfigError(f"{said}: {dotted} is not a setting{_did_you_mean(dotted)}")
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = _choice(kind, value, said)
        set_by[dotted] = said
    try:
        config = msgspec.convert(data, Config)
    except msgspec.ValidationError as err:
        message, where = _problem(str(err))
        if where in set_by:
            raise ConfigError(f"{set_by[where]}: {message}") from None
        raise ConfigError(f"{source}: {where + ': ' if where else ''}{message}") from None
    lexicons = resolve_data_path(config.normalise.lexicon_dir)
    if not lexicons.is_dir():
        said = set_by.get("normalise.lexicon_dir", str(source))
        raise ConfigError(f"{said}: normalise.lexicon_dir {lexicons} is no folder")
    return config


def config_from_data(data: dict, source: Path | str, kind: type[Tables] = Config) -> Tables:
    """The config (or a model's tables) that `data` describes, every value checked."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as err:
        message, where = _problem(str(err))
        raise ConfigError(f"{source}: {where + ': ' if where else ''}{message}") from None


def setting_type(keys: Sequence[str]) -> object | None:
    """The type of the setting `keys` names (["topics", "extra_topics"]), or None."""
    node: object = Config
    for key in keys:
        fields = _struct_fields(node)
        if fields is None or key not in fields:
            return None
        node = fields[key]
    return None if _struct_fields(node) is not None else node


def settings() -> list[str]:
    """Every setting's dotted name, for suggestions."""
    found = []
    for table, kind in _struct_fields(Config).items():
        found += [f"{table}.{key}" for key in (_struct_fields(kind) or {})]
    return found


def choices(dotted: str) -> tuple[str, ...]:
    """The values a setting of fixed choices takes ("ingest.format"), else ()."""
    kind = setting_type(dotted.split("."))
    return get_args(kind) if get_origin(kind) is Literal else ()


def _struct_fields(kind: object) -> dict[str, object] | None:
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return {f.name: f.type for f in msgspec.structs.fields(kind)}
    return None


def choice_of(dotted: str, value: object, said: str) -> object:
    """`value` for the setting `dotted`, a fixed choice matched in any letter case."""
    return _choice(setting_type(dotted.split(".")), value, said)


def _choice(kind: object, value: object, said: str) -> object:
    """A value of fixed choices matched in any letter case; refused listing them."""
    if get_origin(kind) is not Literal or not isinstance(value, str):
        return value
    options = get_args(kind)
    for option in options:
        if isinstance(option, str) and option.lower() == value.lower():
            return option
    raise ConfigError(f"{said}: choose one of {', '.join(map(str, options))}")


def _as_typed(dotted: str, item: str, flags: Mapping[str, str]) -> str:
    if dotted in flags:
        return f"{flags[dotted]} {parse_override(item)[1]}"
    return f"--set {item}"


# Settings that moved to another table, for configs written before the move.
MOVED = {f"normalise.{key}": f"engine.{key}" for key in ("workers", "min_parallel", "prefetch")}


def _did_you_mean(dotted: str) -> str:
    if dotted in MOVED:
        return f"; it is now {MOVED[dotted]}"
    near = difflib.get_close_matches(dotted, settings(), n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


# Why a limit is where it is, said with a value beyond it.
LIMITS = {
    "topics.extra_topics": "no reader can read more emergent topics, and each costs memory and time "
    "- 100,000 asked for 75 GiB",
    "topics.random_state": "NumPy's seeds run from 0 to 2**32 - 1",
    "topics.max_iter": "the fit converges long before; more only waits",
    "engine.workers": "more processes than this machine's cores only compete",
    "vectorise.max_features": "a vocabulary beyond a million terms does not fit in memory",
    "vectorise.min_df": "a term in more messages than any chat holds would keep no term",
    "vectorise.ngram_max": "phrases longer than three words recur too rarely to count",
    "normalise.min_token_length": "no word of these languages is longer than 50 letters",
    "topics.mu": "a stronger pull would only copy the seed centroids",
    "topics.segment_gap_minutes": "a gap of a week joins unrelated talk into one segment",
    "topics.stability_runs": "each refit costs a fit's time",
    "themes.classifier_c": "weaker regularisation than this only learns the seeds by heart",
    "report.quotes_per_theme": "a table of more quotes per theme no longer fits a page",
    "report.top_terms": "more terms than a reader scans",
    "themes.calibration_folds": "folds beyond 20 leave too few seeds of a theme in each",
    "themes.min_evidence_terms": "few messages hold more distinct known words than this",
}


def _problem(message: str) -> tuple[str, str]:
    """msgspec's "Expected `int` >= 1 - at `$.topics.max_iter`" as ("expected `int` >= 1",
    "topics.max_iter"), the way keys are named in the file."""
    message, _, where = message.partition(" - at `$")
    where = where.rstrip("`").lstrip(".")
    unknown = re.fullmatch(r"Object contains unknown field `(.+)`", message)
    if unknown:
        dotted = f"{where + '.' if where else ''}{unknown[1]}"
        return f"{dotted} is not a setting{_did_you_mean(dotted)}", ""
    options = choices(where)
    if options and message.startswith("Invalid enum value"):
        return f"choose one of {', '.join(map(str, options))}", where
    why = f" ({LIMITS[where]})" if where in LIMITS and re.search("[<>]=?", message) else ""
    return f"{message[0].lower()}{message[1:]}{why}", where
