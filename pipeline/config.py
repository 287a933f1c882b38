"""The run's configuration: one pydantic model per stage table, defaults in one place.

`configs/default.toml` documents every key; a file passed with `--config` and any
`--set table.key=value` override are laid over these defaults, and unknown keys are
refused (extra="forbid"), so a typo never passes silently.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline import CONFIG_DIR


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IngestConfig(Table):
    format: Literal[
        "auto", "whatsapp", "line", "telegram", "transcript", "csv", "jsonl", "parquet"
    ] = "auto"
    date_order: Literal["auto", "dmy", "mdy", "ymd"] = "auto"
    keep_duplicates: bool = False
    # A longer line is no chat message: the file is refused with its line number.
    max_line_chars: int = Field(1_000_000, ge=1000)


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
    min_token_length: int = Field(2, ge=1)
    # Processes for large inputs, normalising and applying (0: one per core); below
    # min_parallel texts, one process.
    workers: int = Field(0, ge=0)
    min_parallel: int = Field(50_000, ge=1)
    # Normalise on a second process while a large input is still being parsed
    prefetch: bool = True


class VectoriseConfig(Table):
    ngram_max: int = Field(2, ge=1, le=3)
    min_df: int = Field(2, ge=1)
    max_df: float = Field(0.5, gt=0.0, le=1.0)
    sublinear_tf: bool = True
    max_features: int = Field(20000, ge=10)


class TopicsConfig(Table):
    extra_topics: int = Field(6, ge=0)
    mu: float = Field(30.0, ge=0.0)
    max_iter: int = Field(300, ge=1)
    tol: float = Field(1e-6, ge=0.0)
    random_state: int = 0
    # Fit topics on single messages or on conversation segments (consecutive messages
    # of one chat at most segment_gap_minutes apart); messages are scored either way.
    unit: Literal["message", "segment"] = "message"
    segment_gap_minutes: float = Field(10.0, gt=0)
    # Fits with other seeds to measure stability (matched top-10 Jaccard); 1 skips it.
    stability_runs: int = Field(5, ge=1, le=20)
    # Corpus rows the topics are fitted on (0: all) and the stability refits' sample.
    fit_sample: int = Field(100_000, ge=0)
    stability_sample: int = Field(20_000, ge=100)


class ThemesConfig(Table):
    codebook: str = "codebook.toml"
    seed_set: str = "seed_set.jsonl"
    match_threshold: float = Field(0.2, ge=0.0, le=1.0)
    # A message gets a theme when its score reaches the theme's threshold, calibrated
    # on the seed set at fit time, and at least this share of its best theme's score.
    relative_threshold: float = Field(0.8, ge=0.0, le=1.0)
    # Thresholds are calibrated on seed scores from theme rows fitted without that seed.
    calibration_folds: int = Field(5, ge=2, le=20)
    # "classifier": logistic regression over topic weights, topic terms and surface
    # words, trained on the seeds; "topics": the weight of the topic matched to a theme.
    scorer: Literal["classifier", "topics"] = "classifier"
    classifier_c: float = Field(10.0, gt=0.0)  # inverse regularisation strength


class ReportConfig(Table):
    quotes_per_theme: int = Field(5, ge=1, le=20)
    top_terms: int = Field(10, ge=3, le=30)


class PrivacyConfig(Table):
    salt: str = "guyub-default-salt"
    pseudonymise_names: bool = False
    mask_phones: bool = True
    mask_emails: bool = True


class Config(Table):
    ingest: IngestConfig = IngestConfig()
    normalise: NormaliseConfig = NormaliseConfig()
    vectorise: VectoriseConfig = VectoriseConfig()
    topics: TopicsConfig = TopicsConfig()
    themes: ThemesConfig = ThemesConfig()
    report: ReportConfig = ReportConfig()
    privacy: PrivacyConfig = PrivacyConfig()

    def digest(self) -> str:
        """A hash of the resolved values, recorded in manifests."""
        canonical = json.dumps(self.model_dump(), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def to_toml(self) -> str:
        return tomli_w.dumps(self.model_dump())


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


def load_config(path: Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    source = path or DEFAULT_CONFIG_FILE
    data: dict = {}
    if source.exists():
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{source}: {err}") from None
    elif path is not None:
        raise ConfigError(f"{path}: no such config file")
    for item in overrides:
        keys, value = parse_override(item)
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None
