"""A run as a REFI-QDA project (`guyub export RUN_DIR -o project.qdpx`) or its codes
alone as a codebook (`-o codebook.qdc`).

The project holds one plain-text source per chat (one message per line,
`date time author: text`), a selection over the text of each message Guyub gave a
theme, with a coding per theme made by a user named for Guyub and its model (the
scores in the selection's description); the codebook's themes as codes (their
definitions as descriptions) and the emergent topics as codes under one parent; the
members as cases pointing at their selections. Every GUID is derived from what it
names, and the zip's entries carry a fixed date: exporting a run twice gives the same
file. The order of the elements is the schema's (importers are strict about it)."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pyarrow.dataset as ds

from pipeline.config import resolve_data_path
from pipeline.model.study import DataError, Theme, load_codebook
from pipeline.outputs import replace_file
from pipeline.qda.refi import (
    CODEBOOK_NS,
    EMERGENT,
    INTERNAL,
    ORIGIN,
    PROJECT_FILE,
    PROJECT_NS,
    SOURCES,
    Line,
    guid,
    ids_note,
    message_line,
    source_text,
    theme_guid,
)
from pipeline.report.data import RunData, load_run_dir

_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
COLUMNS = ["id", "chat", "timestamp", "author", "text", "themes", "theme_scores", "confidence"]


def run_columns(dataset: ds.Dataset) -> list[str]:
    """COLUMNS a run's messages hold (one made before confidence was measured has none)."""
    return [column for column in COLUMNS if column in dataset.schema.names]


@dataclass(frozen=True)
class Topic:
    """An emergent topic: its number in the run and its heaviest terms."""

    number: int
    terms: tuple[str, ...]


@dataclass(frozen=True)
class RunCodes:
    """What a run's codes are made of."""

    themes: Sequence[Theme]
    emergent: Sequence[Topic]
    coder: str  # the name of the user the codings are made by
    created: str  # when the run was made (ISO 8601): the codings' date
    origin: str  # e.g. "Guyub 0.1.0"


def codes_element(parent: ET.Element, ns: str, codes: RunCodes) -> None:
    """The themes, then the emergent topics under one parent code."""
    holder = ET.SubElement(parent, f"{{{ns}}}Codes")
    for theme in codes.themes:
        code = ET.SubElement(
            holder,
            f"{{{ns}}}Code",
            guid=theme_guid(theme.id),
            name=theme.name_en,
            isCodable="true",
        )
        ET.SubElement(
            code, f"{{{ns}}}Description"
        ).text = f"{theme.definition} (Guyub theme id: {theme.id}; {theme.name_id})"
    if codes.emergent:
        parent_code = ET.SubElement(
            holder, f"{{{ns}}}Code", guid=guid("code", EMERGENT), name=EMERGENT, isCodable="false"
        )
        ET.SubElement(parent_code, f"{{{ns}}}Description").text = (
            "Topics Guyub found that no theme of the codebook matched, named by their "
            "heaviest terms: candidates for themes the codebook did not foresee."
        )
        for topic in codes.emergent:
            code = ET.SubElement(
                parent_code,
                f"{{{ns}}}Code",
                guid=guid("topic", str(topic.number)),
                name=f"Topic {topic.number}: {' / '.join(topic.terms[:3])}",
                isCodable="true",
            )
            ET.SubElement(code, f"{{{ns}}}Description").text = ", ".join(topic.terms)


def codebook_bytes(codes: RunCodes) -> bytes:
    """A `.qdc` codebook of the codes."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=codes.origin)
    codes_element(root, CODEBOOK_NS, codes)
    return _xml(root)


@dataclass(frozen=True)
class Coded:
    """A message as the project shows it."""

    line: Line
    author: str
    themes: tuple[str, ...]
    scores: dict[str, float]
    why: str = ""  # why a review chose it: the theme Guyub is unsure of, or "random"
    confidence: float | None = None  # how sure Guyub is of the message's themes


def project_bytes(name: str, codes: RunCodes, chats: dict[str, list[Coded]]) -> bytes:
    """A `.qdpx` project (a zip of project.qde and one text file per chat)."""
    ET.register_namespace("", PROJECT_NS)
    ns = PROJECT_NS
    user = guid("user", codes.coder)
    root = ET.Element(
        f"{{{ns}}}Project",
        name=name,
        origin=codes.origin,
        creatingUserGUID=user,
        **_when(codes.created),
    )
    users = ET.SubElement(root, f"{{{ns}}}Users")
    ET.SubElement(users, f"{{{ns}}}User", guid=user, name=codes.coder)
    codebook = ET.SubElement(root, f"{{{ns}}}CodeBook")
    codes_element(codebook, ns, codes)

    files: dict[str, bytes] = {}
    cases: dict[str, list[str]] = defaultdict(list)
    sources = ET.Element(f"{{{ns}}}Sources")
    for chat in sorted(chats):
        messages = chats[chat]
        text, spans = source_text([m.line for m in messages])
        source_guid = guid("source", chat)
        files[f"{SOURCES}{source_guid}.txt"] = text.encode("utf-8")  # no BOM
        source = ET.SubElement(
            sources,
            f"{{{ns}}}TextSource",
            guid=source_guid,
            name=chat,
            plainTextPath=f"{INTERNAL}{source_guid}.txt",
            creatingUser=user,
            **_when(codes.created),
        )
        reasons = [f"{i} {m.why}" for i, m in enumerate(messages, start=1) if m.why]
        ET.SubElement(source, f"{{{ns}}}Description").text = (
            f"The messages of {chat}, one per line as date time author: text (a message's "
            f"own line breaks written as spaces), exported by {codes.origin}.\n"
            + (
                "Chosen for review, by line: Guyub is unsure of this theme, or drawn at "
                f"random: {', '.join(reasons)}.\n"
                if reasons
                else ""
            )
            + ids_note([m.line.id for m in messages])
        )
        for message, (start, end) in zip(messages, spans, strict=True):
            cases.setdefault(message.author, [])
            if not message.themes:
                continue
            selection_guid = guid("selection", message.line.id)
            cases[message.author].append(selection_guid)
            selection = ET.SubElement(
                source,
                f"{{{ns}}}PlainTextSelection",
                guid=selection_guid,
                name=message.line.id,
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=user,
                **_when(codes.created),
            )
            ET.SubElement(selection, f"{{{ns}}}Description").text = (
                "Guyub's scores: "
                + ", ".join(f"{theme} {message.scores[theme]:.3f}" for theme in message.themes)
                + ("" if message.confidence is None else f"; confidence {message.confidence:.0%}")
            )
            for theme in message.themes:
                coding = ET.SubElement(
                    selection,
                    f"{{{ns}}}Coding",
                    guid=guid("coding", f"{message.line.id}:{theme}"),
                    creatingUser=user,
                    **_when(codes.created),
                )
                ET.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=theme_guid(theme))
    if cases:
        holder = ET.SubElement(root, f"{{{ns}}}Cases")
        for member in sorted(cases):
            case = ET.SubElement(
                holder, f"{{{ns}}}Case", guid=guid("case", member), name=member or "(no name)"
            )
            for selection_guid in cases[member]:
                ET.SubElement(case, f"{{{ns}}}SelectionRef", targetGUID=selection_guid)
    if len(sources):
        root.append(sources)
    ET.SubElement(root, f"{{{ns}}}Description").text = (
        f"Exported by {codes.origin} from the run {name}: each coding is a theme "
        f"{codes.coder} gave a message."
    )
    files[PROJECT_FILE] = _xml(root)
    return _zip(files)


def export_run(run_dir: Path, target: Path) -> dict[str, int]:
    """Write the run as a project (`.qdpx`) or its codes as a codebook (`.qdc`, by
    `target`'s suffix); what was written, counted."""
    data = load_run_dir(run_dir)
    codes = run_codes(data)
    if target.suffix.lower() == ".qdc":
        replace_file(target, codebook_bytes(codes))
        return {"codes": len(codes.themes) + len(codes.emergent)}
    chats = read_run_messages(data.messages, data.theme_ids)
    return write_project(target, Path(run_dir).name, codes, chats)


def write_project(
    target: Path, name: str, codes: RunCodes, chats: dict[str, list[Coded]]
) -> dict[str, int]:
    """The project written to `target`; what it holds, counted."""
    replace_file(target, project_bytes(name, codes, chats))
    messages = [m for chat in chats.values() for m in chat]
    return {
        "sources": len(chats),
        "messages": len(messages),
        "selections": sum(bool(m.themes) for m in messages),
        "codings": sum(len(m.themes) for m in messages),
    }


def run_codes(data: RunData) -> RunCodes:
    """The run's codes: the codebook's themes it was fitted with, its emergent topics."""
    by_id = {theme.id: theme for theme in load_codebook(resolve_data_path(data.codebook))}
    missing = [t for t in data.theme_ids if t not in by_id]
    if missing:
        raise DataError(f"{data.codebook}: the codebook no longer has the run's theme(s) {missing}")
    origin = f"{ORIGIN} {data.guyub_version}".strip()
    return RunCodes(
        themes=[by_id[t] for t in data.theme_ids],
        emergent=[
            Topic(number, tuple(terms[:10]))
            for number, (terms, theme) in enumerate(
                zip(data.topic_terms, data.topic_themes, strict=True)
            )
            if theme == "emergent"
        ],
        coder=f"{origin} (model {data.model_version or 'of an older run'})",
        created=data.created,
        origin=origin,
    )


def read_run_messages(dataset: Path, theme_ids: Sequence[str]) -> dict[str, list[Coded]]:
    """The run's messages by chat, in the order they were read."""
    messages = ds.dataset(dataset, format="parquet")
    table = messages.to_table(columns=run_columns(messages))
    chats: dict[str, list[Coded]] = defaultdict(list)
    for row in table.to_pylist():
        chats[row["chat"]].append(coded_of(row, theme_ids))
    return chats


def coded_of(row: dict, theme_ids: Sequence[str], why: str = "") -> Coded:
    """A message as the project shows it, from its row of the messages dataset."""
    return Coded(
        message_line(row["id"], row["timestamp"], row["author"], row["text"]),
        row["author"],
        tuple(row["themes"] or ()),
        dict(zip(theme_ids, row["theme_scores"] or [], strict=False)),
        why,
        row.get("confidence"),
    )


def _when(created: str) -> dict[str, str]:
    """The date attribute, where the run has one (a run before it was recorded has not)."""
    return {"creationDateTime": created} if created else {}


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files, key=lambda n: (n != PROJECT_FILE, n)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return out.getvalue()
