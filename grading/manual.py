"""Hand grading: a CSV template and per-student packets out, validated scores back in.

The template has one row per student who submitted and one column per manually graded question,
its header giving the maximum (``q3a (max 1.5)``). Importing checks every row first and imports
nothing if any is wrong; a score that changes an earlier one is recorded in the gradebook's
history, never overwritten silently.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import Assignment, Question
from .gradebook import Gradebook, ScoreChange
from .lms.grades import StudentGrade
from .notebooks import answer_cell_ids
from .outputs import atomic_write, safe_name

HEADER_PATTERN = re.compile(r"^\s*(?P<question>[A-Za-z0-9_]+)\s*(\(max\s*(?P<max>[0-9.]+)\))?\s*$")
IDENTITY_COLUMNS = ["student", "name", "origin"]
SAFE_OUTPUTS = ("text/plain", "image/png", "image/jpeg")  # nothing that can run in a browser


class ManualImportError(ValueError):
    """Every problem of a hand-grading file, so all can be fixed in one go."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s), nothing imported:\n{listed}")


def manual_questions(assignment: Assignment) -> list[Question]:
    questions = [q for q in assignment.questions() if q.manual]
    if not questions:
        raise ValueError(f"{assignment.master_notebook}: no manually graded questions")
    return questions


def template_csv(grades: list[StudentGrade], questions: list[Question]) -> str:
    """The template, pre-filled with scores already imported."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(IDENTITY_COLUMNS + [f"{q.name} (max {q.points:g})" for q in questions])
    for grade in grades:
        if grade.origin is None:
            continue  # nothing to grade by hand
        name = grade.roster.display_name if grade.roster else ""
        scores = [_cell(grade.manual.get(q.name)) for q in questions]
        writer.writerow([grade.student, name or "", grade.origin, *scores])
    return buffer.getvalue()


def _cell(score: float | None) -> str:
    return "" if score is None else f"{score:g}"


@dataclass(frozen=True)
class Packet:
    student: str
    path: Path


def write_packets(
    assignment: Assignment,
    grades: list[StudentGrade],
    gradebook_dir: Path,
    out_dir: Path,
) -> list[Packet]:
    """One HTML page per student with the prompt and their answer of every manual question."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(sanitize_html=True, embed_images=True, exclude_input_prompt=True)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    student_nb = nbformat.read(assignment.student_notebook, as_version=4)
    questions = manual_questions(assignment)
    answer_ids = {q.name: answer_cell_ids(autograder, q.solution_cell_ids) for q in questions}
    prompts = _prompts(student_nb, answer_ids)
    packets = []
    for grade in grades:
        if grade.origin is None:
            continue
        notebook = _submitted_notebook(gradebook_dir, grade)
        cells = [nbformat.v4.new_markdown_cell(f"# {grade.student}\n\n`{grade.origin}`")]
        by_id = {c.get("id"): c for c in notebook.cells} if notebook else {}
        for q in questions:
            cells.append(nbformat.v4.new_markdown_cell(f"## {q.name} ({q.points:g} points)"))
            cells.extend(prompts.get(q.name, []))
            found = [by_id[i] for i in answer_ids[q.name] if i in by_id]
            if not found:
                cells.append(nbformat.v4.new_markdown_cell("*(answer cell not found)*"))
            cells.extend(_safe_copy(cell) for cell in found)
        body, _ = exporter.from_notebook_node(nbformat.v4.new_notebook(cells=cells))
        path = out_dir / f"{safe_name(grade.student)}.html"
        atomic_write(path, body)
        packets.append(Packet(grade.student, path))
    return packets


def _prompts(
    student_nb: nbformat.NotebookNode, answer_ids: dict[str, list[str]]
) -> dict[str, list[nbformat.NotebookNode]]:
    """The markdown cell just before each question's answer cell: its prompt."""
    cells = student_nb.cells
    index = {c.get("id"): i for i, c in enumerate(cells)}
    prompts = {}
    for question, ids in answer_ids.items():
        if ids and ids[0] in index and index[ids[0]] > 0:
            before = cells[index[ids[0]] - 1]
            if before.cell_type == "markdown":
                prompts[question] = [_safe_copy(before)]
    return prompts


def _submitted_notebook(gradebook_dir: Path, grade: StudentGrade) -> nbformat.NotebookNode | None:
    import sqlite3

    db = sqlite3.connect(gradebook_dir / "gradebook.sqlite")
    row = db.execute("SELECT sha256 FROM submissions WHERE origin = ?", (grade.origin,)).fetchone()
    db.close()
    if row is None:
        return None
    for folder in ("executed", "submissions"):
        path = gradebook_dir / folder / f"{row[0]}.ipynb"
        if path.is_file():
            try:
                return nbformat.read(path, as_version=4)
            except Exception:
                continue
    return None


def _safe_copy(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A student's cell with only outputs that cannot run code in the grader's browser."""
    if cell.get("cell_type") == "markdown":
        return nbformat.v4.new_markdown_cell(str(cell.get("source", "")))
    if cell.get("cell_type") != "code":
        return nbformat.v4.new_markdown_cell(f"```\n{cell.get('source', '')}\n```")
    copy = nbformat.v4.new_code_cell(str(cell.get("source", "")))
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            copy.outputs.append(nbformat.v4.new_output("stream", text=str(output.get("text", ""))))
        elif kind in ("display_data", "execute_result"):
            data = {k: v for k, v in output.get("data", {}).items() if k in SAFE_OUTPUTS}
            if data:
                copy.outputs.append(nbformat.v4.new_output("display_data", data=data))
        elif kind == "error":
            text = f"{output.get('ename', '')}: {output.get('evalue', '')}"
            copy.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=text))
    return copy


def read_scores(
    path: Path, questions: list[Question], known_students: set[str]
) -> list[tuple[str, str, float]]:
    """Validated (student, question, score) triples from a filled-in template."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ManualImportError(path, [f"cannot read the file: {error}"]) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ManualImportError(path, ["the file is empty"])
    header, problems = rows[0], []
    points = {q.name: q.points for q in questions}
    columns: dict[int, str] = {}
    if "student" not in [h.strip() for h in header]:
        problems.append("no 'student' column in the header")
    for index, title in enumerate(header):
        if title.strip() in IDENTITY_COLUMNS or not title.strip():
            continue
        match = HEADER_PATTERN.match(title)
        question = match.group("question") if match else title.strip()
        if question not in points:
            problems.append(f"column '{title}' is not a manually graded question")
        else:
            columns[index] = question
    if problems:
        raise ManualImportError(path, problems)
    student_column = [h.strip() for h in header].index("student")
    scores, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        student = row[student_column].strip() if student_column < len(row) else ""
        if student not in known_students:
            problems.append(f"row {line}: unknown student '{student}'")
            continue
        if student in seen:
            problems.append(f"row {line}: student '{student}' appears twice")
            continue
        seen.add(student)
        for index, question in columns.items():
            cell = row[index].strip() if index < len(row) else ""
            if not cell:
                continue  # not graded yet
            try:
                score = float(cell)
            except ValueError:
                problems.append(f"row {line} ({student}): {question}: '{cell}' is not a number")
                continue
            if not math.isfinite(score) or not 0 <= score <= points[question]:
                problems.append(
                    f"row {line} ({student}): {question}: {cell} is outside 0..{points[question]:g}"
                )
                continue
            scores.append((student, question, score))
    if problems:
        raise ManualImportError(path, problems)
    return scores


def import_scores(
    book: Gradebook, path: Path, questions: list[Question], known_students: set[str]
) -> list[ScoreChange]:
    return book.set_manual_scores(read_scores(path, questions, known_students), source=path.name)


def render_changes(changes: list[ScoreChange]) -> str:
    lines = []
    for c in changes:
        before = "ungraded" if c.old is None else f"{c.old:g}"
        lines.append(f"{c.student} {c.question}: {before} -> {c.new:g}")
    return "\n".join(lines)
