"""Write the demo WhatsApp export from demo_chat_script.txt.

    python examples/make_demo_chat.py

The output, examples/whatsapp_umkm_banua.txt, is an Indonesian Android export
(`13/01/24 08.05 - Name: text`) of a fictional group. Timestamps come from a seeded
generator, so rerunning this gives the same file byte for byte.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
SCRIPT = HERE / "demo_chat_script.txt"
OUTPUT = HERE / "whatsapp_umkm_banua.txt"
START = datetime(2024, 1, 8)
PLACEHOLDERS = {"<media>": "<Media tidak disertakan>", "<deleted>": "Pesan ini telah dihapus"}
ENCRYPTION_NOTICE = (
    "Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, "
    "termasuk WhatsApp, yang dapat membaca atau mendengarkannya."
)


def scenes(script: str) -> list[tuple[int, list[tuple[str, str]]]]:
    result: list[tuple[int, list[tuple[str, str]]]] = []
    for line in script.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=="):
            result.append((int(line[2:]), []))
            continue
        author, _, text = line.partition("|")
        result[-1][1].append((author, text.replace("\\n", "\n")))
    return result


def render(when: datetime, author: str, text: str) -> str:
    stamp = when.strftime("%d/%m/%y %H.%M")
    text = PLACEHOLDERS.get(text, text)
    return f"{stamp} - {text}" if author == "SYSTEM" else f"{stamp} - {author}: {text}"


def main() -> None:
    rng = random.Random(2024)
    day = START
    lines = [render(START.replace(hour=7, minute=58), "SYSTEM", ENCRYPTION_NOTICE)]
    for gap, messages in scenes(SCRIPT.read_text(encoding="utf-8")):
        day += timedelta(days=gap)
        when = day.replace(hour=rng.randint(7, 19), minute=rng.randint(0, 59))
        for author, text in messages:
            lines.append(render(when, author, text))
            when += timedelta(minutes=rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 21]))
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(lines)} messages)")


if __name__ == "__main__":
    main()
