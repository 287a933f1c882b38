"""themes.md and members.md: Table II and Table III as Markdown, ready for a paper draft."""

from __future__ import annotations

from collections.abc import Sequence


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


def markdown_table(rows: Sequence[dict[str, object]], columns: Sequence[tuple[str, str]]) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(row.get(key, "")) for key, _ in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body]) + "\n"


def themes_markdown(rows: Sequence[dict[str, object]], total: int) -> str:
    shaped = [{**row, "share": f"{float(row['share']):.1%}"} for row in rows]  # type: ignore[arg-type]
    table = markdown_table(
        shaped,
        [
            ("name", "Theme"),
            ("messages", "Messages"),
            ("share", "Share"),
            ("members", "Members"),
            ("top_terms", "Top terms"),
            ("quotes", "Supporting quotes"),
        ],
    )
    return f"# Table II: themes and supporting quotes\n\n{total} messages read.\n\n{table}"


def members_markdown(rows: Sequence[dict[str, object]]) -> str:
    table = markdown_table(
        rows,
        [("author", "Member"), ("messages", "Messages"), ("themes", "Themes (share of messages)")],
    )
    return f"# Table III: themes per member\n\n{table}"
