"""Fixtures for the pipeline tests: real engines, the grading image, scratch submissions."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from grading.notebooks import fill_answers
from grading.sandbox import ContainerEngine, LocalEngine
from grading.sandbox.image import ensure_image

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def podman() -> ContainerEngine:
    """The podman engine; in CI its absence is a failure, never a skip."""
    engine = ContainerEngine.find("podman")
    if engine is None:
        message = "podman is not installed or cannot run containers"
        if IN_CI:
            pytest.fail(f"{message}: .ci/run must install it")
        pytest.skip(message)
    return engine


@pytest.fixture(scope="session")
def grading_image(podman) -> str:
    return ensure_image(podman)


@pytest.fixture(scope="session")
def local_engine() -> LocalEngine:
    return LocalEngine.find()


@pytest.fixture(scope="session")
def zip_path(assignment) -> Path:
    return assignment.autograder_zip


def notebook_with(student_nb, defines: str, source: str) -> nbformat.NotebookNode:
    """The student notebook with the answer cell that defines ``defines`` replaced."""
    (cell,) = [
        c
        for c in student_nb.cells
        if "otter_answer_cell" in c.metadata.get("tags", []) and defines in c.source
    ]
    return fill_answers(student_nb, {cell.id: source})


@pytest.fixture
def make_notebook(student_nb, tmp_path):
    """Write a student notebook with one answer cell replaced; returns its path."""

    def make(name: str, defines: str, source: str) -> Path:
        path = tmp_path / "submissions" / f"{name}.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(notebook_with(student_nb, defines, source), path)
        return path

    return make
