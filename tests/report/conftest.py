"""Fixtures for the report tests: the class of report_class.py, written as a report."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.lms.grades import StudentGrade
from grading.report import Problem, write_report

from .report_class import ERROR_LOG, QUESTIONS, TIMEOUT_LOG, TITLE, make_grades


@pytest.fixture(scope="session")
def grades() -> list[StudentGrade]:
    return make_grades()


@pytest.fixture(scope="session")
def report_questions() -> dict[str, tuple[float, bool]]:
    return dict(QUESTIONS)


@pytest.fixture(scope="session")
def problems(grades) -> list[Problem]:
    origin = {g.student: g.origin for g in grades}
    return [
        Problem("s07", origin["s07"], "timeout", "wall-clock limit of 600 s reached", TIMEOUT_LOG),
        Problem(
            "s08", "bulk.zip!lamarrhedy_s08-1.ipynb", "error", "kernel died (exit 137)", ERROR_LOG
        ),
        Problem("", "bulk.zip!README.txt", "invalid", "not a notebook", None),
    ]


@pytest.fixture(scope="session")
def report(tmp_path_factory, grades, report_questions, problems) -> Path:
    """The written report, in an output folder that holds the two logs it links to."""
    folder = tmp_path_factory.mktemp("grading-out")
    (folder / "logs").mkdir()
    (folder / TIMEOUT_LOG).write_text("runner: wall-clock limit of 600 s reached\n")
    (folder / ERROR_LOG).write_text("kernel died (exit 137)\n")
    out = folder / "report.html"
    write_report(grades, report_questions, problems, out, title=TITLE)
    return out
