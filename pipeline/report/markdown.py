"""Table II and Table III for a paper: Markdown (themes.md, members.md) and LaTeX with
booktabs rules (themes.tex, members.tex), from one description of their columns."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# (key in the table's rows, column title); the share is shown as a percentage
THEME_COLUMNS = [
    ("name", "Theme"),
    ("messages", "Messages"),
    ("share", "Share"),
    ("members", "Members"),
    ("top_terms", "Top terms"),
    ("quotes", "Supporting quotes"),
]
THEMES_TITLE = "Table II: themes and supporting quotes"
MEMBERS_TITLE = "Table III: themes per member"


def member_columns(theme_ids: Sequence[str], names: Sequence[str]) -> list[tuple[str, str]]:
    """Table III's columns: the member, their messages, and a column per theme."""
    return [("author", "Member"), ("messages", "Messages"), *zip(theme_ids, names, strict=True)]


def member_cells(rows: Sequence[dict[str, object]], theme_ids: Sequence[str]) -> list[dict]:
    """Each member-theme cell as its share and count: "25% (3)"; "" where none."""
    return [
        {
            **row,
            **{
                t: f"{float(row[t]):.0%} ({row[f'{t}_messages']})" if row[f"{t}_messages"] else ""  # type: ignore[arg-type]
                for t in theme_ids
            },
        }
        for row in rows
    ]


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


def markdown_table(rows: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]]) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(row.get(key, "")) for key, _ in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body]) + "\n"


def with_percentages(rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    return [{**row, "share": f"{float(row['share']):.1%}"} for row in rows]  # type: ignore[arg-type]


def numbered_quotes(
    rows: Sequence[dict[str, object]], marker: Callable[[int], str]
) -> tuple[list[dict[str, object]], list[str]]:
    """Rows whose quotes read '"text" (member, date)' with a numbered mark, and the
    quotes' places (source:line) in the marks' order: a paper's footnotes."""
    places: list[str] = []
    shown = []
    for row in rows:
        quoted = []
        for quote in row["quotes"]:  # type: ignore[union-attr]
            places.append(quote.place)
            quoted.append(f'"{quote.text}" ({quote.attribution}){marker(len(places))}')
        shown.append({**row, "quotes": "\n".join(quoted)})
    return shown, places


def themes_markdown(rows: Sequence[dict[str, object]], total: int) -> str:
    shown, places = numbered_quotes(with_percentages(rows), lambda n: f"[^{n}]")
    notes = "".join(f"[^{n}]: {place}\n" for n, place in enumerate(places, 1))
    table = markdown_table(shown, THEME_COLUMNS)
    return f"# {THEMES_TITLE}\n\n{total} messages read.\n\n{table}" + (
        f"\n{notes}" if notes else ""
    )


def members_markdown(rows: Sequence[dict[str, object]], theme_ids, names) -> str:
    table = markdown_table(member_cells(rows, theme_ids), member_columns(theme_ids, names))
    return f"# {MEMBERS_TITLE}\n\nEach cell: the share of the member's messages that carry the theme (their number).\n\n{table}"


# LaTeX's special characters, each written so that it prints as itself
_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(map(re.escape, _LATEX)))


def latex_escape(text: object) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX[m[0]], str(text)).replace("\n", r" \newline ")


def latex_table(
    rows: Sequence[dict[str, object]],
    columns: Sequence[tuple[str, str]],
    caption: str,
    notes: Sequence[str] = (),
) -> str:
    """A booktabs table (needs \\usepackage{booktabs}); text columns wrap (p{...}),
    numbers ("41", "4.2%", "25% (3)") align right. A table of many columns is scaled to
    the text's width (needs graphicx); `notes` are numbered below it."""
    right = {
        key for key, _ in columns if all(_NUMERIC.fullmatch(str(row.get(key, ""))) for row in rows)
    }
    spec = "".join("r" if key in right else r"p{0.22\linewidth}" for key, _ in columns)
    wide = len(columns) > 6
    tabular = [
        f"\\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(title) for _, title in columns) + r" \\",
        r"\midrule",
        *(
            " & ".join(latex_escape(row.get(key, "")) for key, _ in columns) + r" \\"
            for row in rows
        ),
        r"\bottomrule",
        r"\end{tabular}",
    ]
    if wide:
        tabular = [r"\resizebox{\textwidth}{!}{%", *tabular, "}"]
    environment = "table*" if wide else "table"
    lines = [
        f"\\begin{{{environment}}}[htbp]",
        r"\centering\small",
        f"\\caption{{{latex_escape(caption)}}}",
        *tabular,
        *(
            [
                r"\par\footnotesize "
                + "; ".join(f"[{n}] {latex_escape(note)}" for n, note in enumerate(notes, 1))
            ]
            if notes
            else []
        ),
        f"\\end{{{environment}}}",
    ]
    return "\n".join(lines) + "\n"


def themes_latex(rows: Sequence[dict[str, object]]) -> str:
    shown, places = numbered_quotes(with_percentages(rows), lambda n: f" [{n}]")
    return latex_table(shown, THEME_COLUMNS, THEMES_TITLE, places)


def members_latex(rows: Sequence[dict[str, object]], theme_ids, names) -> str:
    return latex_table(
        member_cells(rows, theme_ids), member_columns(theme_ids, names), MEMBERS_TITLE
    )


# A cell that reads as a number: a count, a percentage, "25% (3)", or empty.
_NUMERIC = re.compile(r"[\d.,%() ]*")
