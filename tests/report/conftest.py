"""Fixtures for the report tests: the class of report_class.py, written as a report."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import pytest
from report_class import ERROR_LOG, QUESTIONS, TIMEOUT_LOG, TITLE, make_grades

from grading.lms.grades import StudentGrade
from grading.report import Problem, write_report


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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: the report's browser tests must run in CI")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    if importlib.util.find_spec("playwright") is None:
        _unavailable("the playwright package is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="report-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1000, "height": 800},
            device_scale_factor=1,
        )
        yield context
        context.close()
