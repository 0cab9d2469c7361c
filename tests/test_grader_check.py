"""`grader.check` in a real kernel, in a working copy of the student distribution."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grading.notebooks import fill_answers

pytestmark = pytest.mark.slow

WRONG_G_PRIME = '''def g_prime(x):
    """Forgot the product rule: only u'v."""
    return np.exp(x) / (2 * np.sqrt(x))
'''
RIGHT_F_PRIME = """def f_prime(x):
    return 12 * x**3 - 4 * x + 7
"""


def run_cells(assignment, nb: nbformat.NotebookNode, workdir: Path) -> nbformat.NotebookNode:
    shutil.copytree(assignment.dist_dir / "student", workdir, dirs_exist_ok=True)
    path = workdir / assignment.student_notebook.name
    nbformat.write(nb, path)  # grader.check reads the notebook file it was given
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return nb


def check_output(nb: nbformat.NotebookNode, question: str) -> str:
    (cell,) = [
        c for c in nb.cells if c.cell_type == "code" and c.source == f'grader.check("{question}")'
    ]
    texts = []
    for out in cell.outputs:
        texts.append(out.get("text", ""))
        texts.extend(str(v) for v in out.get("data", {}).values())
        texts.append(out.get("evalue", ""))
    return "\n".join(texts)


def answer_cell(nb: nbformat.NotebookNode, defines: str) -> str:
    (cell,) = [
        c
        for c in nb.cells
        if "otter_answer_cell" in c.metadata.get("tags", [])
        and c.source.startswith(f"def {defines}(")
    ]
    return cell.id


def test_check_passes_a_right_answer_and_fails_a_wrong_one(assignment, student_nb, tmp_path):
    nb = fill_answers(
        student_nb,
        {
            answer_cell(student_nb, "f_prime"): RIGHT_F_PRIME,
            answer_cell(student_nb, "g_prime"): WRONG_G_PRIME,
        },
    )
    last = next(i for i, c in enumerate(nb.cells) if c.source == 'grader.check("q1b")')
    nb.cells = nb.cells[: last + 1]
    executed = run_cells(assignment, nb, tmp_path)

    passed = check_output(executed, "q1a")
    assert "All test cases passed" in passed

    failed = check_output(executed, "q1b")
    assert "q1b results" in failed and "All test cases passed" not in failed
    assert "disagrees with a centered difference" in failed  # the public test's own hint
    hidden_source = (assignment.dist_dir / "autograder" / "tests" / "q1b.py").read_text()
    assert "test_q1b_hidden" in hidden_source and "test_q1b_hidden" not in failed
    assert "2.25" not in failed and "exact(" not in failed


def test_every_public_check_passes_on_the_strong_sample(assignment, autograded, tmp_path):
    nb = nbformat.read(assignment.samples_dir / "strong.ipynb", as_version=4)
    export = next(i for i, c in enumerate(nb.cells) if "grader.export" in c.source)
    nb.cells = nb.cells[:export]
    executed = run_cells(assignment, nb, tmp_path)
    errors = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, [e.ename + ": " + e.evalue for e in errors]
    for q in autograded:
        assert "All test cases passed" in check_output(executed, q.name), q.name
