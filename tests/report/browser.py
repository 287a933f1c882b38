"""Open a report in Debian's chromium through Playwright (no browser is downloaded),
as a laptop or a phone would show it: the report's browser tests, and the README's
screenshots (`python -m tests.report.browser out/report.html docs/report-laptop.png`,
and `--screen phone --section "Theme prevalence" docs/report-phone.png`)."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# A laptop's window, and a phone's: an iPhone 12-15's 390 CSS px at 3 device px each.
SCREENS = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}


@contextmanager
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # no sandbox: CI runs as root in a container, where chromium's sandbox cannot start
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def opened(launched, page: Path, screen: str) -> Iterator:
    """The page as `screen` shows it, with the errors it logged (`page.errors`)."""
    context = launched.new_context(**SCREENS[screen])
    try:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("requestfailed", lambda r: errors.append(f"failed to load {r.url}"))
        tab.goto(page.resolve().as_uri())
        tab.errors = errors
        yield tab
    finally:
        context.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--screen", choices=list(SCREENS), default="laptop")
    parser.add_argument("--section", default="", help="start at the <h2> of this title")
    parser.add_argument("--height", type=int, default=1100, help="CSS px of the page shown")
    args = parser.parse_args(argv)
    with browser() as launched, opened(launched, args.page, args.screen) as tab:
        top = 0
        if args.section:
            heading = tab.locator("h2", has_text=args.section).first
            top = heading.evaluate("h => h.getBoundingClientRect().top + window.scrollY")
        width = SCREENS[args.screen]["viewport"]["width"]
        clip = {"x": 0, "y": top, "width": width, "height": args.height}
        tab.screenshot(path=args.png, clip=clip, full_page=True)


if __name__ == "__main__":
    main()
