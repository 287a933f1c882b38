"""Write the stop-word lists of configs/lexicon/ from spaCy's language data.

    python -m pipeline.normalise.stopwords configs/lexicon

The lists are data the normaliser reads (stopwords_id.txt, stopwords_en.txt), made from
spaCy's lang/<lang>/stop_words.py by this command and checked against spaCy by a test,
so that no run reads spaCy's source or pays for importing it. English contractions
("n't", "'s") are left out: no token the normaliser makes has an apostrophe.
"""

from __future__ import annotations

import argparse
from pathlib import Path

LANGUAGES = ("id", "en")
APOSTROPHES = {"'", "\u2018", "\u2019"}


def stop_word_lists() -> dict[str, list[str]]:
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
    from spacy.lang.id.stop_words import STOP_WORDS as INDONESIAN

    lists = {"id": INDONESIAN, "en": ENGLISH}
    return {
        lang: sorted(w for w in words if not APOSTROPHES & set(w)) for lang, words in lists.items()
    }


def write(directory: Path) -> None:
    from spacy import about

    for lang, words in stop_word_lists().items():
        header = (
            f"# Stop words ({lang}) from spaCy {about.__version__}'s lang/{lang}/stop_words.py,\n"
            "# written by `python -m pipeline.normalise.stopwords configs/lexicon`.\n"
        )
        (directory / f"stopwords_{lang}.txt").write_text(
            header + "".join(f"{word}\n" for word in words), encoding="utf-8"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.normalise.stopwords")
    parser.add_argument("directory", type=Path, help="where to write the lists")
    write(parser.parse_args(argv).directory)


if __name__ == "__main__":
    main()
