"""Fixtures for the pipeline tests: scratch submissions built from the student notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grading.notebooks import fill_answers


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
