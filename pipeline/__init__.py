"""Guyub: themes and supporting quotes from the group chats of business communities."""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("guyub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

# The repository root holds configs/ and models/ beside the package (an editable
# install, as the README's set-up command makes).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "configs"
DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "default"
