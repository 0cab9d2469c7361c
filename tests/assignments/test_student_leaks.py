"""The student notebook carries nothing of a solution: every line of an answer cell is skeleton
the master declares.

Otter Assign removes what sits between solution markers and keeps everything else, comments
included, so a comment beside a solution ("f'(x) = 0 only at x = 1") reaches every student.
Allowed in a code answer cell, line by line after normalising whitespace: a signature or
decorator line of the master, a line of a docstring, a line of a ``# BEGIN PROMPT`` block (the
master's way of marking a hint as given), ``...``, and ``name = ...`` for a master line
``name = <solution>  # SOLUTION``. A written answer cell holds Otter's placeholder only, or,
when the master gives the answer cell itself (a PROMPT block), that cell's own text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from grading.assignments import discover, read_master

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = discover(ROOT / "master", ROOT / "dist")
ANSWER_TAG = "otter_answer_cell"
PLACEHOLDER = "_Type your answer here, replacing this text._"
SOLUTION_LINE = re.compile(r"^\s*(?P<target>[\w.\[\], ]+?)\s*=.*#\s*SOLUTION\s*$")


def normalise(line: str) -> str:
    return " ".join(line.split())


def declared_skeleton(master_source: str) -> set[str]:
    """The lines a student may see of this master cell."""
    lines = master_source.splitlines()
    allowed = {"...", "pass"}
    in_prompt = False
    for line in lines:
        text = line.strip()
        if text.endswith("# BEGIN PROMPT"):
            in_prompt = True
        elif text.endswith("# END PROMPT"):
            in_prompt = False
        elif in_prompt:
            allowed.add(normalise(line))
        elif match := SOLUTION_LINE.match(line):
            allowed.add(normalise(f"{match['target']} = ..."))
    try:
        tree = ast.parse(master_source)
    except SyntaxError:
        return allowed
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        allowed.update(normalise(lines[i]) for i in range(first - 1, node.body[0].lineno - 1))
        docstring = node.body[0]
        if isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant):
            span = range(docstring.lineno - 1, docstring.end_lineno)
            allowed.update(normalise(lines[i]) for i in span)
    return allowed


def leaked_lines(student_nb, master_nb) -> dict[str, list[str]]:
    """Answer cell id -> its lines the master does not declare as skeleton."""
    master = {cell.get("id"): cell for cell in master_nb.cells}
    leaks = {}
    for cell in student_nb.cells:
        if ANSWER_TAG not in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            prompt = master[cell.id].source.splitlines() if cell.id in master else []
            allowed = {PLACEHOLDER, *map(normalise, prompt)}
        else:
            allowed = declared_skeleton(master[cell.id].source) if cell.id in master else set()
        extra = [line for line in cell.source.splitlines() if line.strip()]
        extra = [line for line in extra if normalise(line) not in allowed]
        if extra:
            leaks[cell.id] = extra
    return leaks


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.name)
def test_no_answer_cell_of_the_student_notebook_carries_solution_content(assignment):
    student = nbformat.read(assignment.student_notebook, as_version=4)
    master = read_master(assignment.master_notebook)  # with the ids the build gave its cells
    assert leaked_lines(student, master) == {}


def test_the_check_finds_a_solution_comment_left_outside_the_markers():
    master = nbformat.v4.new_notebook()
    answer = (
        "def f_prime(x):\n"
        '    """f\'(x) for f(x) = x^2."""\n'
        "    return 2 * x  # SOLUTION\n"
        "\n"
        "# f'(x) = 0 only at x = 0\n"
        "critical_points = [0.0]  # SOLUTION\n"
    )
    master.cells = [nbformat.v4.new_code_cell(answer, id="a1")]
    student = nbformat.v4.new_notebook()
    leaked = answer.replace("    return 2 * x  # SOLUTION", "    ...").replace(
        "[0.0]  # SOLUTION", "..."
    )
    student.cells = [nbformat.v4.new_code_cell(leaked, id="a1")]
    student.cells[0].metadata["tags"] = [ANSWER_TAG]
    assert leaked_lines(student, master) == {"a1": ["# f'(x) = 0 only at x = 0"]}
    student.cells[0].source = leaked.replace("# f'(x) = 0 only at x = 0\n", "")
    assert leaked_lines(student, master) == {}
