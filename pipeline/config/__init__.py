"""The run's configuration: the defaults, a config file laid over them, then
`--set table.key=value` overrides.

`configs/default.toml` documents every key; unknown keys are refused
(forbid_unknown_fields), so a typo never passes silently.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

import msgspec

from pipeline import CONFIG_DIR
from pipeline.config.names import (
    LIMITS,
    ConfigError,
    as_typed,
    choice_of,
    choices,
    did_you_mean,
    explain_problem,
    matching_choice,
    parse_override,
    setting_type,
    settings,
)
from pipeline.config.tables import (
    MODEL_TABLES,
    Config,
    EngineConfig,
    IngestConfig,
    ModelConfig,
    NormaliseConfig,
    PrivacyConfig,
    ReportConfig,
    Table,
    Tables,
    ThemesConfig,
    TopicsConfig,
    VectoriseConfig,
)

__all__ = [
    "LIMITS",
    "MODEL_TABLES",
    "Config",
    "ConfigError",
    "EngineConfig",
    "IngestConfig",
    "ModelConfig",
    "NormaliseConfig",
    "PrivacyConfig",
    "ReportConfig",
    "Table",
    "Tables",
    "ThemesConfig",
    "TopicsConfig",
    "VectoriseConfig",
    "choice_of",
    "choices",
    "config_from_data",
    "load_config",
    "parse_override",
    "resolve_data_path",
    "setting_type",
    "settings",
]

DEFAULT_CONFIG_FILE = CONFIG_DIR / "default.toml"


def resolve_data_path(name: str) -> Path:
    """Codebook, seed set and lexicons are named relative to configs/."""
    path = Path(name)
    return path if path.is_absolute() else CONFIG_DIR / path


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
    if path is not None:
        _beside(data, source.parent)
    set_by: dict[str, str] = {}
    for item in overrides:
        keys, value = parse_override(item)
        dotted = ".".join(keys)
        said = as_typed(dotted, item, flags or {})
        kind = setting_type(keys)
        if kind is None:
            raise ConfigError(f"{said}: {dotted} is not a setting{did_you_mean(dotted)}")
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = matching_choice(kind, value, said)
        set_by[dotted] = said
    try:
        config = msgspec.convert(data, Config)
    except msgspec.ValidationError as err:
        message, where = explain_problem(str(err))
        if where in set_by:
            raise ConfigError(f"{set_by[where]}: {message}") from None
        raise ConfigError(f"{source}: {where + ': ' if where else ''}{message}") from None
    lexicons = resolve_data_path(config.normalise.lexicon_dir)
    if not lexicons.is_dir():
        said = set_by.get("normalise.lexicon_dir", str(source))
        raise ConfigError(f"{said}: normalise.lexicon_dir {lexicons} is no folder")
    everyday_talk = resolve_data_path(config.report.everyday_talk)
    if not everyday_talk.is_file():
        said = set_by.get("report.everyday_talk", str(source))
        raise ConfigError(f"{said}: report.everyday_talk {everyday_talk} is no file")
    return config


# Settings that name a file or folder of data; in a config file of one's own, a relative
# name is looked up beside that file first (a project made by `guyub init`), then in
# Guyub's configs/ (the shipped codebook, seed set, everyday texts and lexicons).
DATA_PATHS = (
    ("themes", "codebook"),
    ("themes", "seed_set"),
    ("themes", "everyday"),
    ("normalise", "lexicon_dir"),
    ("report", "everyday_talk"),
)


def _beside(data: dict, folder: Path) -> None:
    for table, key in DATA_PATHS:
        value = data.get(table, {}).get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            found = folder / value
            if found.exists():
                data[table][key] = str(found.resolve())


def config_from_data(data: dict, source: Path | str, kind: type[Tables] = Config) -> Tables:
    """The config (or a model's tables) that `data` describes, every value checked."""
    try:
        return msgspec.convert(data, kind)
    except msgspec.ValidationError as err:
        message, where = explain_problem(str(err))
        raise ConfigError(f"{source}: {where + ': ' if where else ''}{message}") from None
