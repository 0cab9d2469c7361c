"""Hand grading: a CSV template and per-student packets out, validated scores back in.

The template has one row per student who submitted and one column per manually graded question,
its header giving the maximum (``q3a (max 1.5)``). Students are named by their gradebook key
(what `grade` identified them by), so scores stay put whichever roster is used later.
Importing checks every row first and imports nothing if any is wrong; a score that changes an
earlier one is recorded in the gradebook's history, never overwritten silently.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import Assignment, Question
from .files import atomic_write, safe_name
from .gradebook import Gradebook, ScoreChange
from .lms.grades import StudentGrade
from .notebooks import answer_cell_ids

HEADER_PATTERN = re.compile(r"^\s*(?P<question>[A-Za-z0-9_]+)\s*(\(max\s*(?P<max>[0-9.]+)\))?\s*$")
IDENTITY_COLUMNS = ["student", "name", "origin"]


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
        writer.writerow([grade.gradebook_keys[0], name or "", grade.origin, *scores])
    return buffer.getvalue()


def _cell(score: float | None) -> str:
    return "" if score is None else f"{score:g}"


@dataclass(frozen=True)
class Packet:
    student: str
    path: Path


PACKET_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; color: #222; }
h1 { font-size: 1.5rem; } h2 { border-top: 1px solid #ccc; padding-top: 1rem; font-size: 1.2rem; }
.prompt { color: #555; border-left: 3px solid #0077bb; padding-left: .8rem; }
.answer { background: #fafafa; border: 1px solid #ddd; padding: .5rem 1rem; }
pre { white-space: pre-wrap; background: #f3f3f3; padding: .5rem; }
img { max-width: 100%; }
@media print { h2 { break-before: page; } }
"""
# MathJax renders the TeX when the page is opened online; offline the TeX stays readable.
MATHJAX = (
    '<script>window.MathJax = {tex: {inlineMath: [["\\\\(", "\\\\)"]]}};</script>'
    '<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
)


def write_packets(
    assignment: Assignment,
    grades: list[StudentGrade],
    gradebook_dir: Path,
    out_dir: Path,
) -> list[Packet]:
    """One HTML page per student with the prompt and their answer of every manual question.

    Student content is untrusted: markdown is rendered with raw HTML escaped, and only plain
    text and PNG/JPEG outputs are shown, so nothing a student wrote can run in the browser.
    """
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    student_nb = nbformat.read(assignment.student_notebook, as_version=4)
    questions = manual_questions(assignment)
    answer_ids = {q.name: answer_cell_ids(autograder, q.solution_cell_ids) for q in questions}
    prompts = _prompts(student_nb, answer_ids)
    hashes = _hashes_by_origin(gradebook_dir / "gradebook.sqlite")
    packets = []
    for grade in grades:
        if grade.origin is None:
            continue
        notebook = _submitted_notebook(gradebook_dir, hashes.get(grade.origin))
        by_id = {c.get("id"): c for c in notebook.cells} if notebook else {}
        parts = [f"<h1>{_e(grade.student)}</h1><p><code>{_e(grade.origin)}</code></p>"]
        for q in questions:
            parts.append(f'<h2 id="{_e(q.name)}">{_e(q.name)} ({q.points:g} points)</h2>')
            if q.name in prompts:
                parts.append(f'<div class="prompt">{_markdown(prompts[q.name])}</div>')
            found = [by_id[i] for i in answer_ids[q.name] if i in by_id]
            body = (
                "".join(_render_cell(c) for c in found) or "<p><em>answer cell not found</em></p>"
            )
            parts.append(f'<div class="answer" data-question="{_e(q.name)}">{body}</div>')
        page = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{_e(assignment.name)}: {_e(grade.student)}</title>"
            f"<style>{PACKET_STYLE}</style>{MATHJAX}</head><body>{''.join(parts)}</body></html>"
        )
        path = out_dir / f"{safe_name(grade.student)}.html"
        atomic_write(path, page)
        packets.append(Packet(grade.student, path))
    return packets


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _markdown(source: str) -> str:
    import mistune

    render = mistune.create_markdown(escape=True, plugins=["math"])
    return str(render(source))


def _render_cell(cell) -> str:
    source = str(cell.get("source", ""))
    if cell.get("cell_type") == "markdown":
        return _markdown(source)
    parts = [f"<pre><code>{_e(source)}</code></pre>"]
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(f"<pre>{_e(str(output.get('text', ''))[-5000:])}</pre>")
        elif kind == "error":
            parts.append(
                f"<pre>{_e(output.get('ename', ''))}: {_e(output.get('evalue', ''))}</pre>"
            )
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            image = next((k for k in ("image/png", "image/jpeg") if k in data), None)
            if image and re.fullmatch(r"[A-Za-z0-9+/=\s]+", str(data[image])):
                encoded = re.sub(r"\s", "", str(data[image]))
                parts.append(f'<img alt="figure output" src="data:{image};base64,{encoded}">')
            elif "text/plain" in data:
                parts.append(f"<pre>{_e(str(data['text/plain'])[-5000:])}</pre>")
    return "".join(parts)


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


def _hashes_by_origin(gradebook: Path) -> dict[str, str]:
    import sqlite3

    db = sqlite3.connect(gradebook)
    try:
        return dict(db.execute("SELECT origin, sha256 FROM submissions").fetchall())
    finally:
        db.close()


def _submitted_notebook(gradebook_dir: Path, sha256: str | None) -> nbformat.NotebookNode | None:
    """The executed notebook kept at grading time (it has the figures), else the submitted one."""
    if sha256 is None:
        return None
    for folder in ("executed", "submissions"):
        path = gradebook_dir / folder / f"{sha256}.ipynb"
        if path.is_file():
            try:
                return nbformat.read(path, as_version=4)
            except Exception:
                continue
    return None


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
