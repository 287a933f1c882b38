"""Pseudonymise authors and mask contact details before anything reaches an output."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pipeline.config import PrivacyConfig, resolve_data_path
from pipeline.patterns import EMAIL_RE, looks_like_phone_name, mask_phone_numbers

PHONE_MARK = "<phone>"
EMAIL_MARK = "<email>"
NAME_MARK = "<name>"


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


def salt_file(config: PrivacyConfig) -> Path:
    """Where the pseudonym salt is kept: `privacy.salt_file`, or else the user's config
    folder ($XDG_CONFIG_HOME/guyub/salt, ~/.config/guyub/salt). Never an output."""
    if config.salt_file:
        return Path(config.salt_file).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "guyub" / "salt"


def salt_fingerprint(config: PrivacyConfig) -> str:
    """Says whether two runs or models used the same salt, and nothing about the salt
    (which is 256 random bits): what manifests record instead of it."""
    salt, _ = load_salt(salt_file(config))
    return hashlib.sha256(f"guyub salt fingerprint\x1f{salt}".encode()).hexdigest()[:12]


def load_salt(path: Path) -> tuple[str, bool]:
    """(salt, just made): the salt in `path`, made at random the first time it is asked
    for. A team that shares pseudonyms shares this one file."""
    try:
        salt = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        salt = ""
    if salt:
        return salt, False
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    try:  # O_EXCL: of two first runs at once, one makes the salt and both use it
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_salt(path)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(salt + "\n")
    return salt, True


@cache
def forms_of_address() -> frozenset[str]:
    path = resolve_data_path("lexicon/forms_of_address.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


class Privacy:
    """Applies the [privacy] table to authors and message texts."""

    def __init__(self, config: PrivacyConfig):
        self.config = config
        self.salt, self.salt_made = load_salt(salt_file(config))
        self._authors: dict[str, str] = {}
        self._chats: dict[str, str] = {}  # asked once per message of a multi-chat export
        # With pseudonymise_names, members' names (and their parts) inside messages.
        self._mentions: dict[str, str] = {}
        self._mention_re: re.Pattern[str] | None = None

    def author(self, name: str) -> str:
        if not name:
            return name
        cached = self._authors.get(name)
        if cached is None:
            hide = (
                self.config.pseudonymise_names
                or holds_phone_number(name)
                or EMAIL_RE.search(name) is not None  # an address is as private as a number
            )
            cached = pseudonym(name, self.salt) if hide else name
            self._authors[name] = cached
        return cached

    def chat(self, name: str) -> str:
        """A chat named by a phone number (a one-to-one export with someone not in the
        exporter's contacts: "WhatsApp Chat with +62 812...") gets a pseudonym."""
        cached = self._chats.get(name)
        if cached is None:
            cached = pseudonym(name, self.salt) if holds_phone_number(name) else name
            self._chats[name] = cached
        return cached

    @property
    def learns_names(self) -> bool:
        """Whether members' names are to be learned (to replace them inside messages)."""
        return self.config.pseudonymise_names

    def learn_names(self, names: Iterable[str]) -> None:
        """With pseudonymise_names, members' names are replaced inside messages too: a
        whole name, or any part of it that is a name ("Hendra" of "Pak Hendra Wijaya").
        A part two members share becomes <name>: it cannot say which one is meant."""
        if not self.config.pseudonymise_names:
            return
        address = forms_of_address()
        owners: dict[str, set[str]] = {}
        for name in {n for n in names if n}:
            pseudo = self.author(name)
            parts = [p for p in _NAME_PART_RE.findall(name) if p.casefold() not in address]
            for variant in {name, *(p for p in parts if len(p) >= 3)}:
                owners.setdefault(variant.casefold(), set()).add(pseudo)
        for variant, who in owners.items():
            self._mentions[variant] = who.pop() if len(who) == 1 else NAME_MARK
        if self._mentions:
            alternatives = sorted(self._mentions, key=len, reverse=True)
            self._mention_re = re.compile(
                rf"(?<!\w)(?:{'|'.join(map(re.escape, alternatives))})(?!\w)", re.IGNORECASE
            )

    def text(self, text: str) -> str:
        if self.config.mask_emails and "@" in text:
            text = EMAIL_RE.sub(EMAIL_MARK, text)
        if self.config.mask_phones:
            text = mask_phone_numbers(text, PHONE_MARK)
        if self._mention_re is not None:
            text = self._mention_re.sub(lambda m: self._mentions[m.group().casefold()], text)
        return text


_NAME_PART_RE = re.compile(r"[^\W\d_]+")
