"""report.html in a real browser: headless Chromium renders it with no console errors,
takes screenshots at laptop and phone sizes, and the tables it shows hold the same
numbers as the CSV files. `.ci/run` installs Debian's chromium; without it these tests
skip locally but fail in CI."""

import csv
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import EXAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must install chromium for the report's browser tests", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_errors(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if ("CONSOLE" in line and ("rror" in line or "Uncaught" in line))
        or "Failed to load" in line
    ]


class Tables(HTMLParser):
    """Every table's rows of cell texts, in page order, after each <h2> title."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._title, self._in_h2, self._row, self._cell = "", False, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._in_h2, self._title = True, ""
        elif tag == "table":
            self.tables[self._title] = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._title].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_h2:
            self._title += data
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    out = root / "out"
    result = CliRunner().invoke(app, ["run", str(EXAMPLE), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    page = chromium(out / "report.html", root / "profile", "--dump-dom")
    assert page.returncode == 0, page.stderr[-2000:]
    return out, page, root


def test_report_renders_without_console_errors(rendered):
    _, page, _ = rendered
    assert "Table II" in page.stdout
    assert console_errors(page.stderr) == []


def test_the_error_check_sees_a_broken_page(tmp_path):
    # The check above must be able to fail: a page with a script error trips it.
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>undefinedFunction()</script></body></html>")
    result = chromium(broken, tmp_path / "profile", "--dump-dom")
    assert console_errors(result.stderr)


@pytest.mark.parametrize(("name", "size"), [("laptop", "1280,2400"), ("phone", "390,2400")])
def test_screenshots(rendered, name, size):
    out, _, root = rendered
    shot = out.parent / f"report-{name}.png"
    result = chromium(
        out / "report.html",
        root / f"profile-{name}",
        f"--screenshot={shot}",
        f"--window-size={size}",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_page_tables_hold_the_csv_numbers(rendered):
    out, page, _ = rendered
    parser = Tables()
    parser.feed(page.stdout)
    table_ii = parser.tables["Table II: themes and supporting quotes"]
    themes = list(csv.DictReader((out / "themes.csv").open(encoding="utf-8")))
    # readable headings, theme names, shares as percentages (the CSV keeps the fraction)
    assert table_ii[0][:4] == ["Theme", "Messages", "Share", "Members"]
    assert [row[:4] for row in table_ii[1:]] == [
        [r["name"], r["messages"], f"{float(r['share']):.1%}", r["members"]] for r in themes
    ]
    table_iii = parser.tables["Table III: themes per member"]
    members = list(csv.DictReader((out / "members.csv").open(encoding="utf-8")))
    assert [row[:2] for row in table_iii[1:]] == [[r["author"], r["messages"]] for r in members]
