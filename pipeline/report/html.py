"""report.html: one self-contained page (inline CSS and SVG plots, no scripts, no
network), readable on a phone and on a laptop."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from functools import cache
from html import escape

from pipeline.report.markdown import MEMBER_COLUMNS, THEME_COLUMNS, with_percentages

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:1rem;color:#1d2430;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d5dbe3}
table{border-collapse:collapse;width:100%;font-size:.9rem;display:block;overflow-x:auto}
th,td{border:1px solid #d5dbe3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.quote{margin:.2rem 0;font-size:.85rem}.muted{color:#5b6573}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
@media (max-width:700px){
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}
 table.cards thead{display:none}
 table.cards tr{border:1px solid #d5dbe3;border-radius:6px;margin:0 0 .8rem;padding:.3rem}
 table.cards td{border:none;padding:.2rem .3rem;text-align:left;overflow-wrap:anywhere}
 table.cards td::before{content:attr(data-label);display:block;font-weight:600;font-size:.75rem;color:#5b6573}
}
"""


@cache
def _pyplot():
    """matplotlib, loaded when a plot is drawn: half a second that commands without a
    report should not pay."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "guyub"  # stable element ids: the same run, the same bytes
    plt.rcParams["svg.fonttype"] = "none"
    return plt


def _svg(figure) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        # Emoji in names: the SVG keeps them as text and the browser draws them.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def weekly_plot(weekly: dict[str, dict[str, float]], theme_ids: Sequence[str]) -> str:
    weeks = list(weekly)
    figure, axis = _pyplot().subplots(figsize=(9, 3.8))
    for theme in theme_ids:
        axis.plot(
            range(len(weeks)), [weekly[w][theme] for w in weeks], marker="o", ms=3, label=theme
        )
    step = max(1, len(weeks) // 30)  # at most ~30 labels, however long the history
    axis.set_xticks(range(0, len(weeks), step), weeks[::step], rotation=60, fontsize=7)
    axis.set_ylabel("share of the week's messages")
    axis.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axis.grid(alpha=0.3)
    return _svg(figure)


def heatmap(members: Sequence[dict[str, object]], theme_ids: Sequence[str], limit: int = 25) -> str:
    rows = list(members[:limit])
    values = [[float(row[t]) for t in theme_ids] for row in rows]  # type: ignore[arg-type]
    figure, axis = _pyplot().subplots(figsize=(9, 0.32 * len(rows) + 1.6))
    image = axis.imshow(values, cmap="Blues", aspect="auto", vmin=0)
    axis.set_xticks(range(len(theme_ids)), theme_ids, rotation=45, ha="right", fontsize=8)
    axis.set_yticks(range(len(rows)), [str(r["author"]) for r in rows], fontsize=8)
    figure.colorbar(image, ax=axis, label="share of the member's messages")
    return _svg(figure)


def _table(rows: Sequence[dict[str, object]], columns: Sequence[str | tuple[str, str]]) -> str:
    """A table that becomes one card per row on a phone-sized screen. A column is a
    row key, or (key, title) where the heading should read otherwise."""
    pairs = [c if isinstance(c, tuple) else (c, c) for c in columns]
    head = "".join(f"<th>{escape(title)}</th>" for _, title in pairs)
    body = []
    for row in rows:
        cells = []
        for column, title in pairs:
            value = row.get(column, "")
            label = escape(title)
            if column == "quotes":
                quotes = "".join(
                    f'<p class="quote">{escape(q)}</p>' for q in str(value).splitlines()
                )
                cells.append(f'<td data-label="{label}">{quotes}</td>')
            elif isinstance(value, int | float):
                cells.append(f'<td class="num" data-label="{label}">{value}</td>')
            else:
                cells.append(f'<td data-label="{label}">{escape(str(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table class='cards'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _agreement_section(agreement: dict) -> list[str]:
    """Guyub against each human coder, and coders against one another."""

    def shown(value, interval) -> str:
        if value is None:
            return "n/a"
        return f"{value:.2f}" + (f" [{interval[0]:.2f}, {interval[1]:.2f}]" if interval else "")

    overall = [
        {
            "coders": " vs ".join(p["coders"]),
            "messages": p["messages"],
            "kappa [95%]": shown(p["overall"]["kappa"], p["overall"]["kappa_95"]),
            "alpha [95%]": shown(p["overall"]["alpha"], p["overall"]["alpha_95"]),
        }
        for p in agreement["pairs"]
    ]
    parts = [
        "<h2>Agreement with human coders</h2>",
        f"<p class='muted'>From {escape(str(agreement.get('coded_file', 'a coded file')))}: "
        "Cohen's kappa and Krippendorff's alpha over every message x theme decision, with "
        "bootstrap 95% intervals (1 is full agreement, 0 what chance gives).</p>",
        _table(overall, ["coders", "messages", "kappa [95%]", "alpha [95%]"]),
    ]
    for pair in agreement["pairs"]:
        rows = [
            {
                "theme": theme,
                " / ".join(
                    pair["coders"]
                ): f"{m['messages_a']} / {m['messages_b']} / both {m['both']}",
                "kappa [95%]": shown(m["kappa"], m["kappa_95"]),
                "alpha [95%]": shown(m["alpha"], m["alpha_95"]),
            }
            for theme, m in pair["per_theme"].items()
        ]
        parts.append(f"<h3>{escape(' vs '.join(pair['coders']))}, per theme</h3>")
        parts.append(_table(rows, list(rows[0]) if rows else []))
    return parts


def render_report(
    *,
    title: str,
    summary: Sequence[str],
    themes: Sequence[dict[str, object]],
    members: Sequence[dict[str, object]],
    topics: Sequence[dict[str, object]],
    weekly: dict[str, dict[str, float]],
    ledger: Sequence[dict[str, object]],
    model_facts: dict[str, object],
    theme_ids: Sequence[str],
    agreement: dict[str, object] | None = None,
) -> str:
    emergent = [t for t in topics if t["theme"] == "emergent"]
    ledger_rows = [
        {
            "source": r["source"],
            "format": r["format"],
            "date order": r["date_order"],
            "lines": r["lines"],
            "records": ", ".join(f"{k} {v}" for k, v in dict(r["records"]).items()),  # type: ignore[arg-type]
            "skips": ", ".join(f"{k}: {v}" for k, v in dict(r["skips"]).items()) or "none",  # type: ignore[arg-type]
            "error": r["error"],
        }
        for r in ledger
    ]
    facts = "".join(f"<li>{escape(k)}: {escape(str(v))}</li>" for k, v in model_facts.items())
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        "<h2>Summary</h2><ul>" + "".join(f"<li>{escape(s)}</li>" for s in summary) + "</ul>",
        "<h2>Table II: themes and supporting quotes</h2>",
        _table(with_percentages(themes), THEME_COLUMNS),
        "<h2>Theme prevalence by week</h2>",
        f"<figure>{weekly_plot(weekly, theme_ids)}</figure>"
        if weekly
        else "<p>No dated messages.</p>",
        "<h2>Table III: themes per member</h2>",
        _table(members, MEMBER_COLUMNS),
        "<h2>Members by theme</h2>",
        f"<figure>{heatmap(members, theme_ids)}</figure>" if members else "<p>No members.</p>",
        "<h2>Topics</h2>",
        _table(topics, ["topic", "theme", "top_terms", "size", "coherence"]),
        "<h2>Emergent topics</h2>",
        "<p class='muted'>Topics that match none of the study's themes: what the community "
        "talks about that the codebook did not foresee.</p>",
        _table(emergent, ["topic", "label", "top_terms", "size", "quotes"])
        if emergent
        else "<p>None.</p>",
        "<h2>How the data was read</h2>",
        _table(
            ledger_rows, ["source", "format", "date order", "lines", "records", "skips", "error"]
        ),
        "<h2>How themes were assigned</h2><ul>" + facts + "</ul>",
        *(_agreement_section(agreement) if agreement else []),
        "</body></html>\n",
    ]
    return "\n".join(parts)


def render_batch_report(
    weekly: Sequence[dict[str, object]], runs: Sequence[dict[str, object]], theme_ids: Sequence[str]
) -> str:
    """The batch job's page: theme shares by week for all chats and for each chat, and
    the history of runs with their drift warnings."""
    by_chat: dict[str, dict[str, dict[str, float]]] = {}
    for row in weekly:
        by_chat.setdefault(str(row["chat"]), {})[str(row["week"])] = {
            t: float(row[t]) for t in theme_ids
        }  # type: ignore[arg-type]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Guyub batch report</title><style>{STYLE}</style></head><body>",
        "<h1>Guyub batch report</h1>",
    ]
    for chat in sorted(by_chat, key=lambda c: (c != "(all chats)", c)):
        parts.append(f"<h2>{escape(chat)}: theme shares by week</h2>")
        parts.append(f"<figure>{weekly_plot(by_chat[chat], theme_ids)}</figure>")
    history = [
        {
            "run": r["run_id"],
            "finished": r["finished"],
            "status": r["status"],
            "new messages": r["new_messages"],
            "seen messages": r["seen_messages"],
            "refit due": "yes" if (r["drift"] or {}).get("refit_due") else "no",
        }
        for r in runs
    ]
    parts.append("<h2>Runs</h2>")
    parts.append(
        _table(history, ["run", "finished", "status", "new messages", "seen messages", "refit due"])
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)
