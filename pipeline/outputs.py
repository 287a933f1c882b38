"""Where outputs go, and what they may replace: only what Guyub made.

Every folder Guyub writes (a run's outputs, a model, a batch report) holds a marker,
`.guyub-output.json`, naming its kind and every file Guyub wrote there. A folder is
replaced only when it is absent, empty, or marked as the same kind and holding nothing
else. Anything else is refused before any work is done, naming what would have been
lost, and nothing is touched. A folder is written beside its target and swapped into
place, so a crash leaves the old folder or the new one; what a killed run leaves beside
it is cleared by the next run to the same target.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

MARKER = ".guyub-output.json"
KINDS = {
    "run": "a run's outputs (guyub run or apply)",
    "model": "a model (guyub fit)",
    "batch": "batch reports (guyub batch)",
}
# Folders written before the marker existed, known by a file only Guyub writes there.
_LEGACY_SIGNS = {"model": ("manifest.json", "format_version"), "run": ("manifest.json", "ledger")}
_NAMES_SHOWN = 4


class OutputError(ValueError):
    """An output path Guyub will not write to; the message says why and what to do."""


def check_output_folder(target: Path, kind: str, inputs: Sequence[Path] = ()) -> None:
    """Refuse `target` as the folder for outputs of `kind` unless Guyub may replace it."""
    target = Path(target)
    where = _resolved(target)
    _refuse_special_places(target, where)
    _refuse_inputs(target, where, inputs)
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir() or target.is_symlink():
        raise OutputError(f"{target} is a file, not a folder: choose another -o")
    entries = _files(target)
    if not entries:
        return
    found = _marked_kind(target)
    if found is None:
        raise OutputError(
            f"{target} is not a Guyub output folder (it holds {_some(entries)}): "
            "choose another -o or empty it"
        )
    if found != kind:
        raise OutputError(f"{target} holds {KINDS[found]}, not {KINDS[kind]}: choose another -o")
    strangers = entries - _owned(target)
    if strangers and (target / MARKER).exists():
        raise OutputError(
            f"{target} holds files Guyub did not write there ({_some(strangers)}): "
            "move them out or choose another -o"
        )


def check_output_file(
    target: Path,
    inputs: Sequence[Path],
    is_guyubs: Callable[[Path], bool],
    command: str = "parse",
    example: str = "messages.jsonl",
) -> None:
    """Refuse a file output that is an input, a folder, or a file Guyub did not write
    (`is_guyubs` tells whether it is one `guyub COMMAND` writes)."""
    target = Path(target)
    _refuse_inputs(target, _resolved(target), inputs)
    if target.is_dir():
        raise OutputError(f"{target} is a folder: give a file name such as {example}")
    if target.exists() and target.stat().st_size and not is_guyubs(target):
        raise OutputError(
            f"{target} exists and was not written by guyub {command}: "
            "choose another -o or remove it"
        )


def replace_file(target: Path, data: bytes) -> None:
    """Write `target` whole or not at all: into a work folder beside it, then moved into
    place (a reader never sees half a file; a failure leaves the old one)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = work_folder(target, "staging")
    try:
        staged = folder / target.name
        staged.write_bytes(data)
        staged.chmod(0o666 & ~_umask())
        os.replace(staged, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_folder(target: Path, kind: str, fill: Callable[[Path], None]) -> None:
    """Fill a fresh folder beside `target`, mark it, and swap it into place."""
    target = Path(target)
    check_output_folder(target, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(target)
    staging = work_folder(target, "staging")
    try:
        fill(staging)
        written = sorted(_files(staging))
        (staging / MARKER).write_text(
            json.dumps({"kind": kind, "files": written}, indent=1) + "\n", encoding="utf-8"
        )
        if target.exists():
            # What a legacy folder (no marker) holds beyond what Guyub writes is refused
            # here, before anything is moved.
            strangers = _files(target) - {*written, MARKER}
            if strangers and not (target / MARKER).exists():
                raise OutputError(
                    f"{target} holds files Guyub would not write there ({_some(strangers)}): "
                    "move them out or choose another -o"
                )
            retired = work_folder(target, "retired")
            os.replace(target, retired / "previous")
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def work_folder(target: Path, role: str) -> Path:
    """A private folder beside `target` for work in progress, named so that the next run
    can tell it is Guyub's and whether the process that made it still runs."""
    folder = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.guyub-{role}-{os.getpid()}-", dir=target.parent)
    )
    folder.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; outputs are for sharing
    return folder


@contextmanager
def scratch_beside(target: Path) -> Iterator[Path]:
    """A private work folder beside `target`, removed afterwards: on the file system of
    the output (which the engine's workers must reach too), so that what is made there
    moves into the output without a copy."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(target)
    folder = work_folder(target, "scratch")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def clear_leftovers(target: Path) -> None:
    """Remove the work folders a killed run left beside `target` (their process is gone)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.guyub-(?:staging|retired|scratch)-(\d+)-")
    if not target.parent.is_dir():
        return
    for entry in target.parent.iterdir():
        found = pattern.match(entry.name)
        if found and entry.is_dir() and not entry.is_symlink() and not _running(int(found[1])):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _refuse_special_places(target: Path, where: Path) -> None:
    here = _resolved(Path.cwd())
    if where == here:
        raise OutputError(
            f"-o {target} is the folder you are in, and Guyub replaces its output folder: "
            "give a new folder's name, such as -o out"
        )
    if where in here.parents:
        raise OutputError(f"-o {target} holds the folder you are in: give a new folder's name")
    home = _resolved(Path.home())
    if where == home or where.parent == where:
        raise OutputError(
            f"-o {target} is your home folder or the disk's top: give a new folder's name"
        )


def _refuse_inputs(target: Path, where: Path, inputs: Iterable[Path]) -> None:
    for given in inputs:
        source = _resolved(Path(given))
        if source == where:
            raise OutputError(f"-o {target} is one of the inputs: outputs never replace an input")
        if where in source.parents:
            raise OutputError(
                f"-o {target} holds the input {given}: outputs and inputs never share a folder"
            )
        if source in where.parents and source.is_dir():
            raise OutputError(
                f"-o {target} is inside the input folder {given}: its outputs would be read as "
                "inputs next time"
            )


def _marked_kind(folder: Path) -> str | None:
    marker = folder / MARKER
    if marker.is_file():
        try:
            kind = json.loads(marker.read_text(encoding="utf-8")).get("kind")
        except (ValueError, AttributeError, OSError):
            return None
        return kind if kind in KINDS else None
    for kind, (name, key) in _LEGACY_SIGNS.items():
        try:
            if key in json.loads((folder / name).read_text(encoding="utf-8")):
                return kind
        except (ValueError, OSError, TypeError):
            continue
    if _files(folder) == {"weekly.csv", "runs.json", "report.html"}:
        return "batch"
    return None


def _owned(folder: Path) -> set[str]:
    try:
        return {*json.loads((folder / MARKER).read_text(encoding="utf-8"))["files"], MARKER}
    except (ValueError, KeyError, TypeError, OSError):
        return set()


def _files(folder: Path) -> set[str]:
    """Every file and empty folder under `folder`, as relative POSIX paths."""
    found = set()
    for path in folder.rglob("*"):
        if path.is_file() or path.is_symlink() or (path.is_dir() and not any(path.iterdir())):
            found.add(path.relative_to(folder).as_posix())
    return found


def _some(names: Iterable[str]) -> str:
    names = sorted(names)
    shown = ", ".join(names[:_NAMES_SHOWN])
    return shown + (f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else "")


def _resolved(path: Path) -> Path:
    return path.expanduser().resolve()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
