"""Feedback files opened from disk in Chromium, as a student opens the file an LMS hands them:
math rendered (MathML, no script), the grading run's figure shown, nothing requested but the
file itself, nothing a hostile notebook carries run, and every link and answer reachable by Tab.
Screenshots to $GRADING_ARTIFACTS/feedback/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ..web.hostile_cases import CASES
from .conftest import artifacts_dir

pytestmark = pytest.mark.slow


class Opened:
    """A page of a fresh browser context that records every request, dialog and error."""

    def __init__(self, browser, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.browser.new_context(viewport={"width": 1100, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(100)  # anything a payload queued would run now

    def _route(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()  # recorded by the request listener: none may even be attempted

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def fetched(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("data:")]

    def close(self) -> None:
        self.context.close()


def shot(page, tmp_path: Path, name: str, **options) -> None:
    path = tmp_path / f"feedback-{name}.png"
    page.screenshot(path=str(path), **options)
    target = artifacts_dir()
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / path.name)


def strong_file(feedback_class) -> Path:
    (path,) = (feedback_class.out / "feedback").glob("strong-*.html")
    return path


def test_a_feedback_file_renders_math_and_the_figure_and_requests_nothing(
    browser, feedback_class, tmp_path
):
    opened = Opened(browser, strong_file(feedback_class))
    page = opened.page
    try:
        maths = page.locator(".answer math")
        assert maths.count() > 5
        first = maths.first
        first.scroll_into_view_if_needed()
        assert first.is_visible()
        box = first.bounding_box()
        assert box and box["width"] > 2 and box["height"] > 5
        # MathML laid out as math (a fraction is taller than a line of text), not as raw TeX
        fraction = page.locator(".answer mfrac").first
        assert fraction.bounding_box()["height"] > 20
        answers = page.inner_text("main")
        assert not re.search(r"\$[^$\n]+\$", answers), "TeX left unrendered"
        assert page.locator(".math-error").count() == 0
        figure = page.locator("#q-q5e_plot .run-outputs img").first
        figure.scroll_into_view_if_needed()
        decoded = figure.evaluate("img => img.decode().then(() => [img.complete, img.naturalWidth,"
                                  " img.naturalHeight])")  # fmt: skip
        assert decoded[0] and decoded[1] > 100 and decoded[2] > 50
        size = figure.bounding_box()
        assert size["width"] > 100 and size["height"] > 50
        assert "Output of the grading run" in page.inner_text("#q-q5e_plot")
        shot(page, tmp_path, "01-strong-top")
        page.locator("#q-q5e_plot").scroll_into_view_if_needed()
        shot(page, tmp_path, "02-strong-q5e_plot-figure")
        page.locator("#q-q9_derivation").scroll_into_view_if_needed()
        shot(page, tmp_path, "03-strong-q9-derivation-math")
        page.locator("#total").scroll_into_view_if_needed()
        shot(page, tmp_path, "04-strong-total-late-penalty")
        assert opened.fetched() == [opened.url]
        assert opened.dialogs == [] and opened.errors == []
        assert strong_file(feedback_class).stat().st_size < 300_000  # docs/architecture.md
    finally:
        opened.close()


def test_the_page_is_navigable_by_keyboard(browser, feedback_class, tmp_path):
    opened = Opened(browser, strong_file(feedback_class))
    page = opened.page
    try:
        links = page.locator("nav a").count()
        summaries = page.locator("summary").count()
        reached = []
        for _ in range(links + summaries + 5):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.tagName + ':' + (e.getAttribute('href') || e.textContent.trim()); }"
            ))  # fmt: skip
        hrefs = page.locator("nav a").evaluate_all(
            "all => all.map(a => 'A:' + a.getAttribute('href'))"
        )
        assert reached[: len(hrefs)] == hrefs  # the table of contents first, in order
        assert sum(r.startswith("SUMMARY:") for r in reached[: links + summaries]) == summaries
        # Follow the table of contents to the figure question by keyboard.
        page.locator("body").focus()
        page.evaluate("() => document.activeElement.blur()")
        page.keyboard.press("Tab")
        while page.evaluate("() => document.activeElement.getAttribute('href')") != "#q-q5e_plot":
            page.keyboard.press("Tab")
        shot(page, tmp_path, "05-keyboard-focus-on-toc-link")
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == "#q-q5e_plot"
        # An answer folds and unfolds from the keyboard.
        page.locator("#q-q5e_plot summary").focus()
        page.keyboard.press("Enter")
        assert not page.locator("#q-q5e_plot details").evaluate("d => d.open")
        page.keyboard.press("Space")
        assert page.locator("#q-q5e_plot details").evaluate("d => d.open")
        assert opened.fetched() == [opened.url]
    finally:
        opened.close()


def test_hostile_notebooks_run_nothing_in_their_feedback_files(browser, hostile_feedback, tmp_path):
    problems = []
    for case in CASES:
        opened = Opened(browser, hostile_feedback / "feedback" / f"hostile-{case.name}.html")
        page = opened.page
        try:
            seen = page.evaluate(
                "() => ({pwned: typeof window.__pwned, scripts: document.scripts.length,"
                " frames: Array.from(document.querySelectorAll('iframe'))"
                ".map(f => [f.getAttribute('sandbox'), f.hasAttribute('src')])})"
            )
            if seen["pwned"] != "undefined" or seen["scripts"]:
                problems.append((case.name, "script", seen))
            if any(s != "" or src for s, src in seen["frames"]):
                problems.append((case.name, "frame", seen["frames"]))
            if case.visible not in page.inner_text("#q-q4a"):
                problems.append((case.name, "text not shown"))
            if opened.fetched() != [opened.url]:
                problems.append((case.name, "requests", opened.fetched()))
            if opened.dialogs or opened.errors:
                problems.append((case.name, opened.dialogs, opened.errors))
            if case.name in ("svg-script", "style-hides-page", "output-html", "math-macros"):
                page.locator("#q-q4a").scroll_into_view_if_needed()
                shot(page, tmp_path, f"06-hostile-{case.name}")
        finally:
            opened.close()
    assert problems == []
