"""Reading the class: one notebook per student from a ``grade`` folder, as answers per question.

The folder's gradebook says who submitted what; ``lms.grades`` picks one submission per student
exactly as the grade exports do; ``DIR/submissions/<sha256>.ipynb`` holds its bytes. Only the
answer cells are read (the same cell ids the audit and the hand-grading packets use); everything
else in a notebook was given to every student. The reference solution joins as a pseudo-student.

Notebooks are read as plain JSON (no schema validation: it is slow, and a student's notebook
only needs cells with ids and sources). A notebook that cannot be read is reported by file
name and skipped; it never stops the report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..assignments import Assignment, Question
from ..errors import GradingError
from ..gradebook import Gradebook
from ..lms.grades import compute_grades
from ..notebooks import ANSWER_TAG, answer_cell_ids, reference_submission
from .normalise import CODE, PROSE

REFERENCE = "reference solution"
MAX_ANSWER_CHARS = 50_000  # longer answers are cut: tokenising megabytes would stall the class
_SHA256 = re.compile(r"[0-9a-f]{64}")


class UnreadableNotebook(GradingError):
    """A submitted notebook that is not a notebook: reported and skipped."""


@dataclass(frozen=True)
class QuestionCells:
    """Where a question's answer lives in the student notebook, and what the student got there."""

    name: str
    kind: str  # CODE or PROSE, from the student notebook's answer cell
    cell_ids: tuple[str, ...]
    skeleton: str  # the given text of those cells: in every submission, so never evidence


@dataclass(frozen=True)
class Participant:
    """A student (or the reference solution) and the text of each of their answers."""

    name: str
    origin: str  # where a person finds the notebook
    answers: dict[str, str]  # question -> answer text (its cells joined by a blank line)


@dataclass
class ClassAnswers:
    questions: list[QuestionCells]
    participants: list[Participant]  # the reference solution first
    problems: list[str] = field(default_factory=list)  # for a person: what was skipped and why


def question_cells(assignment: Assignment) -> list[QuestionCells]:
    """Every question's answer cells in the student notebook, with their skeleton text."""
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    student = nbformat.read(assignment.student_notebook, as_version=4)
    by_id = {cell.get("id"): cell for cell in student.cells}
    found = []
    for question in assignment.questions():
        cells = answer_cell_ids(autograder, question.solution_cell_ids)
        ids = tuple(i for i in cells if i in by_id)
        if not ids:
            continue
        kind = CODE if by_id[ids[0]].cell_type == "code" else PROSE
        skeleton = "\n\n".join(by_id[i].source for i in ids)
        found.append(QuestionCells(question.name, kind, ids, skeleton))
    return found


def reference_participant(assignment: Assignment, questions: list[QuestionCells]) -> Participant:
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    student = nbformat.read(assignment.student_notebook, as_version=4)
    notebook = reference_submission(student, autograder)
    answers = answers_of(notebook.cells, questions, _answer_order(student.cells))
    return Participant(REFERENCE, str(assignment.autograder_notebook), answers)


def read_class(out_dir: Path, assignment: Assignment) -> ClassAnswers:
    """The reference solution and every student's chosen submission in a ``grade`` folder."""
    gradebook = out_dir / "gradebook.sqlite"
    if not gradebook.is_file():
        raise GradingError(
            f"{gradebook}: no gradebook; --out must be a folder `python -m grading grade` wrote"
        )
    questions = question_cells(assignment)
    student_nb = nbformat.read(assignment.student_notebook, as_version=4)
    order = _answer_order(student_nb.cells)
    result = ClassAnswers(questions, [reference_participant(assignment, questions)])
    for student, origin, sha256 in _chosen_submissions(gradebook, assignment.questions()):
        path = out_dir / "submissions" / f"{sha256}.ipynb"
        who = f"{student} ({origin})"
        if not _SHA256.fullmatch(sha256):
            result.problems.append(f"{who}: the gradebook holds no notebook hash; skipped")
            continue
        if not path.is_file():
            result.problems.append(f"{path}: not found (kept for {who}); skipped")
            continue
        try:
            cells = read_cells(path)
        except UnreadableNotebook as error:
            result.problems.append(f"{error} ({who}); skipped")
            continue
        answers = answers_of(cells, questions, order)
        for question, text in answers.items():
            if len(text) > MAX_ANSWER_CHARS:
                answers[question] = text[:MAX_ANSWER_CHARS]
                result.problems.append(
                    f"{path}: {question} of {who} is longer than {MAX_ANSWER_CHARS:,}"
                    " characters; only its start is compared"
                )
        result.participants.append(Participant(student, origin, answers))
    return result


def _chosen_submissions(gradebook: Path, questions: list[Question]) -> list[tuple[str, str, str]]:
    """(student, origin, sha256) of the one submission per student the grade exports use."""
    with Gradebook(gradebook) as book:
        grades, _ = compute_grades(book, questions)
        sha_by_origin = {row.origin: row.sha256 for row in book.rows(book.latest_autograder())}
    return [
        (grade.student, grade.origin, sha_by_origin.get(grade.origin, ""))
        for grade in sorted(grades, key=lambda g: g.student)
        if grade.origin is not None
    ]


def read_cells(path: Path) -> list[dict]:
    """The cells of a notebook file, each a dict with a text ``source``; or UnreadableNotebook."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:  # UnicodeDecodeError and JSONDecodeError are both
        raise UnreadableNotebook(f"{path}: not a readable notebook ({error})") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise UnreadableNotebook(f"{path}: not a notebook (no list of cells)")
    out = []
    for cell in cells:
        if not isinstance(cell, dict):
            raise UnreadableNotebook(f"{path}: not a notebook (a cell is not an object)")
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        out.append({**cell, "source": source if isinstance(source, str) else ""})
    return out


def _tags(cell: dict) -> list:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return tags if isinstance(tags, list) else []


def _answer_order(cells: list) -> list[str]:
    """The ids of the student notebook's answer cells, in order (to match id-less notebooks)."""
    return [cell.get("id") for cell in cells if ANSWER_TAG in _tags(cell)]


def answers_of(cells: list, questions: list[QuestionCells], order: list[str]) -> dict[str, str]:
    """Each question's answer text in these cells: by cell id, else by answer-cell order.

    Notebooks saved by an old Jupyter have no cell ids; their answer cells still carry Otter's
    tag, in the same order as in the student notebook.
    """
    by_id = {cell.get("id"): cell for cell in cells if isinstance(cell.get("id"), str)}
    if not any(i in by_id for q in questions for i in q.cell_ids):
        tagged = [cell for cell in cells if ANSWER_TAG in _tags(cell)]
        by_id = dict(zip(order, tagged, strict=False))
    return {
        q.name: "\n\n".join(str(by_id[i]["source"]) for i in q.cell_ids if i in by_id)
        for q in questions
    }
