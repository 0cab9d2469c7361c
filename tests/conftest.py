"""Shared fixtures: the repository's assignment and its committed distributions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest

from grading.assignments import Assignment, Question, discover

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def assignment() -> Assignment:
    (derivatives,) = [
        a for a in discover(ROOT / "master", ROOT / "dist") if a.name == "derivatives"
    ]
    return derivatives


@pytest.fixture(scope="session")
def questions(assignment: Assignment) -> list[Question]:
    return assignment.questions()


@pytest.fixture(scope="session")
def autograded(questions: list[Question]) -> list[Question]:
    return [q for q in questions if not q.manual]


@pytest.fixture(scope="session")
def student_nb(assignment: Assignment) -> nbformat.NotebookNode:
    return nbformat.read(assignment.student_notebook, as_version=4)


@pytest.fixture(scope="session")
def autograder_nb(assignment: Assignment) -> nbformat.NotebookNode:
    return nbformat.read(assignment.autograder_notebook, as_version=4)


@pytest.fixture(scope="session")
def otter_available() -> None:
    """Otter and a Python kernel are hard requirements of the suite, in CI above all."""
    if shutil.which("jupyter") is None and not os.environ.get("VIRTUAL_ENV"):
        pytest.fail("jupyter is not on PATH: run the suite through `make test`")
