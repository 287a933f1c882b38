"""Writers for the run's output files (the I/O edge of the report stage)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import msgspec

from pipeline.records import MESSAGE_FIELDS, Message

_JSON = msgspec.json.Encoder()


def write_csv(
    path: Path, rows: Sequence[dict[str, object]], columns: Sequence[str] | None = None
) -> None:
    columns = list(columns or (rows[0].keys() if rows else []))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_json(path: Path, data: object) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


# What `guyub parse -o FILE` writes.
RECORD_SUFFIXES = (".csv", ".jsonl", ".parquet")


class RecordWriter:
    """`guyub parse`'s records file, written a batch at a time as the exports are read
    (so no export is held whole), into a work folder beside it; `finish` moves it into
    place, `abandon` leaves the old file as it was."""

    def __init__(self, path: Path):
        from pipeline.outputs import clear_leftovers, work_folder

        path.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(path)
        self.path, self.folder = path, work_folder(path, "staging")
        self.suffix, self.count = path.suffix.lower(), 0
        self._handle = (self.folder / path.name).open("wb")
        self._parquet = None
        if self.suffix == ".csv":
            self._handle.write(_csv_line(MESSAGE_FIELDS))

    def __call__(self, batch: Sequence[Message]) -> None:
        self.count += len(batch)
        if self.suffix == ".jsonl":
            self._handle.write(_JSON.encode_lines([m.as_row() for m in batch]))
        elif self.suffix == ".csv":
            for message in batch:
                self._handle.write(_csv_line([getattr(message, f) for f in MESSAGE_FIELDS]))
        else:
            from pipeline.dataset import record_table

            self._parquet_writer().write_table(record_table(batch))

    def _parquet_writer(self):
        # here: `guyub parse -o X.jsonl` need not load Arrow (0.1 s)
        if self._parquet is None:
            import pyarrow.parquet as pq

            from pipeline.dataset import RECORD_SCHEMA

            self._parquet = pq.ParquetWriter(self._handle, RECORD_SCHEMA, compression="zstd")
        return self._parquet

    def finish(self) -> int:
        """How many records were written."""
        if self.suffix == ".parquet":
            self._parquet_writer().close()  # (an empty file still has its columns)
        self._handle.close()
        os.replace(self.folder / self.path.name, self.path)
        shutil.rmtree(self.folder, ignore_errors=True)
        return self.count

    def abandon(self) -> None:
        self._handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _csv_line(values: Sequence[object]) -> bytes:
    line = io.StringIO()
    csv.writer(line).writerow(values)
    return line.getvalue().encode("utf-8")


def holds_records(path: Path, columns: Sequence[str]) -> bool:
    """Whether `path` is a records file as `guyub parse` writes them: exactly these
    columns, in this order (so that parse replaces its own output and nothing else)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_schema(path).names == list(columns)
        with path.open(encoding="utf-8", newline="") as handle:
            first = handle.readline()
        if suffix == ".csv":
            return next(csv.reader([first]), []) == list(columns)
        return list(json.loads(first)) == list(columns)
    except (OSError, ValueError, TypeError):
        return False
