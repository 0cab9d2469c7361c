"""Reading and filling the answer cells of a distributed notebook.

Otter Assign keeps master cell ids, and the build makes generated ids stable, so an answer cell
of the student notebook has the same id as its reference solution in the autograder notebook
(code answers), or directly precedes it there (written answers).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import nbformat

ANSWER_TAG = "otter_answer_cell"
SOLUTION_TAG = "otter_assign_solution_cell"


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def reference_answers(autograder_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Map each student answer-cell id to the source of its reference solution."""
    answers: dict[str, str] = {}
    cells = autograder_nb.cells
    for index, cell in enumerate(cells):
        if SOLUTION_TAG not in _tags(cell):
            continue
        if cell.cell_type == "code":
            answers[cell.id] = cell.source
        elif index > 0 and ANSWER_TAG in _tags(cells[index - 1]):
            answers[cells[index - 1].id] = cell.source
    return answers


def answer_cell_ids(
    autograder_nb: nbformat.NotebookNode, solution_cell_ids: tuple[str, ...]
) -> list[str]:
    """The student answer cells that hold a question's answer, given its master solution cells."""
    wanted = set(solution_cell_ids)
    ids = []
    cells = autograder_nb.cells
    for index, cell in enumerate(cells):
        if cell.id not in wanted:
            continue
        if cell.cell_type == "code":
            ids.append(cell.id)
        elif index > 0 and ANSWER_TAG in _tags(cells[index - 1]):
            ids.append(cells[index - 1].id)
    return ids


def fill_answers(
    student_nb: nbformat.NotebookNode, answers: Mapping[str, str]
) -> nbformat.NotebookNode:
    """A copy of the student notebook with the given answer cells replaced."""
    filled = copy.deepcopy(student_nb)
    known = {cell.id for cell in filled.cells}
    missing = sorted(set(answers) - known)
    if missing:
        raise KeyError(f"no answer cell with id {', '.join(missing)} in the student notebook")
    for cell in filled.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return filled


def strip_solution_markers(source: str) -> str:
    """A reference solution as a student would write it: Otter's markers and prompts removed."""
    lines, in_prompt = [], False
    for line in source.splitlines():
        text = line.strip()
        if text.endswith("# END PROMPT"):
            in_prompt = False
            continue
        if text.endswith("# BEGIN PROMPT"):
            in_prompt = True
            continue
        if in_prompt or text.endswith(("# BEGIN SOLUTION", "# END SOLUTION", "NO PROMPT")):
            continue
        lines.append(line.rstrip().removesuffix("# SOLUTION").rstrip())
    return "\n".join(lines)


def reference_submission(
    student_nb: nbformat.NotebookNode, autograder_nb: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The student notebook with every answer cell holding its reference solution."""
    answers = {
        cell_id: strip_solution_markers(source)
        for cell_id, source in reference_answers(autograder_nb).items()
    }
    return fill_answers(student_nb, answers)
