"""Table II and Table III for a paper: Markdown (themes.md, members.md) and LaTeX with
booktabs rules (themes.tex, members.tex), from one description of their columns."""

from __future__ import annotations

import re
from collections.abc import Sequence

# (key in the table's rows, column title); the share is shown as a percentage
THEME_COLUMNS = [
    ("name", "Theme"),
    ("messages", "Messages"),
    ("share", "Share"),
    ("members", "Members"),
    ("top_terms", "Top terms"),
    ("quotes", "Supporting quotes"),
]
MEMBER_COLUMNS = [
    ("author", "Member"),
    ("messages", "Messages"),
    ("themes", "Themes (share of messages)"),
]
THEMES_TITLE = "Table II: themes and supporting quotes"
MEMBERS_TITLE = "Table III: themes per member"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


def markdown_table(rows: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]]) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(row.get(key, "")) for key, _ in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body]) + "\n"


def with_percentages(rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    return [{**row, "share": f"{float(row['share']):.1%}"} for row in rows]  # type: ignore[arg-type]


def themes_markdown(rows: Sequence[dict[str, object]], total: int) -> str:
    table = markdown_table(with_percentages(rows), THEME_COLUMNS)
    return f"# {THEMES_TITLE}\n\n{total} messages read.\n\n{table}"


def members_markdown(rows: Sequence[dict[str, object]]) -> str:
    return f"# {MEMBERS_TITLE}\n\n{markdown_table(rows, MEMBER_COLUMNS)}"


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
    rows: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]], caption: str
) -> str:
    """A booktabs table (needs \\usepackage{booktabs}); text columns wrap (p{...})."""
    numeric = {key for key, _ in columns if all(_is_number(row.get(key)) for row in rows)}
    widths = {True: "r", False: r"p{0.22\linewidth}"}
    spec = "".join(widths[key in numeric] for key, _ in columns)
    lines = [
        r"\begin{table}[htbp]",
        r"\centering\small",
        f"\\caption{{{latex_escape(caption)}}}",
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
        r"\end{table}",
    ]
    return "\n".join(lines) + "\n"


def themes_latex(rows: Sequence[dict[str, object]]) -> str:
    return latex_table(with_percentages(rows), THEME_COLUMNS, THEMES_TITLE)


def members_latex(rows: Sequence[dict[str, object]]) -> str:
    return latex_table(rows, MEMBER_COLUMNS, MEMBERS_TITLE)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
