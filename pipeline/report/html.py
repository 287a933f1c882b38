"""report.html: one self-contained page (inline CSS and SVG plots, no scripts, no
network), readable on a phone and on a laptop."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from functools import cache
from html import escape

from pipeline.report.markdown import (
    THEME_COLUMNS,
    member_cells,
    member_columns,
    with_percentages,
)
from pipeline.report.tables import EMERGENT, Prevalence, Quote, one_line

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:1rem;color:#1d2430;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d5dbe3}
table{border-collapse:collapse;width:100%;font-size:.9rem;display:block;overflow-x:auto}
th,td{border:1px solid #d5dbe3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.quote{margin:.2rem 0;font-size:.85rem}.muted{color:#5b6573}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
.scroll{overflow-x:auto}table.heat{display:table;width:auto;font-size:.8rem}
table.heat th:first-child{position:sticky;left:0;background:#eef2f6}
table.heat td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.sparse{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#e4e7eb 4px,#e4e7eb 8px)!important;color:#5b6573}
.panels{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:.5rem 1rem}
.panels figure{margin:0}.panels svg{width:100%;height:auto}
blockquote{margin:.2rem 0 0;font-size:.9rem}.by{font-size:.8rem;color:#5b6573}
details{font-size:.8rem;margin:.1rem 0 .6rem}summary{cursor:pointer;color:#1d4ed8}
ol.context{list-style:none;padding-left:.5rem;border-left:3px solid #d5dbe3;margin:.3rem 0}
ol.context li{margin:.15rem 0}ol.context li.quoted{font-weight:600}
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


def _percent(value: float) -> str:
    return f"{value:.0%}"


def prevalence_table(prevalence: Prevalence, names: Sequence[str]) -> str:
    """Themes x periods: each cell the share of the period's messages carrying the
    theme, shaded by it; the periods' message counts in the first row; periods with too
    few messages hatched and their shares in brackets."""
    marks = [" sparse" if prevalence.sparse(i) else "" for i in range(len(prevalence.periods))]
    head = "".join(
        f'<th class="period{mark}">{escape(p)}</th>'
        for p, mark in zip(prevalence.periods, marks, strict=True)
    )
    counts = "".join(
        f'<td class="count{mark}">{n}{" (too few)" if mark else ""}</td>'
        for n, mark in zip(prevalence.messages, marks, strict=True)
    )
    body = []
    for theme, name in zip(prevalence.given, names, strict=True):
        cells = []
        for i, mark in enumerate(marks):
            share = prevalence.share(theme, i)
            if share is None:
                cells.append(f'<td class="share{mark}"></td>')
                continue
            shown = f"({_percent(share)})" if mark else _percent(share)
            shade = (
                ""
                if mark
                else f' style="background:rgba(37,99,235,{min(share * 2, 1) * 0.55:.2f})"'
            )
            cells.append(f'<td class="share{mark}"{shade}>{shown}</td>')
        body.append(f"<tr><th>{escape(name)}</th>{''.join(cells)}</tr>")
    unit = "Week starting" if prevalence.unit == "week" else "Month"
    return (
        f"<div class='scroll'><table class='heat'><thead><tr><th>{unit}</th>{head}</tr>"
        f"<tr><th>Messages</th>{counts}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


DENSE_BAR = {"color": "#2563eb", "edgecolor": "#2563eb"}
SPARSE_BAR = {"color": "#cbd2da", "edgecolor": "#8a94a3", "hatch": "///"}


def prevalence_panels(prevalence: Prevalence, names: Sequence[str]) -> str:
    """Small multiples: a panel per theme, the same axes in each, drawn at the size
    they are shown so that their labels stay readable on a phone (each panel fills a
    phone's width; a laptop shows three in a row). Periods with too few messages are
    grey and hatched."""
    plt = _pyplot()
    periods = prevalence.periods
    shares = {
        theme: [prevalence.share(theme, i) or 0.0 for i in range(len(periods))]
        for theme in prevalence.given
    }
    dense = [
        v for values in shares.values() for i, v in enumerate(values) if not prevalence.sparse(i)
    ]
    top = max(0.05, math.ceil(max(dense, default=0.05) * 20) / 20)  # the next 5%
    ticks = sorted({0, len(periods) // 2, len(periods) - 1})
    panels = []
    for theme, name in zip(prevalence.given, names, strict=True):
        figure, axis = plt.subplots(figsize=(3.3, 1.5))
        # the periods with enough messages in blue; the others grey and hatched
        for sparse, look in ((False, DENSE_BAR), (True, SPARSE_BAR)):
            at = [i for i in range(len(periods)) if prevalence.sparse(i) == sparse]
            heights = [min(shares[theme][i], top) for i in at]
            axis.bar(at, heights, width=0.8, linewidth=0.5, **look)
        axis.set_ylim(0, top)
        axis.set_xlim(-0.6, len(periods) - 0.4)
        axis.set_yticks([0, top], ["0", _percent(top)], fontsize=9)
        axis.set_xticks(ticks, [periods[i] for i in ticks], fontsize=9)
        axis.set_title(name, fontsize=10, loc="left")
        axis.spines[["top", "right"]].set_visible(False)
        panels.append(f"<figure>{_svg(figure)}</figure>")
    return f"<div class='panels'>{''.join(panels)}</div>"


def prevalence_section(prevalence: Prevalence, names: Sequence[str]) -> list[str]:
    if not prevalence.periods:
        return ["<p>No dated messages.</p>"]
    unit = prevalence.unit
    return [
        f"<p class='muted'>The share of each {unit}'s messages that carry each theme. "
        f"{unit.capitalize()}s with fewer than {prevalence.min_messages} messages are hatched "
        "and their shares bracketed: one message there moves a share by more than ten "
        "points, too few to read a trend from.</p>",
        prevalence_table(prevalence, names),
        prevalence_panels(prevalence, names),
    ]


def quote_html(quote: Quote) -> str:
    """A quote attributed (member, date), opening onto the messages around it and its
    place in the export: a details element, so no script is needed."""
    said = "".join(
        f'<li{" class=quoted" if s.line == quote.line else ""}><span class="by">'
        f"{escape(s.author)}, {escape(s.timestamp.replace('T', ' ')[:16])}:</span> "
        f"{escape(one_line(s.text))}</li>"
        for s in quote.context
    )
    return (
        f'<div class="quote"><blockquote>“{escape(quote.text)}”</blockquote>'
        f'<span class="by">({escape(quote.attribution)})</span>'
        f"<details><summary>in context</summary><ol class='context'>{said}</ol>"
        f"<p class='muted'>{escape(quote.source)}, line {quote.line}{_sure(quote)}</p>"
        "</details></div>"
    )


EMERGENT_NOTE = (
    "Topics that match none of the study's themes and are not everyday talk: what the "
    "community talks about that the codebook did not foresee. Listed only when a topic holds "
    "enough messages (1% of them, and at least the report's minimum) and, where coherence "
    "was measured, is at least as coherent as the least coherent of the study's themes."
)
TOPICS_NOTE = (
    "Every topic the model found: those matched to a theme, everyday talk (thanks, greetings, "
    "wishes: most of their top terms are its formulas), emergent topics, and minor ones (too "
    "small or too loose to read). Coherence is NPMI: how much more often a topic's top terms "
    "occur in the same message than chance would have them, from -1 (never together) through "
    "0 (as chance) to 1 (always together). Chat messages are short, so most pairs of terms "
    "never meet in one and values near or below 0 are usual: compare topics with one another, "
    "not with 0. Blank: too few messages to measure."
)


def _npmi(value: object) -> str:
    return "" if value == "" or value is None else f"{float(value):.2f}"  # type: ignore[arg-type]


def _sure(quote: Quote) -> str:
    if quote.confidence is None:
        return ""
    return f"; Guyub's confidence in its themes: {quote.confidence:.0%}"


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
                quotes = "".join(map(quote_html, value))  # type: ignore[arg-type]
                cells.append(f'<td data-label="{label}">{quotes}</td>')
            elif isinstance(value, int | float):
                cells.append(f'<td class="num" data-label="{label}">{value}</td>')
            else:
                cells.append(f'<td data-label="{label}">{escape(str(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table class='cards'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _quality_section(
    quality: dict | None, theme_ids: Sequence[str], names: Sequence[str]
) -> list[str]:
    """How well the model did on seeds it was not fitted on: per theme on the seed set's
    held-out test split, beside the train split cross-validated; and how often its
    themes were right at each level of its confidence."""
    if not quality or "seed_test" not in quality:
        return []
    test, cv = quality["seed_test"], quality.get("seed_cv") or {}
    rows = [
        {
            "Theme": name,
            "Held-out seeds": m["support"],
            "Precision": f"{m['precision']:.2f}",
            "Recall": f"{m['recall']:.2f}",
            "F1": f"{m['f1']:.2f}",
            "F1, cross-validated": f"{cv['per_theme'][theme]['f1']:.2f}"
            if theme in cv.get("per_theme", {})
            else "",
        }
        for theme, name in zip(theme_ids, names, strict=True)
        if (m := test["per_theme"].get(theme))
    ]
    parts = [
        "<h3>The model's quality on seeds it did not learn from</h3>",
        "<p class='muted'>Held out: the seed set's test split, never used in fitting or in "
        f"choosing any setting (macro-F1 {test['macro_f1']:.2f}). Cross-validated: each train "
        f"seed labelled by a model fitted without it ({cv.get('folds', '?')} folds; the "
        "thresholds were chosen on these labels, so it flatters a little"
        + (f"; macro-F1 {cv['macro_f1']:.2f}" if "macro_f1" in cv else "")
        + ").</p>",
        _table(rows, list(rows[0]) if rows else []),
    ]
    bands = test.get("confidence")
    if bands:
        shown = [
            {
                "Confidence": f"{b['from']:.0%} to {b['to']:.0%}",
                "Themes given to held-out seeds": b["claims"],
                "Right": "" if b["right"] is None else f"{b['right']:.0%}",
            }
            for b in bands
        ]
        parts += [
            "<h3>What a confidence means</h3>",
            "<p class='muted'>Each theme the model gave a held-out seed, by its confidence "
            "in it, and the share the seed's labels hold. The seeds hold more theme talk than "
            "a chat does: on a chat, read a confidence as an order (surer or less sure), the "
            "shares as the seeds' measure.</p>",
            _table(shown, list(shown[0])),
        ]
    return parts


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
    prevalence: Prevalence,
    ledger: Sequence[dict[str, object]],
    model_facts: dict[str, object],
    theme_ids: Sequence[str],
    names: Sequence[str],
    agreement: dict[str, object] | None = None,
    quality: dict[str, object] | None = None,
) -> str:
    emergent = [t for t in topics if t["kind"] == EMERGENT]
    name_of = dict(zip(theme_ids, names, strict=True))
    topic_rows = [
        {**t, "theme": name_of.get(str(t["theme"]), t["kind"]), "coherence": _npmi(t["coherence"])}
        for t in topics
    ]
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
        f"<h2>Theme prevalence by {prevalence.unit}</h2>",
        *prevalence_section(prevalence, names),
        "<h2>Table III: themes per member</h2>",
        "<p class='muted'>Each cell: the share of the member's messages that carry the theme "
        "(their number).</p>",
        _table(member_cells(members, theme_ids), member_columns(theme_ids, names)),
        "<h2>Emergent topics</h2>",
        f"<p class='muted'>{EMERGENT_NOTE}</p>",
        _table(
            emergent,
            [
                ("label", "Topic"),
                ("top_terms", "Top terms"),
                ("size", "Messages"),
                ("quotes", "Quotes"),
            ],
        )
        if emergent
        else "<p>None passed the bar.</p>",
        "<h2>Topics</h2>",
        f"<p class='muted'>{TOPICS_NOTE}</p>",
        _table(
            topic_rows,
            [
                ("topic", "Topic"),
                ("theme", "Theme or kind"),
                ("top_terms", "Top terms"),
                ("size", "Messages"),
                ("coherence", "Coherence (NPMI)"),
            ],
        ),
        "<h2>How the data was read</h2>",
        _table(
            ledger_rows, ["source", "format", "date order", "lines", "records", "skips", "error"]
        ),
        "<h2>How themes were assigned</h2><ul>" + facts + "</ul>",
        *_quality_section(quality, theme_ids, names),
        *(_agreement_section(agreement) if agreement else []),
        "</body></html>\n",
    ]
    return "\n".join(parts)


def render_batch_report(
    weekly: dict[str, Prevalence], runs: Sequence[dict[str, object]], names: Sequence[str]
) -> str:
    """The batch job's page: theme prevalence by week for all chats and for each chat,
    and the history of runs with their drift warnings."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Guyub batch report</title><style>{STYLE}</style></head><body>",
        "<h1>Guyub batch report</h1>",
    ]
    for chat, shown in weekly.items():
        parts.append(f"<h2>{escape(chat)}: theme prevalence by week</h2>")
        parts.extend(prevalence_section(shown, names))
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
