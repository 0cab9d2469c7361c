"""Hand grading: a CSV template and per-student packets out, validated scores back in.

The template has one row per student who submitted and one column per manually graded question,
its header giving the maximum (``q3a (max 1.5)``). Students are named by their gradebook key
(what `grade` identified them by), so scores stay put whichever roster is used later.
Importing checks every row first and imports nothing if any is wrong; a score that changes an
earlier one is recorded in the gradebook's history, never overwritten silently.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import Assignment, Question
from .errors import UsageError
from .files import atomic_write, safe_name
from .gradebook import Gradebook, ScoreChange
from .lms.grades import StudentGrade
from .notebooks import answer_cell_ids, hand_graded_cells, outputs_differ
from .render import cell_html, markdown_html, output_html, run_outputs_html
from .templating import STATIC
from .templating import render as render_template

HEADER_PATTERN = re.compile(r"^\s*(?P<question>[A-Za-z0-9_]+)\s*(\(max\s*(?P<max>[0-9.]+)\))?\s*$")
IDENTITY_COLUMNS = ["student", "name", "origin"]


class ManualImportError(UsageError):
    """Every problem of a hand-grading file, so all can be fixed in one go."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s), nothing imported:\n{listed}")


def manual_questions(assignment: Assignment) -> list[Question]:
    questions = [q for q in assignment.questions() if q.manual]
    if not questions:
        raise UsageError(f"{assignment.master_notebook}: no manually graded questions")
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
        writer.writerow([grade.gradebook_keys[0], name or "", grade.origin, *scores])
    return buffer.getvalue()


def _cell(score: float | None) -> str:
    return "" if score is None else f"{score:g}"


@dataclass(frozen=True)
class Packet:
    student: str
    path: Path


class Answers:
    """Where each hand-graded question's prompt and answer cells are, read once per assignment.

    The packets and the marking app both show answers through this and ``grading.render``.
    """

    def __init__(self, assignment: Assignment) -> None:
        autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
        student_nb = nbformat.read(assignment.student_notebook, as_version=4)
        self.questions = manual_questions(assignment)
        self.answer_ids = {
            q.name: answer_cell_ids(autograder, q.solution_cell_ids) for q in self.questions
        }
        self.prompts = _prompts(student_nb, self.answer_ids)

    def prompt_html(self, question: str) -> str:
        return markdown_html(self.prompts.get(question, ""))

    def cells(self, notebook: dict | None, question: str) -> list[dict]:
        """The answer cells of ``question`` in a submitted notebook (by cell id)."""
        if notebook is None:
            return []
        cells = notebook.get("cells")
        by_id = {
            c.get("id"): c for c in cells if isinstance(c, dict) and isinstance(c.get("id"), str)
        } if isinstance(cells, list) else {}  # fmt: skip
        return [by_id[i] for i in self.answer_ids.get(question, []) if i in by_id]

    def answer_html(
        self, notebook: dict | None, question: str, run: dict[str, list[dict]] | None = None
    ) -> str:
        """The answer cells; a code cell with the outputs of the grading run (``run``: cell id
        -> outputs, ``Gradebook.run_outputs``) beside those it saved, flagged where they
        differ. Without ``run`` (graded before outputs were kept) its saved outputs only."""
        cells = self.cells(notebook, question)
        if missing := missing_answer_note(notebook, cells):
            return missing
        parts = []
        for cell in cells:
            if cell.get("cell_type") != "code" or not run:
                parts.append(cell_html(cell))
                continue
            outputs = run.get(cell.get("id"))
            saved = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
            parts.append(
                render_template(
                    "answer_cell.html.j2",
                    source=cell_html(cell, with_outputs=False),
                    run=None if outputs is None else run_outputs_html(outputs),
                    saved="".join(output_html(o) for o in saved if isinstance(o, dict)),
                    differs=(
                        ["this cell did not run in the grading run"]
                        if outputs is None
                        else outputs_differ(saved, outputs)
                    ),
                )
            )
        if not run and any(c.get("cell_type") == "code" for c in cells):
            parts.append(NO_RUN_OUTPUTS)
        return "".join(parts)


NO_RUN_OUTPUTS = (
    '<p class="note">[outputs saved in the submitted notebook; none were kept from the grading'
    " run (graded before this tool kept them)]</p>"
)


def manual_answer_cells(assignment: Assignment) -> list[str]:
    """The answer cells of the assignment's hand-graded questions: the cells whose outputs the
    grading run keeps for the hand grader ([] when it has no such question)."""
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    return hand_graded_cells(assignment.questions(), autograder)


def missing_answer_note(notebook: dict | None, cells: list[dict]) -> str | None:
    """What to show instead of an answer that cannot be shown; None when there is one."""
    if notebook is None:
        return '<p class="note">[the submitted notebook could not be read]</p>'
    if not cells:
        return '<p class="note">[answer cell not found: deleted or its id changed]</p>'
    return None


def load_submission(gradebook_dir: Path, sha256: str | None) -> dict | None:
    """The submitted notebook (its saved outputs are what the student handed in), else the
    notebook ``otter run`` executed. The outputs of the grading run are in the gradebook
    (``Gradebook.run_outputs``), whichever engine graded it.

    Read as plain JSON (no schema validation: ten times faster, and a hostile notebook is
    rendered defensively anyway); None when neither is a readable notebook.
    """
    if not sha256 or not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    for folder in ("submissions", "executed"):
        path = gradebook_dir / folder / f"{sha256}.ipynb"
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        if isinstance(notebook, dict):
            return notebook
    return None


def write_packets(
    assignment: Assignment,
    grades: list[StudentGrade],
    gradebook_dir: Path,
    out_dir: Path,
) -> list[Packet]:
    """One HTML page per student with the prompt and their answer of every manual question.

    Rendered by ``grading.render`` (the app's renderer) with math by the vendored KaTeX,
    copied into ``out_dir/assets``: the packets work offline and load nothing from elsewhere.
    """
    answers = Answers(assignment)
    copy_assets(out_dir / "assets")
    prompts = {q.name: answers.prompt_html(q.name) for q in answers.questions}
    packets = []
    with Gradebook(gradebook_dir / "gradebook.sqlite") as book:
        hashes = {row.origin: row.sha256 for row in book.rows(book.latest_autograder())}
        for grade in grades:
            if grade.origin is None:
                continue
            sha256 = hashes.get(grade.origin)
            notebook = load_submission(gradebook_dir, sha256)
            run = book.run_outputs(sha256) if sha256 else {}
            sections = [
                {
                    "name": q.name,
                    "points": q.points,
                    "prompt": prompts[q.name],
                    "answer": answers.answer_html(notebook, q.name, run),
                }
                for q in answers.questions
            ]
            page = render_template(
                "packets/packet.html.j2",
                assignment=assignment.name,
                student=grade.student,
                origin=grade.origin,
                sections=sections,
                csp=PACKET_CSP,
            )
            path = out_dir / f"{safe_name(grade.student)}.html"
            atomic_write(path, page)
            packets.append(Packet(grade.student, path))
    return packets


# Static files opened from disk: scripts and styles only from the assets folder beside them.
PACKET_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self';"
    " img-src data:; frame-src 'self'; base-uri 'none'; form-action 'none'"
)
PACKET_ASSETS = ("katex", "math.js", "student.css", "highlight.css", "packet.css")


def copy_assets(target: Path) -> None:
    """The packets' share of grading/static (KaTeX, the math and page styles)."""
    for name in PACKET_ASSETS:
        source = STATIC / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)


def _prompts(student_nb: nbformat.NotebookNode, answer_ids: dict[str, list[str]]) -> dict[str, str]:
    """The markdown just before each question's answer cell: its prompt."""
    cells = student_nb.cells
    index = {c.get("id"): i for i, c in enumerate(cells)}
    prompts = {}
    for question, ids in answer_ids.items():
        if ids and ids[0] in index and index[ids[0]] > 0:
            before = cells[index[ids[0]] - 1]
            if before.cell_type == "markdown":
                prompts[question] = re.sub(r"<!--.*?-->", "", before.source, flags=re.S)
    return prompts


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
