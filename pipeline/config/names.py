"""Settings by their dotted names (`topics.extra_topics`): their types and choices, the
`--set` syntax, and messages that name what the user typed, suggest what they meant,
and say why a limit is where it is."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Literal, get_args, get_origin

import msgspec

from pipeline.config.tables import Config


class ConfigError(ValueError):
    """A configuration file or override that cannot be used."""


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
    return matching_choice(setting_type(dotted.split(".")), value, said)


def matching_choice(kind: object, value: object, said: str) -> object:
    """A value of fixed choices matched in any letter case; refused listing them."""
    if get_origin(kind) is not Literal or not isinstance(value, str):
        return value
    options = get_args(kind)
    for option in options:
        if isinstance(option, str) and option.lower() == value.lower():
            return option
    raise ConfigError(f"{said}: choose one of {', '.join(map(str, options))}")


def as_typed(dotted: str, item: str, flags: Mapping[str, str]) -> str:
    if dotted in flags:
        return f"{flags[dotted]} {parse_override(item)[1]}"
    return f"--set {item}"


# Settings that moved to another table, for configs written before the move.
MOVED = {f"normalise.{key}": f"engine.{key}" for key in ("workers", "min_parallel")}
# Settings that are gone, and why, for configs written before.
RETIRED = {
    f"{table}.prefetch": "normalising runs over the run's parts on the engine's workers now, "
    "with no reader of its own beside the parse: remove the line"
    for table in ("normalise", "engine")
}


def did_you_mean(dotted: str) -> str:
    if dotted in MOVED:
        return f"; it is now {MOVED[dotted]}"
    if dotted in RETIRED:
        return f" any more: {RETIRED[dotted]}"
    near = difflib.get_close_matches(dotted, settings(), n=1, cutoff=0.6)
    return f"; did you mean {near[0]}?" if near else ""


# What a setting of a fixed shape takes, said with a value of another shape.
SHAPES = {
    "engine.scheduler": "local, sync, or the address of a Dask scheduler such as "
    "tcp://10.0.0.5:8786",
    "engine.query_memory": "an amount of memory such as 512MB or 1GB",
}

# Why a limit is where it is, said with a value beyond it.
LIMITS = {
    "topics.extra_topics": "no reader can read more emergent topics, and each costs memory and time "
    "- 100,000 asked for 75 GiB",
    "topics.random_state": "NumPy's seeds run from 0 to 2**32 - 1",
    "topics.max_iter": "the fit converges long before; more only waits",
    "engine.connect_timeout": "a scheduler that has not answered in an hour will not",
    "engine.workers": "more processes than this machine's cores only compete",
    "engine.query_threads": "more threads than this machine's cores only compete",
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


def explain_problem(message: str) -> tuple[str, str]:
    """msgspec's "Expected `int` >= 1 - at `$.topics.max_iter`" as ("expected `int` >= 1",
    "topics.max_iter"), the way keys are named in the file."""
    message, _, where = message.partition(" - at `$")
    where = where.rstrip("`").lstrip(".")
    unknown = re.fullmatch(r"Object contains unknown field `(.+)`", message)
    if unknown:
        dotted = f"{where + '.' if where else ''}{unknown[1]}"
        return f"{dotted} is not a setting{did_you_mean(dotted)}", ""
    options = choices(where)
    if options and message.startswith("Invalid enum value"):
        return f"choose one of {', '.join(map(str, options))}", where
    if where in SHAPES and "matching regex" in message:
        return f"expected {SHAPES[where]}", where
    why = f" ({LIMITS[where]})" if where in LIMITS and re.search("[<>]=?", message) else ""
    return f"{message[0].lower()}{message[1:]}{why}", where
