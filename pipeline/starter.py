"""`guyub init DIR`: a project to start a study of one's own from: a config that points
at the folder's own codebook and seed file, the codebook (the study's, or one's own as
TOML or as a `.qdc` exported from a QDA tool), a seed file, and a README of the steps."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import tomli_w

from pipeline import CONFIG_DIR
from pipeline.model.study import FEW_SEEDS, load_labelled, read_codebook_file
from pipeline.outputs import OutputError, work_folder

# the study's seeds copied into a new project, per theme: enough to see the format,
# far too few to fit on (the project's README and fit's warning say so)
EXAMPLES_PER_THEME = 3

CONFIG = """\
# Guyub settings of this project, laid over the defaults (guyub --help; the defaults
# are documented in Guyub's configs/default.toml). Names are read beside this file.
[themes]
codebook = "codebook.toml"
seed_set = "seeds.jsonl"
"""

README = """\
# A Guyub project

1. **The codebook** (`codebook.toml`): one `[themes.ID]` table per theme with `name_en`,
   `name_id` and a `definition`; `subcodes = ["..."]` lists codes that count as the
   theme when a seed or a coder uses them. Ids are lowercase words joined by `_`.
2. **The seeds** (`seeds.jsonl`): messages you label by hand, one JSON object a line:
   `{{"text": "...", "themes": ["ID"], "split": "train"}}` (`"split": "test"` for the
   ones kept back to measure the model). Write at least {few} per theme: on the study's
   seed set macro-F1 is 0.27 with 5 a theme, 0.44 with 10, 0.58 with 20, 0.74 with 40 and
   0.83 with 61-97 (`python -m bench.seed_curve`); `guyub run` and `guyub fit` warn about
   themes with fewer.
3. **Run**: `guyub run EXPORTS... -o out --config {folder}/config.toml`.
4. **Check it with people**: `guyub review out -n 40 -o review.qdpx`, code it in NVivo,
   ATLAS.ti, MAXQDA or QualCoder, export it as REFI-QDA, then
   `guyub import-codes coded.qdpx -o coded.jsonl --coder NAME`,
   `guyub agreement coded.jsonl --run out`, and fit again with `--seeds coded.jsonl`.
"""


def write_starter(folder: Path, codebook: Path | None = None) -> dict[str, int]:
    """Write the project into `folder` (new or empty: nothing of yours is replaced)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"{folder} is not a new or empty folder: choose another")
    source = codebook or CONFIG_DIR / "codebook.toml"
    themes, subcodes = read_codebook_file(source)
    if source.suffix.lower() == ".toml":
        codebook_text = source.read_text(encoding="utf-8")
    else:
        codebook_text = tomli_w.dumps(
            {
                "themes": {
                    t.id: {
                        "name_en": t.name_en,
                        "name_id": t.name_id,
                        "definition": t.definition,
                        "subcodes": sorted(c for c, theme in subcodes.items() if theme == t.id),
                    }
                    for t in themes
                }
            }
        )
    ids = [t.id for t in themes]
    seeds = []
    if codebook is None:  # the study's codebook: a few of its own seeds as examples
        study = [s for s in load_labelled(CONFIG_DIR / "seed_set.jsonl", ids) if s.split == "train"]
        for theme in ids:
            seeds.extend([s for s in study if s.themes[:1] == (theme,)][:EXAMPLES_PER_THEME])
    files = {
        "config.toml": CONFIG,
        "codebook.toml": codebook_text,
        "seeds.jsonl": "".join(
            json.dumps(
                {"text": s.text, "themes": list(s.themes), "lang": s.lang, "split": "train"},
                ensure_ascii=False,
            )
            + "\n"
            for s in seeds
        ),
        "README.md": README.format(few=FEW_SEEDS, folder=folder),
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = work_folder(folder, "staging")
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {"themes": len(themes), "seeds": len(seeds)}
