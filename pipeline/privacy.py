"""Pseudonymise authors and mask contact details before anything reaches an output."""

from __future__ import annotations

import hashlib

from pipeline.config import PrivacyConfig
from pipeline.patterns import EMAIL_RE, looks_like_phone_name, mask_phone_numbers

PHONE_MARK = "<phone>"
EMAIL_MARK = "<email>"


def pseudonym(name: str, salt: str) -> str:
    """A stable stand-in: the same name and salt always give the same pseudonym."""
    key = "".join(ch for ch in name if ch.isalnum()) if looks_like_phone_name(name) else name
    digest = hashlib.sha256(f"{salt}\x1f{key}".encode()).hexdigest()[:8]
    return f"member-{digest}"


def mask_path(path: str) -> str:
    """An input's path (or a message naming it) as outputs keep it: the export of a
    one-to-one chat is named after the contact, who may be a phone number. The
    terminal's error messages keep the real path, for the user to act on."""
    return mask_phone_numbers(path, PHONE_MARK)


def holds_phone_number(name: str) -> bool:
    """A name that is a phone number, or holds one ("Budi Kue 0812-3456-7890": as
    private, and masking only the number would merge two such members into one)."""
    return looks_like_phone_name(name) or mask_phone_numbers(name, "") != name


class Privacy:
    """Applies the [privacy] table to authors and message texts."""

    def __init__(self, config: PrivacyConfig):
        self.config = config
        self._authors: dict[str, str] = {}
        self._chats: dict[str, str] = {}  # asked once per message of a multi-chat export

    def author(self, name: str) -> str:
        if not name:
            return name
        cached = self._authors.get(name)
        if cached is None:
            hide = self.config.pseudonymise_names or holds_phone_number(name)
            cached = pseudonym(name, self.config.salt) if hide else name
            self._authors[name] = cached
        return cached

    def chat(self, name: str) -> str:
        """A chat named by a phone number (a one-to-one export with someone not in the
        exporter's contacts: "WhatsApp Chat with +62 812...") gets a pseudonym."""
        cached = self._chats.get(name)
        if cached is None:
            cached = pseudonym(name, self.config.salt) if holds_phone_number(name) else name
            self._chats[name] = cached
        return cached

    def text(self, text: str) -> str:
        if self.config.mask_emails and "@" in text:
            text = EMAIL_RE.sub(EMAIL_MARK, text)
        if self.config.mask_phones:
            text = mask_phone_numbers(text, PHONE_MARK)
        return text
