"""Telegram Desktop JSON exports: one chat (`result.json` of a chat) or a whole account
(`chats.list[*]`). `text` is a string or a list of strings and entity objects; service
messages (`type: "service"`) are group events; `from` may be null."""

from __future__ import annotations

import json
import re

from pipeline.ingest.common import Document, Parsed, RawMessage
from pipeline.ingest.decode import IngestError, decode_export

_ID_LINE_RE = re.compile(r'^\s*"id":\s*(-?\d+),?\s*$')
MEDIA_KEYS = (
    "photo",
    "file",
    "media_type",
    "sticker_emoji",
    "poll",
    "location_information",
    "contact_information",
)


def looks_like_telegram(document: Document) -> bool:
    head = document.data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    return head.startswith(b"{") and (
        b'"messages"' in document.data[: 1 << 20] or b'"chats"' in head
    )


def flatten_text(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", "")) for part in text
        )
    return ""


def parse_telegram(document: Document, *, date_order: str = "auto") -> Parsed:
    source = document.source
    text = decode_export(document.data, source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise IngestError(source, err.lineno, f"not valid JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise IngestError(source, 1, "not a Telegram export (top level is not an object)")
    if "chats" in data:
        chats = data["chats"].get("list", []) if isinstance(data["chats"], dict) else []
    elif "messages" in data:
        chats = [data]
    else:
        raise IngestError(source, 1, "not a Telegram export (no messages or chats)")
    lines = text.split("\n")
    parsed = Parsed([], "telegram-json", len(lines), "ymd (ISO dates)")
    cursor = 0
    for chat in chats:
        name = str(chat.get("name") or document.chat)
        for item in chat.get("messages", []):
            cursor = _line_of_id(lines, item.get("id"), cursor)
            parsed.messages.append(_message(item, name, cursor + 1))
    _account_lines(parsed, lines)
    return parsed


def _line_of_id(lines: list[str], message_id: object, start: int) -> int:
    """The line of `"id": N` at or after `start`, where the message object begins."""
    wanted = str(message_id)
    for number in range(start, len(lines)):
        found = _ID_LINE_RE.match(lines[number])
        if found and found.group(1) == wanted:
            return number
    return start  # compact JSON on one line: every message starts where the cursor is


def _message(item: dict, chat: str, line: int) -> RawMessage:
    text = flatten_text(item.get("text", ""))
    stamp = str(item.get("date", ""))[:19]
    if item.get("type") == "service":
        actor = item.get("actor") or ""
        action = str(item.get("action", "")).replace("_", " ")
        event = " ".join(x for x in (actor, action, text) if x)
        return RawMessage(line, 1, stamp, "", "system", event, chat=chat)
    author = item.get("from") or ""
    has_media = any(key in item for key in MEDIA_KEYS)
    kind = "media" if has_media and not text.strip() else "message"
    if kind == "media":
        text = str(item.get("media_type") or ("photo" if "photo" in item else "file"))
    return RawMessage(line, 1, stamp, str(author), kind, text, edited="edited" in item, chat=chat)


def _account_lines(parsed: Parsed, lines: list[str]) -> None:
    """A message object spans the lines up to the next one's start; everything else
    (the chat's name, type and id, brackets) is counted as JSON structure."""
    starts = [m.line for m in parsed.messages]
    if len(set(starts)) < len(starts):  # compact JSON: lines cannot be split among messages
        for message in parsed.messages:
            message.n_lines = 0
        parsed.messages[0].n_lines = 1 if parsed.messages else 0
        parsed.skip("JSON structure", len(lines) - (1 if parsed.messages else 0))
        return
    in_records = 0
    for i, message in enumerate(parsed.messages):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else _closing_bracket(lines, message.line)
        message.n_lines = max(end - message.line + 1, 1)
        in_records += message.n_lines
    parsed.skip("JSON structure", len(lines) - in_records)


def _closing_bracket(lines: list[str], start: int) -> int:
    for number in range(start, len(lines)):
        if lines[number].strip().startswith("]"):
            return number  # 1-based line before the bracket
    return len(lines)
