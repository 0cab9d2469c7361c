"""Reading and filling the answer cells of a distributed notebook.

Otter Assign keeps master cell ids, and the build makes generated ids stable, so an answer cell
of the student notebook has the same id as its reference solution in the autograder notebook
(code answers), or directly precedes it there (written answers).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import nbformat

if TYPE_CHECKING:
    from .assignments import Question

ANSWER_TAG = "otter_answer_cell"
SOLUTION_TAG = "otter_assign_solution_cell"


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _answer_cell_id(cells: list[nbformat.NotebookNode], index: int) -> str | None:
    """The student answer cell that autograder solution cell ``index`` stands for, if any.

    A code solution keeps its id; a written (markdown) solution follows its answer cell; a
    prompt cell (a question without a solution) is the answer cell itself.
    """
    cell = cells[index]
    if cell.cell_type == "code" or ANSWER_TAG in _tags(cell):
        return cell.id
    if index > 0 and ANSWER_TAG in _tags(cells[index - 1]):
        return cells[index - 1].id
    return None


def reference_answers(autograder_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Map each student answer-cell id to the source of its reference solution."""
    cells = autograder_nb.cells
    answers: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if SOLUTION_TAG in _tags(cell) and (answer := _answer_cell_id(cells, index)):
            answers[answer] = cell.source
    return answers


def answer_cell_ids(
    autograder_nb: nbformat.NotebookNode, solution_cell_ids: tuple[str, ...]
) -> list[str]:
    """The student answer cells that hold a question's answer, given its master solution cells."""
    cells = autograder_nb.cells
    wanted = set(solution_cell_ids)
    found = (_answer_cell_id(cells, i) for i, cell in enumerate(cells) if cell.id in wanted)
    return list(dict.fromkeys(answer for answer in found if answer))


ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # a repr's memory address differs every run


def _output_text(output: Mapping) -> str:
    value = output.get("text") if output.get("output_type") == "stream" else None
    if value is None:
        data = output.get("data") if isinstance(output.get("data"), Mapping) else {}
        value = data.get("text/plain", "") if "image/png" not in data else ""
        if output.get("output_type") == "error":
            value = f"{output.get('ename', '')}: {output.get('evalue', '')}"
    text = "".join(map(str, value)) if isinstance(value, list) else str(value or "")
    return " ".join(ADDRESS.sub("", text).split())


def _kinds(outputs: list) -> list[str]:
    """Each output's kind as a person would name it: a figure, printed text, a value..."""
    kinds = []
    for output in outputs:
        kind = output.get("output_type")
        data = output.get("data") if isinstance(output.get("data"), Mapping) else {}
        if kind == "stream":
            kinds.append(str(output.get("name")))
        elif kind == "error":
            kinds.append("error")
        elif any(str(mime).startswith("image/") for mime in data):
            kinds.append("figure")
        elif "text/html" in data:
            kinds.append("html")
        else:
            kinds.append("value")
    return kinds


def outputs_differ(saved: object, run: list[dict]) -> list[str]:
    """How a cell's saved outputs differ from the grading run's, for a person ([] if alike).

    Figures are compared by their number, never their bytes (PNG bytes differ across machines
    and library versions); text by its words, memory addresses left out; consecutive streams
    as one, as Jupyter saves them. The run's notes of what it did not keep are left out."""
    saved_list = [o for o in saved if isinstance(o, Mapping)] if isinstance(saved, list) else []
    run_list = [
        o
        for o in run
        if isinstance(o, Mapping) and not (o.get("metadata") or {}).get("grading_note")
    ]
    saved_kinds, run_kinds = _merged(_kinds(saved_list)), _merged(_kinds(run_list))
    found = []
    if not saved_list and run_list:
        found.append("the submitted notebook saved no outputs for this cell")
    elif saved_list and not run_list:
        found.append("the grading run produced no output for this cell")
    saved_figures, run_figures = saved_kinds.count("figure"), run_kinds.count("figure")
    if saved_figures != run_figures:
        found.append(f"{saved_figures} figure(s) saved, {run_figures} in the grading run")
    if not (saved_list and run_list):
        return found
    if saved_kinds != run_kinds:
        found.append(
            f"saved outputs: {', '.join(saved_kinds) or 'none'}; grading run: "
            f"{', '.join(run_kinds) or 'none'}"
        )
    if _joined_text(saved_list) != _joined_text(run_list):
        found.append("the text of the outputs differs")
    return found


def _merged(kinds: list[str]) -> list[str]:
    merged: list[str] = []
    for kind in kinds:
        if not (merged and kind in ("stdout", "stderr") and merged[-1] == kind):
            merged.append(kind)
    return merged


def _joined_text(outputs: list) -> str:
    return " ".join(t for t in map(_output_text, outputs) if t)


def hand_graded_cells(
    questions: Iterable[Question], autograder_nb: nbformat.NotebookNode
) -> list[str]:
    """The student answer cells of the manually graded questions, in the notebook's order of
    questions: the cells whose outputs the grading run keeps for the hand grader."""
    found = (answer_cell_ids(autograder_nb, q.solution_cell_ids) for q in questions if q.manual)
    return list(dict.fromkeys(cell for ids in found for cell in ids))


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


def script_notebook(script: str) -> str:
    """A Python script as Otter grades it: a notebook of one code cell (JSON text)."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(script)
    cell.id = "script"  # stable: the same script, the same bytes
    notebook.cells.append(cell)
    return nbformat.writes(notebook)
