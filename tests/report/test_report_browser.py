"""The report as a person sees it: opened from disk in headless Chromium (Debian's package).

Playwright drives /usr/bin/chromium (no `playwright install`). Without either, the tests skip,
or fail when CI=true. A full-page screenshot goes to the test's tmp dir and, when
GRADING_ARTIFACTS is set, also to tests/report/artifacts/ (GRADING_ARTIFACTS=1) or to the
folder GRADING_ARTIFACTS names.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from grading.report import summary_numbers

from .report_class import ERROR_LOG, TIMEOUT_LOG, TITLE

ARTIFACTS = Path(__file__).parent / "artifacts"
FIELDS = ("points", "n", "mean", "full_share", "zero_share")


class Loaded:
    """The report opened in a page, with everything the page asked for or complained about."""

    def __init__(self, context, report: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = page = context.new_page()
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.goto(report.as_uri(), wait_until="load")
        # Decoding can finish after "load"; wait until every image has its pixels.
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")


@pytest.fixture(scope="module")
def loaded(browser, report) -> Loaded:
    return Loaded(browser, report)


@pytest.fixture(scope="module")
def numbers(grades, report_questions):
    return summary_numbers(grades, report_questions)


def _float_or_none(text: str) -> float | None:
    return None if text == "" else float(text)


def test_title(loaded):
    assert loaded.page.title() == TITLE
    assert loaded.page.inner_text("#report-title") == TITLE


def test_images_load(loaded):
    images = loaded.page.evaluate(
        "Array.from(document.images).map(i => ({id: i.id, complete: i.complete,"
        " width: i.naturalWidth, height: i.naturalHeight, alt: i.alt,"
        " shown: i.getBoundingClientRect().width}))"
    )
    assert [i["id"] for i in images] == ["histogram", "full-marks-chart"]
    for image in images:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
        assert image["alt"] and image["shown"] > 300, image


def test_header_numbers_match_summary(loaded, numbers):
    for key in ("students", "submitted", "mean", "median", "min", "max", "late"):
        cell = loaded.page.locator(f"#stat-{key}")
        assert _float_or_none(cell.get_attribute("data-value")) == numbers[key], key
        shown = cell.inner_text().split()[0]
        expected = numbers[key] if key in ("students", "submitted", "late") else None
        assert shown == (str(expected) if expected is not None else f"{numbers[key]:.2f}"), key
    assert loaded.page.inner_text("#stat-mean").endswith(f"/ {numbers['points_possible']:.2f}")


def test_question_table_matches_summary(loaded, numbers):
    cells = loaded.page.eval_on_selector_all(
        "#question-table td[data-field]",
        "tds => tds.map(td => [td.dataset.question, td.dataset.field, td.dataset.value,"
        " td.innerText.trim()])",
    )
    seen = {(q, f): (value, text) for q, f, value, text in cells}
    assert set(seen) == {(q, f) for q in numbers["questions"] for f in FIELDS}
    for name, q in numbers["questions"].items():
        for field in FIELDS:
            value, text = seen[name, field]
            assert _float_or_none(value) == q[field], (name, field)
            if q[field] is None:
                assert text == "—", (name, field)
            elif field == "n":
                assert text == (f"{q['n']} graded by hand so far" if q["manual"] else str(q["n"]))
            elif field in ("points", "mean"):
                assert text == f"{q[field]:.2f}", (name, field)
            else:
                assert text == f"{100 * q[field]:.1f}%", (name, field)
    # Spot checks against the hand-computed numbers, as a person reads them.
    assert seen["q3b", "full_share"][1] == "36.4%"  # 4 of 11
    assert seen["q4", "mean"][1] == "2.83"  # 17 / 6
    assert seen["q4", "n"][1] == "6 graded by hand so far"


def test_hardest_list_matches_summary(loaded, numbers):
    listed = loaded.page.eval_on_selector_all(
        "#hardest-list li", "lis => lis.map(li => li.dataset.question)"
    )
    assert listed == numbers["hardest"] == ["q3b", "q3a", "q1b", "q2a", "q2b"]


def test_problem_rows_link_existing_logs(loaded, report):
    rows = loaded.page.eval_on_selector_all(
        "#problem-table tbody tr",
        "trs => trs.map(tr => [tr.dataset.student, tr.dataset.status,"
        " tr.querySelector('a') ? tr.querySelector('a').getAttribute('href') : null,"
        " tr.querySelector('a') ? tr.querySelector('a').href : null])",
    )
    assert [row[:3] for row in rows] == [
        ["s07", "timeout", TIMEOUT_LOG],
        ["s08", "error", ERROR_LOG],
        ["", "invalid", None],
    ]
    for _, _, href, absolute in rows[:2]:
        url = urlparse(absolute)
        assert url.scheme == "file"
        target = Path(unquote(url.path))
        assert target.is_file() and target == report.parent / href


def test_flagged_students(loaded):
    flagged = dict(
        loaded.page.eval_on_selector_all(
            "#flagged-table tbody tr", "trs => trs.map(tr => [tr.dataset.student, tr.innerText])"
        )
    )
    assert sorted(flagged) == ["s03", "s06", "s08", "s10", "s11", "s12"]
    assert "no submission" in flagged["s12"] and "missing" in flagged["s12"]
    assert "late: -10%" in flagged["s03"]
    assert "matches no roster student" in flagged["s11"]


def test_log_link_opens_the_log(browser, loaded):
    page = browser.new_page()
    try:
        page.goto(loaded.page.locator(f'a[href="{TIMEOUT_LOG}"]').evaluate("a => a.href"))
        assert "wall-clock limit of 600 s reached" in page.inner_text("body")
    finally:
        page.close()


def test_no_errors_and_nothing_fetched_from_the_network(loaded):
    assert loaded.errors == []
    assert loaded.requests, "the page itself should have been requested"
    outside = [u for u in loaded.requests if not u.startswith(("file://", "data:"))]
    assert outside == []


def test_print_layout_hides_navigation(loaded):
    page = loaded.page
    page.emulate_media(media="print")
    try:
        assert page.locator("nav").is_hidden()
        assert page.locator("#question-table").is_visible()
    finally:
        page.emulate_media(media="screen")


def test_screenshot(loaded, report, tmp_path):
    shot = tmp_path / "report.png"
    loaded.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    wanted = os.environ.get("GRADING_ARTIFACTS", "")
    if wanted:
        folder = ARTIFACTS if wanted.lower() in ("1", "true", "yes") else Path(wanted)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, folder / "report.png")
        shutil.copyfile(report, folder / "report.html")
