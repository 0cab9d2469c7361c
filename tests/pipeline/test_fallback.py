"""A question whose test hands the student's code an object of its own is graded by `otter run`.

The warm engine cannot pass a test's object (here an instance of a class the test file defines)
into the student process; rather than a score that silently differs from `otter run`'s, that
question is graded again by `otter run` in the same sandbox, and the reason says so.
"""

from __future__ import annotations

import nbformat
import pytest

from grading.api import grade
from grading.gradebook import Gradebook
from grading.sandbox import WarmEngine

from ..autograder_zips import write_autograder

pytestmark = pytest.mark.slow

BOX_TEST = """from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = 2


class Box:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)


@test_case(points=2)
def test_q1(fill):
    box = Box()
    fill(box)
    assert box.items == [1, 2]
"""
PLAIN_TEST = """from otter.test_files import test_case

OK_FORMAT = False

name = "q2"


@test_case(points=1)
def test_q2(answer):
    assert answer == 42
"""


def notebook(*cells: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def test_a_question_whose_test_object_cannot_cross_is_graded_by_otter_run(
    tmp_path, podman, grading_image
):
    zip_path = write_autograder(tmp_path / "box.zip", {"q1": BOX_TEST, "q2": PLAIN_TEST})
    folder = tmp_path / "in"
    folder.mkdir()
    right, wrong = "def fill(box):\n    box.add(1)\n    box.add(2)", "def fill(box):\n    pass"
    nbformat.write(notebook(right, "answer = 42"), folder / "right.ipynb")
    nbformat.write(notebook(wrong, "answer = 41"), folder / "wrong.ipynb")
    grade([folder], zip_path, tmp_path / "out", engine=WarmEngine(podman))
    with Gradebook(tmp_path / "out" / "gradebook.sqlite") as book:
        rows = {row.origin.rsplit("/", 1)[-1]: row for row in book.rows(book.latest_autograder())}
    assert rows["right.ipynb"].questions == {"q1": 2.0, "q2": 1.0}
    assert rows["wrong.ipynb"].questions == {"q1": 0.0, "q2": 0.0}
    for row in rows.values():
        assert row.status == "graded"
        assert "q1 graded by otter run: the tests hand the student's code Box" in row.reason
