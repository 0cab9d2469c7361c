"""Strings a student controls (their id, the submission's name, a grading error's text, a log's
file name, the roster name) land on the report as text, escaped, never as markup or a script."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grading.ingest.roster import RosterEntry
from grading.report import Problem, write_report

from ..html_tags import Tags
from .report_class import QUESTIONS, make_grades

STUDENT = '<script>alert("id")</script>'
ORIGIN = "\"><img src=x onerror=alert('origin')>.ipynb"
REASON = "</td></tr></table><script>alert('reason')</script> & \"quoted\""
NAME = "<b onmouseover=alert(1)>Eve</b>"
FLAG = "<iframe src=javascript:alert('flag')>"
LOG = "javascript:alert(1)"  # a file name in the report's folder, not a URL
QUESTION = "q1' onmouseover='alert(1)"
TITLE = "<script>alert('title')</script> report"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / LOG).write_text("the log\n")
    grades = make_grades()
    grades[1] = dataclasses.replace(
        grades[1],
        student=STUDENT,
        origin=ORIGIN,
        roster=RosterEntry(line=3, name=NAME, lms_id="x"),
        late=True,
        flags=(FLAG,),
    )
    questions = {QUESTION: (2.0, False), **QUESTIONS}
    problems = [Problem(STUDENT, ORIGIN, "error", REASON, LOG)]
    out = folder / "report.html"
    write_report(grades, questions, problems, out, title=TITLE)
    return out


def test_student_strings_are_text_not_markup(hostile_report):
    source = hostile_report.read_text(encoding="utf-8")
    page = Tags()
    page.feed(source)
    assert "<script" not in source and "<iframe" not in source and "<b " not in source
    assert [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed", "b")] == []
    images = [a["src"] for t, a in page.tags if t == "img"]
    assert len(images) == 2 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not [(t, k) for t, a in page.tags for k in a if k.startswith("on")]
    # Every string reads back exactly, as an attribute value or as text.
    rows = [a for t, a in page.tags if a.get("class") in ("problem", "flagged")]
    assert [(a["class"], a["data-student"]) for a in rows if a["data-student"] == STUDENT] == [
        ("problem", STUDENT),
        ("flagged", STUDENT),
    ]
    text = "".join(page.text)
    for string in (ORIGIN, REASON, NAME, FLAG, TITLE, QUESTION):
        assert string in text, string
    assert any(a.get("data-question") == QUESTION for _, a in page.tags)
    # The log is linked as a relative file, never as a javascript: URL.
    (link,) = [a for t, a in page.tags if t == "a" and "data-log" in a]
    assert link["data-log"] == LOG
    assert link["href"] == "javascript%3Aalert%281%29"


def test_nothing_runs_in_the_browser(browser, hostile_report):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(hostile_report.as_uri(), wait_until="load")
        row = page.locator('.problem[data-status="error"]')
        row.locator("th").hover()
        page.hover(f'#question-table th:text-is("{QUESTION}")')
        assert dialogs == []
        assert page.evaluate("document.scripts.length") == 0
        assert page.title() == TITLE
        assert row.evaluate("tr => tr.dataset.student") == STUDENT
        assert row.locator(".reason").inner_text() == REASON
        url = page.locator("a[data-log]").evaluate("a => a.href")
        assert url == (hostile_report.parent / LOG).as_uri()  # the file, by a file: URL
    finally:
        page.close()
