"""The config's tables: one frozen msgspec Struct per stage, defaults in one place.

msgspec, not pydantic: the same checks, and importing it and building these tables
takes 15 ms instead of 90 ms, which every command, `guyub parse` above all, paid.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

import msgspec
import tomli_w
from msgspec import Meta, Struct, field


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
    # Labelled messages people coded (guyub import-codes: `--seeds` on fit and run) that
    # join the seed set's train split; a message several people coded carries the
    # themes at least half of them gave it.
    extra_seeds: list[str] = []
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
    # Theme prevalence by "week" or "month"; "auto": weeks for spans up to half a year.
    period: Literal["auto", "week", "month"] = "auto"
    # A period with fewer messages is marked as too few to read a share from: below 10,
    # a single message moves a share by more than ten points.
    min_period_messages: Annotated[int, Meta(ge=1)] = 10
    # An emergent topic is listed when it holds this many messages (and 1% of them).
    min_emergent_messages: Annotated[int, Meta(ge=1)] = 10
    # The words of greetings, thanks and other formulas: a message with fewer than two
    # words beyond them is everyday talk (never quoted; a topic of them is not emergent).
    everyday_talk: str = "everyday_talk.txt"
    # Theme names in "en" (the codebook's name_en) or "id" (name_id).
    language: Literal["en", "id"] = "en"


class PrivacyConfig(Table):
    # Where the pseudonym salt is kept ("": the user's config folder); the salt itself is
    # never in a config, an output or a model.
    salt_file: str = ""
    pseudonymise_names: bool = False
    mask_phones: bool = True
    mask_emails: bool = True


# "local", "sync", or an address: tcp://host:8786, tls://..., or host:port.
SCHEDULER_PATTERN = r"^(local|sync|(tcp|tls|ws|wss|inproc)://\S+|[\w.\-]+:\d+)$"
# An amount of memory as DuckDB takes it: 512MB, 1GB, 1.5GiB.
MEMORY_PATTERN = r"^\d+(\.\d+)?\s*[KMGT]i?B$"


class EngineConfig(Table):
    """Where the work runs: settings of the machine, never of a model."""

    # "local": a Dask cluster of `workers` processes on this machine, started and
    # stopped by Guyub; "sync": everything in this one process (tests, debugging); or
    # the address of a running Dask scheduler ("tcp://host:8786").
    scheduler: Annotated[str, Meta(pattern=SCHEDULER_PATTERN)] = "local"
    # Processes of the local cluster (0: one per core); below min_parallel texts, one
    # process does the work and no cluster is started.
    workers: Annotated[int, Meta(ge=0, le=256)] = 0
    min_parallel: Annotated[int, Meta(ge=1)] = 50_000
    # Seconds to wait for a scheduler given by address.
    connect_timeout: Annotated[float, Meta(gt=0, le=3600)] = 30.0
    # DuckDB's share of this machine for the report's queries and the run's sorts:
    # memory (beyond it DuckDB spills to a temporary folder) and threads (0: one per core).
    query_memory: Annotated[str, Meta(pattern=MEMORY_PATTERN)] = "1GB"
    query_threads: Annotated[int, Meta(ge=0, le=256)] = 0


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
