"""Stage 5 of the pipeline: files for people, written from the gradebook and results.

``final_grades.csv`` has the columns ``otter grade`` writes, so scripts made for Otter keep
working; feedback files show students what Otter's configuration lets them see.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

from .assignments import Question
from .autograder import AutograderInfo
from .files import atomic_write
from .gradebook import Gradebook, Mark, Rubric
from .model import GRADED, SCORED, GradeResult, Submission

POINTS_POSSIBLE_LABEL = "points-per-question"  # Otter's label for the first row


def final_grades_csv(gradebook: Gradebook, info: AutograderInfo, path: Path) -> int:
    """Write Otter's ``final_grades.csv`` for every submission under this autograder."""
    questions = sorted(info.questions)  # otter grade sorts the question columns by name
    columns = ["file", *questions, "total_points_earned", "percent_correct", "grading_status"]
    possible = sum(info.questions.values())
    rows = [[POINTS_POSSIBLE_LABEL, *(info.questions[q] for q in questions), possible, 1, "--"]]
    for row in gradebook.rows(info.sha256):
        status = "Completed" if row.status == GRADED else f"{row.status}: {row.reason}"
        percent = row.score / possible if possible else 0
        scores = [row.questions.get(q, 0.0) for q in questions]
        rows.append([row.origin, *scores, row.score, round(percent, 6), status])
    with tempfile.SpooledTemporaryFile(mode="w+", newline="") as buffer:
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        buffer.seek(0)
        atomic_write(path, buffer.read())
    return len(rows) - 1


def feedback_text(submission: Submission, result: GradeResult, info: AutograderInfo) -> str:
    """A student's feedback: the total as Otter counts it, scores per question, the tests they
    may see with the instructor's message for each outcome, and the cells a limit stopped."""
    earned = result.score if result.status in SCORED else 0.0
    lines = [
        f"Feedback for {submission.student} ({submission.origin})",
        f"Assignment: {info.assignment or info.path.name}",
        f"Autograded score: {info.total(earned):g} / {info.possible:g}",
    ]
    if info.totals_rule:
        raw = sum(info.questions.values())
        lines.append(f"    (questions: {earned:g} / {raw:g}; the total is {info.totals_rule})")
    if result.status not in SCORED:
        lines += [f"Status: {result.status}: {result.reason}", ""]
        return "\n".join(lines)
    if result.status != GRADED:
        lines.append(f"Status: {result.status} (held for review)")
    if result.reason:
        lines.append(f"Note: {result.reason}")
    if result.stopped:
        lines.append(
            "Stopped by a limit of this grader (otter run has none per cell; cells are counted"
            " from 0 at the top of the notebook, as in the grading log):"
        )
        lines += [f"    {cell.describe()}" for cell in result.stopped]
    lines.append("")
    scores = {q.name: q for q in result.questions}
    for question in sorted(info.questions, key=_natural):
        q = scores.get(question)
        lines.append(f"{question}: {q.score if q else 0:g} / {info.questions[question]:g}")
        for test in (t for t in result.tests if t.question == question):
            if test.hidden and not info.show_hidden:
                continue
            kind = "hidden" if test.hidden else "public"
            lines.append(f"    {'passed' if test.passed else 'FAILED'}  {kind} test {test.name}")
            if test.note.strip():  # Otter's summary: "<test> message: <success/failure message>"
                first, *rest = test.note.strip().splitlines()
                lines += [f"        message: {first}", *(f"                 {r}" for r in rest)]
            if not test.passed and test.message:
                lines += [f"        {line}" for line in test.message.strip().splitlines()[-6:]]
        if not info.show_hidden:
            lines.append("    (hidden test results are not shown for this assignment)")
    return "\n".join(lines) + "\n"


# The hand-graded part of a feedback file starts at this line: writing it again replaces it.
HAND_GRADED_HEADER = "== Graded by hand =="


def hand_graded_section(
    questions: list[Question], marks: dict[str, Mark | None], rubrics: dict[str, Rubric]
) -> str:
    """Per hand-graded question: the score, the rubric items applied, adjustment and comment.

    Graders are not named: the student sees what was decided, not by whom.
    """
    lines = [HAND_GRADED_HEADER]
    total = 0.0
    for question in questions:
        mark = marks.get(question.name)
        if mark is None or mark.score is None:
            lines.append(f"{question.name}: not graded yet / {question.points:g}")
            continue
        total += mark.score
        lines.append(f"{question.name}: {mark.score:g} / {question.points:g}")
        rubric = rubrics.get(question.name)
        if rubric is not None and rubric.scoring == "negative":
            lines.append(f"    (starts from {rubric.max_points:g}; items below are deductions)")
        for item in rubric.items if rubric else ():
            if item.id in mark.items:
                lines.append(f"    {item.points:+g}  {_one_line(item.description)}")
        if mark.adjustment:
            lines.append(f"    {mark.adjustment:+g}  adjustment: {_one_line(mark.reason)}")
        if mark.comment.strip():
            lines.append("    comment:")
            lines += [f"        {line}" for line in mark.comment.strip().splitlines()]
    possible = sum(q.points for q in questions)
    lines.append(f"Graded by hand so far: {total:g} / {possible:g}")
    return "\n".join(lines) + "\n"


def with_hand_graded_section(text: str, section: str) -> str:
    """A feedback file with its hand-graded part replaced by ``section`` (added if none)."""
    kept = text.split(f"\n{HAND_GRADED_HEADER}\n", 1)[0].rstrip("\n")
    return f"{kept}\n\n{section}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
