"""summary_numbers against numbers worked out by hand from the class table in conftest.py, and
the written page's markup (self-contained, accessible, the numbers in their stable places)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from grading.report import Problem, render_report, summary_numbers, write_report

from .report_class import ERROR_LOG, POSSIBLE, TIMEOUT_LOG, TITLE

# Final totals s01..s12: 20, 13, 13*0.9, 7, 10, 8*0.8, 0 (timeout), 14, 10, 11, 12, 0 (missing).
FINALS_SUM = 20 + 13 + 11.7 + 7 + 10 + 6.4 + 0 + 14 + 10 + 11 + 12 + 0  # 115.1


@pytest.fixture(scope="module")
def numbers(grades, report_questions):
    return summary_numbers(grades, report_questions)


def test_class_numbers(numbers):
    assert numbers["students"] == 12
    assert numbers["submitted"] == 11  # s12 is missing; s07's timeout is a submission
    assert numbers["late"] == 3  # s03, s06, and s10 (late but within the grace: no penalty)
    assert numbers["penalised"] == 2
    assert numbers["points_possible"] == POSSIBLE == 22.0


def test_final_total_statistics(numbers):
    # Sorted: 0 0 6.4 7 10 10 | 11 11.7 12 13 14 20 -> median (10 + 11) / 2.
    assert numbers["mean"] == pytest.approx(FINALS_SUM / 12) == pytest.approx(9.5916667)
    assert numbers["median"] == 10.5
    assert numbers["min"] == 0.0
    assert numbers["max"] == 20.0


# (mean, full marks, zero) over the 11 students who submitted; s07 (timeout) scores 0 everywhere.
AUTOGRADED = {
    "q1a": (9 / 11, 9 / 11, 2 / 11),  # zero: s05, s07
    "q1b": (17 / 11, 8 / 11, 2 / 11),  # zero: s07, s08
    "q2a": (17 / 11, 8 / 11, 2 / 11),  # zero: s04, s07
    "q2b": (26 / 11, 8 / 11, 2 / 11),  # s10 has 2 of 3: neither full nor zero
    "q3a": (16 / 11, 8 / 11, 3 / 11),  # zero: s04, s06, s07
    "q3b": (10 / 11, 4 / 11, 5 / 11),  # full: s01 s08 s10 s11
}


@pytest.mark.parametrize("name", sorted(AUTOGRADED))
def test_autograded_question(numbers, name):
    q = numbers["questions"][name]
    mean, full, zero = AUTOGRADED[name]
    assert q["manual"] is False
    assert q["n"] == 11
    assert q["mean"] == pytest.approx(mean)
    assert q["full_share"] == pytest.approx(full)
    assert q["zero_share"] == pytest.approx(zero)


def test_manual_questions_count_only_scores_entered_by_hand(numbers):
    q4, q5, q6 = (numbers["questions"][name] for name in ("q4", "q5", "q6"))
    # q4 by hand: s01 4, s02 3, s03 4, s05 2, s08 4, s10 0.
    assert (q4["manual"], q4["n"], q4["points"]) == (True, 6, 4.0)
    assert q4["mean"] == pytest.approx(17 / 6)
    assert (q4["full_share"], q4["zero_share"]) == (pytest.approx(3 / 6), pytest.approx(1 / 6))
    # q5 by hand: s01 4, s05 2.
    assert (q5["n"], q5["mean"], q5["full_share"], q5["zero_share"]) == (2, 3.0, 0.5, 0.0)
    # q6: nobody yet -> no numbers rather than zeros.
    assert (q6["n"], q6["mean"], q6["full_share"], q6["zero_share"]) == (0, None, None, None)


def test_hardest_questions(numbers):
    # q3b 4/11 full; then 8/11 each, by mean share of the points: q3a 16/22 < q1b = q2a 17/22
    # (question order breaks the tie) < q2b 26/33. q1a (9/11 full) and manual q4 (1/2) are out.
    assert numbers["hardest"] == ["q3b", "q3a", "q1b", "q2a", "q2b"]


def test_empty_class(report_questions, tmp_path):
    numbers = summary_numbers([], report_questions)
    assert (numbers["students"], numbers["submitted"], numbers["mean"]) == (0, 0, None)
    assert numbers["hardest"] == []
    out = tmp_path / "empty.html"
    write_report([], report_questions, [], out, title="Nobody yet")
    page = out.read_text()
    assert "No students." in page and "<img" not in page


@pytest.mark.parametrize("log_path", ["/var/log/x.log", "C:\\logs\\x.log"])
def test_problem_log_path_must_be_relative(log_path):
    with pytest.raises(ValueError, match="relative"):
        Problem("s1", "a.ipynb", "error", "boom", log_path)


# --------------------------------------------------------------------------- markup


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def page(report):
    parser = _Page()
    text = report.read_text(encoding="utf-8")
    parser.feed(text)
    return text, parser.tags


def test_page_is_self_contained(page):
    text, tags = page
    srcs = [a["src"] for tag, a in tags if "src" in a]
    assert len(srcs) == 2 and all(s.startswith("data:image/png;base64,") for s in srcs)
    hrefs = {a["href"] for tag, a in tags if "href" in a}
    assert hrefs == {"#distribution", "#questions", "#hardest", "#problems", TIMEOUT_LOG, ERROR_LOG}
    assert not [tag for tag, _ in tags if tag in ("link", "script", "iframe", "object")]
    assert not re.search(r"url\(|@import|https?://", text)


def test_page_markup_is_accessible(page):
    text, tags = page
    assert ("html", {"lang": "en"}) in tags
    assert all(a.get("alt") and len(a["alt"]) > 40 for tag, a in tags if tag == "img")
    ths = [a for tag, a in tags if tag == "th"]
    assert ths and all(a.get("scope") in ("col", "row") for a in ths)
    assert "@media print" in text
    assert f"<title>{TITLE}</title>" in text


def test_problems_and_flags_are_listed(page):
    text, tags = page
    problems = [
        (a["data-student"], a["data-status"]) for t, a in tags if a.get("class") == "problem"
    ]
    assert problems == [("s07", "timeout"), ("s08", "error"), ("", "invalid")]
    flagged = {a["data-student"]: a["data-flags"] for t, a in tags if a.get("class") == "flagged"}
    assert flagged == {
        "s03": "late",
        "s06": "late",
        "s08": "several submissions",
        "s10": "late",
        "s11": "unmatched roster",
        "s12": "missing",
    }
    assert "late, no penalty" in text  # s10 has no flag text: the page says why it is listed


def test_missing_log_is_reported_not_linked(grades, report_questions, tmp_path):
    gone = Problem("s07", "x.ipynb", "timeout", "slow", "logs/gone.log")
    page = render_report(grades, report_questions, [gone], tmp_path, title="t")
    assert 'href="logs/gone.log"' not in page
    assert "log not found: <code>logs/gone.log</code>" in page


def test_chosen_submission_that_did_not_grade_is_listed_without_problem(
    grades, report_questions, tmp_path
):
    page = render_report(grades, report_questions, [], tmp_path, title="t")
    row = re.search(r'<tr class="problem" data-student="s07".*?</tr>', page)
    assert row and "wall-clock limit of 600 s reached" in row.group(0)
