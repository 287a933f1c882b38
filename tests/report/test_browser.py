"""report.html in a real browser, as a laptop and a phone (390 CSS px) show it: it
renders with no console errors, and what a reader needs is there on the page itself:
readable tables with theme names and percentages, each period's message count with
sparse periods marked, each quote in its context, plot labels readable on the phone.
`.ci/run` installs Debian's chromium; without it these tests skip locally but fail in
CI."""

import csv
import os
import re
import tomllib
from datetime import date, timedelta

import pandas as pd
import pytest

from pipeline import CONFIG_DIR
from tests.conftest import EXAMPLE
from tests.report.browser import CHROMIUM, browser, opened

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install chromium for the report's browser tests", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

# The example's codebook, read here rather than from Guyub's own code.
CODEBOOK = tomllib.loads((CONFIG_DIR / "codebook.toml").read_text(encoding="utf-8"))["themes"]
NAMES = [theme["name_en"] for theme in CODEBOOK.values()]


@pytest.fixture(scope="module")
def out(example_run):
    return example_run


@pytest.fixture(scope="module")
def launched():
    with browser() as launched:
        yield launched


@pytest.fixture(scope="module", params=["laptop", "phone"])
def tab(request, launched, out):
    with opened(launched, out / "report.html", request.param) as tab:
        tab.screen = request.param
        yield tab


def table_after(tab, title: str) -> list[list[str]]:
    """The cell texts of the first table after the <h2> titled `title`, by rows (a
    cell's own text, without a closed details element's content)."""
    return tab.evaluate(
        """title => {
          const h = [...document.querySelectorAll('h2')].find(h => h.textContent === title);
          let table = h.nextElementSibling;
          while (table && !table.matches('table, div.scroll')) table = table.nextElementSibling;
          if (table.matches('div.scroll')) table = table.querySelector('table');
          return [...table.querySelectorAll('tr')].map(tr => [...tr.children].map(cell => {
            const copy = cell.cloneNode(true);
            copy.querySelectorAll('details').forEach(d => d.remove());
            return copy.textContent.trim();
          }));
        }""",
        title,
    )


def test_report_renders_without_console_errors(tab):
    assert "Table II" in tab.content()
    assert tab.errors == []


def test_the_error_check_sees_a_broken_page(tmp_path, launched):
    # The check above must be able to fail: a page with a script error trips it.
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>undefinedFunction()</script></body></html>")
    with opened(launched, broken, "laptop") as tab:
        assert tab.errors


def test_screenshots(tab, out):
    shot = out.parent / f"report-{tab.screen}.png"
    tab.screenshot(path=shot, full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_theme_names_head_the_tables_and_shares_are_percentages(tab, out):
    table_ii = table_after(tab, "Table II: themes and supporting quotes")
    themes = list(csv.DictReader((out / "themes.csv").open(encoding="utf-8")))
    assert table_ii[0][:4] == ["Theme", "Messages", "Share", "Members"]
    assert [row[0] for row in table_ii[1:]] == NAMES
    # the CSV keeps the fraction; the page shows it as a percentage
    assert [row[1:4] for row in table_ii[1:]] == [
        [r["messages"], f"{float(r['share']):.1%}", r["members"]] for r in themes
    ]
    table_iii = table_after(tab, "Table III: themes per member")
    assert table_iii[0] == ["Member", "Messages", *NAMES]
    members = list(csv.DictReader((out / "members.csv").open(encoding="utf-8")))
    ids = list(CODEBOOK)
    for row, member in zip(table_iii[1:], members, strict=True):
        assert row[:2] == [member["author"], member["messages"]]
        for cell, theme in zip(row[2:], ids, strict=True):
            count = int(member[f"{theme}_messages"])
            expected = f"{count / int(member['messages']):.0%} ({count})" if count else ""
            assert cell == expected
    heat = table_after(tab, "Theme prevalence by week")
    assert [row[0] for row in heat[2:]] == NAMES
    shares = [cell for row in heat[2:] for cell in row[1:]]
    assert shares and all(re.fullmatch(r"\(?\d+%\)?", cell) for cell in shares)
    assert not set(ids) & {cell for table in (table_ii, table_iii, heat) for cell in table[0]}


def test_each_period_shows_its_messages_and_sparse_periods_are_marked(tab, out):
    # Messages per week (weeks start on Monday), counted here from the dataset.
    stamps = pd.read_parquet(out / "messages.parquet", columns=["timestamp"])["timestamp"]
    days = [date.fromisoformat(t[:10]) for t in stamps if t]
    weeks = pd.Series([d - timedelta(days=d.weekday()) for d in days]).value_counts()
    heat = table_after(tab, "Theme prevalence by week")
    periods, counts = heat[0][1:], heat[1][1:]
    assert heat[1][0] == "Messages"
    assert periods == [w.isoformat() for w in sorted(weeks.index)]  # no week left out
    for period, count in zip(periods, counts, strict=True):
        n = int(weeks[date.fromisoformat(period)])
        assert count == (f"{n} (too few)" if n < 10 else str(n))
    # The export's last week holds three messages (its lines 332-334): marked sparse,
    # on the page and in the CSV.
    assert periods[-1] == "2024-04-08" and counts[-1] == "3 (too few)"
    sparse_columns = tab.evaluate(
        "() => [...document.querySelectorAll('table.heat tr')].map("
        "tr => [...tr.children].slice(1).map(c => c.classList.contains('sparse')))"
    )
    assert all(row == [c.endswith("(too few)") for c in counts] for row in sparse_columns)
    rows = list(csv.DictReader((out / "prevalence.csv").open(encoding="utf-8")))
    assert {r["period"] for r in rows if r["too_few"] == "True"} == {"2024-04-08"}


def test_each_quote_opens_in_its_context(tab, out):
    quotes = tab.evaluate(
        """() => [...document.querySelectorAll('div.quote')].map(q => ({
          text: q.querySelector('blockquote').textContent.replace(/^“|”$/g, ''),
          by: q.querySelector('.by').textContent,
          context: [...q.querySelectorAll('ol.context li')].map(li => li.textContent),
          quoted: [...q.querySelectorAll('ol.context li.quoted')].map(li => li.textContent),
          place: q.querySelector('details p').textContent,
        }))"""
    )
    assert len(quotes) >= 50  # 5 for each of the 10 themes, and the emergent topics'
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for quote in quotes:
        assert re.fullmatch(r"\(.+, \d{4}-\d\d-\d\d\)", quote["by"])
        assert 3 <= len(quote["context"]) <= 5  # two before and two after, where there are
        assert len(quote["quoted"]) == 1 and quote["quoted"][0].endswith(quote["text"])
        # the place given is the export's line that holds the quote
        place = re.fullmatch(
            r".*whatsapp_umkm_banua\.txt, line (\d+); Guyub's confidence in its themes: \d+%",
            quote["place"],
        )
        line = int(place[1])
        assert " ".join(quote["text"].split())[:40] in " ".join(lines[line - 1].split())
    # Closed, the context takes no room; one tap opens it, with no script.
    first = tab.locator("div.quote").first
    assert not first.locator("ol.context").is_visible()
    first.locator("summary").click()
    assert first.locator("ol.context").is_visible()


def test_plot_labels_are_readable_on_a_phone(tab):
    sizes = tab.evaluate(
        "() => [...document.querySelectorAll('.panels svg text')].map(t =>"
        " parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"
    )
    assert len(sizes) >= 10 * 5  # a panel per theme: its title, 3 period and 2 share labels
    assert min(sizes) >= 10
    # nothing on the page is wider than the screen: wide tables scroll in their own box
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"]
