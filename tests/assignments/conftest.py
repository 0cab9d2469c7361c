"""The tests in this folder run for every ``master/<name>/``: these fixtures override the
suite's (which are the derivatives assignment's), so a second assignment is covered by the
structure, distribution and leak tests the day it is added."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grading.assignments import discover

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = discover(ROOT / "master", ROOT / "dist")


@pytest.fixture(scope="session", params=ASSIGNMENTS, ids=lambda a: a.name)
def assignment(request):
    return request.param


@pytest.fixture(scope="session")
def questions(assignment):
    return assignment.questions()


@pytest.fixture(scope="session")
def autograded(questions):
    return [q for q in questions if not q.manual]


@pytest.fixture(scope="session")
def student_nb(assignment):
    return nbformat.read(assignment.student_notebook, as_version=4)


@pytest.fixture(scope="session")
def autograder_nb(assignment):
    return nbformat.read(assignment.autograder_notebook, as_version=4)
