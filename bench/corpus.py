"""Realistic WhatsApp exports of any size, made with a fixed seed.

Text comes from the public corpora beside the project (../shared/corpora: tweets,
reviews, Banjarese sentences, informal customer-service messages; never STIF's dev or
test split) and from the seed set's messages. Authors are Zipfian (a few members write
most), timestamps move forward in bursts, and the export has multi-line messages, media,
deleted messages, system lines and members known only by phone number.

Messages repeat as they do in a real group, not as a sample from a small pool would: a
share are the short replies every group repeats ("siap bu", "aamiin"), and the rest are
pool texts varied the way members vary them (spliced with another text, with a form of
address, a particle, an emoji, a price, a stretched word), so that most are unique. A
pool drawn whole would make four messages in five exact repeats, and any per-message
cache would look far better than it is.
"""

from __future__ import annotations

import csv
import json
import random
import re
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpora"
DATA = Path(__file__).resolve().parent / "data"
_USER_RE = re.compile(r"\[USERNAME\]|xxxuserxxx|@\w+", re.I)


@cache
def text_pool() -> tuple[str, ...]:
    texts: list[str] = []
    emot = SHARED / "indonlu-smsa-emot" / "emot" / "train_preprocess.csv"
    with emot.open(encoding="utf-8") as handle:
        texts += [row["tweet"] for row in csv.DictReader(handle)]
    smsa = SHARED / "indonlu-smsa-emot" / "smsa" / "train_preprocess.tsv"
    texts += [line.split("\t")[0] for line in smsa.read_text(encoding="utf-8").splitlines()]
    with (SHARED / "prdect-id" / "PRDECT-ID Dataset.csv").open(encoding="utf-8") as handle:
        texts += [row["Customer Review"] for row in csv.DictReader(handle)]
    with (SHARED / "nusax-banjarese" / "sentiment" / "banjarese" / "train.csv").open(
        encoding="utf-8"
    ) as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
    for path in sorted((SHARED / "stif-indonesia" / "unlabelled").glob("*.inf")):
        texts += path.read_text(encoding="utf-8").splitlines()
    seeds = (ROOT / "configs" / "seed_set.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [json.loads(line)["text"] for line in seeds] * 5  # chat-like text, weighted up
    cleaned = (" ".join(_USER_RE.sub("", t).split()) for t in texts)
    return tuple(t for t in cleaned if t)


NAMES = [
    "Hj. Salmah", "Pak Rahmat", "Bu Norma", "Acil Imah", "Dedi", "Wulan", "Fitri", "Pak Ijai",
    "Yusuf", "Bu Linda", "Aulia", "Rina", "Anne-Marie", "Budi Santoso", "Siti Aminah 🌸",
]  # fmt: skip
SYSTEM = [
    "Budi added Rina",
    "Siti left",
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
    "Dedi joined using this group's invite link",
]


def authors(rng: random.Random, count: int) -> list[str]:
    people = list(NAMES) + [f"Member {i}" for i in range(count - len(NAMES))]
    phones = [
        f"+62 8{rng.randint(11, 59)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        for _ in range(count // 10)
    ]
    return people + phones


def render_android_en(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y, %H:%M") + " - "


def render_android_id(moment: datetime) -> str:
    return moment.strftime("%d/%m/%y %H.%M") + " - "


LAYOUTS = {"android-en": render_android_en, "android-id": render_android_id}

REPLIES = [
    "ok", "oke", "oke bu", "siap", "siap bu", "siap pak", "siap kak", "noted", "makasih",
    "makasih kak", "terima kasih", "terima kasih infonya", "trims", "aamiin", "aamiin ya allah",
    "mantap", "mantappp", "wkwkwk", "hehe", "hadir", "iya bu", "iya pak", "sama2", "👍", "🙏",
    "🙏🙏🙏", "nggih", "inggih", "ok sip", "sip", "alhamdulillah", "masyaallah", "semangat!",
    "setuju", "boleh", "bisa", "nanti saya kabari", "otw", "sudah transfer ya", "thanks",
]  # fmt: skip
ADDRESS = ["kak ", "bu ", "pak ", "min ", "acil ", "bos ", "gan ", "teman2 ", "ibu2 "]
ENDINGS = [" ya", " kak", " bu", " pak", " 🙏", " 😂", " wkwk", " dong", " sih", "!!", "?"]
PRICES = ["25rb", "Rp 35.000", "2 pcs", "5 jt", "15k", "1 kg", "10 box", "Rp50.000", "3x"]


def chat_message(rng: random.Random, pool: tuple[str, ...]) -> str:
    """One member's message: a common reply, or a pool text as a member would vary it."""
    if rng.random() < 0.15:
        return rng.choice(REPLIES)
    words = rng.choice(pool).split()
    if len(words) > 3 and rng.random() < 0.4:
        other = rng.choice(pool).split()
        words = words[: rng.randint(2, len(words) - 1)] + other[len(other) // 2 :]
    if rng.random() < 0.15:
        words.insert(rng.randint(0, len(words)), rng.choice(PRICES))
    if rng.random() < 0.1:
        at = rng.randrange(len(words))
        words[at] += words[at][-1] * rng.randint(1, 3)
    text = " ".join(words)
    if rng.random() < 0.3:
        text = rng.choice(ADDRESS) + text
    if rng.random() < 0.3:
        text += rng.choice(ENDINGS)
    return text


def make_export(n_messages: int, *, seed: int = 7, layout: str = "android-en") -> Path:
    """Write (once) and return an export of n_messages messages."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"WhatsApp Chat with Bench {layout} {n_messages} v3.txt"
    if path.exists():
        return path
    rng = random.Random(seed)
    pool = text_pool()
    people = authors(rng, 200)
    weights = [1 / (rank + 1) for rank in range(len(people))]  # Zipf: a few write most
    render = LAYOUTS[layout]
    moment = datetime(2022, 1, 3, 7, 0)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(n_messages):
            # ~3 minutes apart on average: a million messages span about six years,
            # as a busy association's groups would
            moment += timedelta(minutes=rng.choice([0, 0, 0, 1, 1, 1, 2, 2, 3, 5, 8, 12]))
            roll = rng.random()
            if roll < 0.01:
                out.write(f"{render(moment)}{rng.choice(SYSTEM)}\n")
                continue
            author = rng.choices(people, weights)[0]
            if roll < 0.05:
                text = "<Media omitted>"
            elif roll < 0.06:
                text = "This message was deleted"
            elif roll < 0.12:
                text = "\n".join(chat_message(rng, pool) for _ in range(rng.randint(2, 4)))
            else:
                text = chat_message(rng, pool)
            out.write(f"{render(moment)}{author}: {text}\n")
    return path


def whatstk_safe_copy(path: Path) -> Path:
    """A copy of an export that whatstk's auto-detection can read (written once).

    whatstk 0.9.1 takes the text before a line's first ": " as a possible header and
    indexes its last character, so a continuation line that starts with ": " (the
    dialogue corpus has such lines: 172 in 200k messages) raises IndexError. The copy
    doubles that colon and changes nothing else, so the peer's auto-detected parse can
    be timed on the same messages.
    """
    safe = path.with_name(f"{path.stem} whatstk-safe{path.suffix}")
    if not safe.exists():
        text = path.read_text(encoding="utf-8")
        safe.write_text(re.sub(r"(?m)^: ", ":: ", text), encoding="utf-8")
    return safe
