"""Telegram Desktop JSON exports: one chat (`result.json` of a chat) or a whole account
(`chats.list[*]`). `text` is a string or a list of strings and entity objects; service
messages (`type: "service"`) are group events; `from` may be null."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from pipeline.ingest.common import Document, Parsed, RawMessage, without_lone_surrogates
from pipeline.ingest.decode import IngestError

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
    head = document.prefix(4096).lstrip(b"\xef\xbb\xbf \r\n\t")
    return head.startswith(b"{") and (
        b'"messages"' in document.prefix(1 << 20) or b'"chats"' in head
    )


def flatten_text(text: object) -> str:
    if isinstance(text, str):
        return without_lone_surrogates(text)
    if isinstance(text, list):
        return without_lone_surrogates(
            "".join(
                part if isinstance(part, str) else str(part.get("text", ""))
                for part in text
                if isinstance(part, str | dict)
            )
        )
    return ""


def parse_telegram(document: Document, *, date_order: str = "auto") -> Parsed:
    source = document.source
    text = document.text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise IngestError(source, err.lineno, f"not valid JSON ({err.msg})") from None
    except (RecursionError, ValueError) as err:  # nested too deep, a 5,000-digit number
        raise IngestError(source, None, f"unreadable JSON ({err})") from None
    if not isinstance(data, dict):
        raise IngestError(source, 1, "not a Telegram export (top level is not an object)")
    if "chats" in data:
        listed = data["chats"].get("list") if isinstance(data["chats"], dict) else None
        chats = listed if isinstance(listed, list) else []
    elif "messages" in data:
        chats = [data]
    else:
        raise IngestError(source, 1, "not a Telegram export (no messages or chats)")
    chats = [chat for chat in chats if isinstance(chat, dict)]
    for chat in chats:
        if not isinstance(chat.get("messages", []), list):
            raise IngestError(source, None, "not a Telegram export (its messages are no list)")
    items = [
        (without_lone_surrogates(str(chat.get("name") or document.chat)), item)
        for chat in chats
        for item in chat.get("messages", [])
        if isinstance(item, dict)
    ]
    local = all(_local_time(item) for _, item in items)
    lines = document.lines
    parsed = Parsed(
        [],
        "telegram-json",
        len(lines),
        "ymd (local time, from each message's date)"
        if local
        else "ymd (UTC, from date_unixtime: not every message has a local date)",
    )
    starts = _line_numbers(text, _object_offsets(text, chats))
    for index, (name, item) in enumerate(items):
        stamp = _local_time(item) if local else _utc_time(item)
        line = starts[index] if starts else 1
        if not stamp:
            # The message still covers its lines, which the ledger counts as skipped.
            parsed.messages.append(RawMessage(line, 1, "", "", _NO_DATE, ""))
            continue
        parsed.messages.append(_message(item, name, line, stamp))
    _account_lines(parsed, lines)
    for message in [m for m in parsed.messages if m.kind == _NO_DATE]:
        parsed.skip("message without a date or date_unixtime", message.n_lines)
        parsed.messages.remove(message)
    return parsed


_NO_DATE = "no date"


def _local_time(item: dict) -> str:
    stamp = str(item.get("date") or "")[:19]
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    return stamp


def _utc_time(item: dict) -> str:
    try:
        moment = datetime.fromtimestamp(int(str(item.get("date_unixtime"))), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


_MESSAGES_KEY_RE = re.compile(r'"messages"\s*:\s*\[')
_SPACE_RE = re.compile(r"[ \t\r\n]*")


def _object_offsets(text: str, chats: list[dict]) -> list[int]:
    """Where each message object of the chats starts in the text, in order; [] if the
    text's arrays cannot be matched to the chats (then every message gets line 1).

    Each "messages" array is read one object at a time (raw_decode says where one
    ends); arrays are matched to the chats by their length and first message's id,
    since an export may hold other arrays of that name (left chats)."""
    decoder = json.JSONDecoder()
    arrays: list[tuple[list[int], object]] = []
    for found in _MESSAGES_KEY_RE.finditer(text):
        offsets, first_id, at = [], None, found.end()
        try:
            while True:
                at = _SPACE_RE.match(text, at).end()
                if text.startswith("]", at):
                    break
                offsets.append(at)
                item, at = decoder.raw_decode(text, at)
                if first_id is None and isinstance(item, dict):
                    first_id = item.get("id")
                at = _SPACE_RE.match(text, at).end()
                if text.startswith(",", at):
                    at += 1
        except (json.JSONDecodeError, IndexError):
            continue  # "messages" inside a string, not an array of the export
        arrays.append((offsets, first_id))
    result: list[int] = []
    for chat in chats:
        messages = [m for m in chat.get("messages", []) if isinstance(m, dict)]
        first_id = messages[0].get("id") if messages else None
        while arrays and not (len(arrays[0][0]) == len(messages) and arrays[0][1] == first_id):
            arrays.pop(0)
        if not arrays:
            return []
        result.extend(arrays.pop(0)[0])
    return result


def _line_numbers(text: str, offsets: list[int]) -> list[int]:
    """1-based line numbers of increasing text offsets."""
    numbers, line, at = [], 1, 0
    for offset in offsets:
        line += text.count("\n", at, offset)
        at = offset
        numbers.append(line)
    return numbers


def _message(item: dict, chat: str, line: int, stamp: str) -> RawMessage:
    text = flatten_text(item.get("text", ""))
    if item.get("type") == "service":
        actor = without_lone_surrogates(str(item.get("actor") or ""))
        action = str(item.get("action", "")).replace("_", " ")
        event = " ".join(x for x in (actor, action, text) if x)
        code = str(item.get("action", "")).replace("_", "-")  # Telegram's own, in English
        return RawMessage(line, 1, stamp, "", "system", event, chat=chat, code=code)
    author = item.get("from") or ""
    has_media = any(key in item for key in MEDIA_KEYS)
    kind = "media" if has_media and not text.strip() else "message"
    if kind == "media":
        text = str(item.get("media_type") or ("photo" if "photo" in item else "file"))
    author = without_lone_surrogates(str(author))
    code = text.replace("_", "-") if kind == "media" else ""
    return RawMessage(
        line, 1, stamp, author, kind, text, edited="edited" in item, chat=chat, code=code
    )


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
