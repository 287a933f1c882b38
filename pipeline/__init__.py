"""Guyub: themes and supporting quotes from the group chats of business communities."""

from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

try:
    __version__ = version("guyub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def _data_dir(package: str, folder: str) -> Path:
    """Where the package data `package` is: configs/ and models/ in a source tree (an
    editable install maps them), inside the package when installed from a wheel."""
    spec = find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / folder  # a source tree never installed


CONFIG_DIR = _data_dir("pipeline.configs", "configs")
DEFAULT_MODEL_DIR = _data_dir("pipeline.models", "models") / "default"
