"""Stage 5 of the pipeline: files for people, written from the gradebook and results.

``final_grades.csv`` has the columns ``otter grade`` writes, so scripts made for Otter keep
working; feedback files show students what Otter's configuration lets them see.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

from .autograder import AutograderInfo
from .files import atomic_write
from .gradebook import Gradebook
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
    """A student's feedback: scores per question and the tests they may see."""
    lines = [
        f"Feedback for {submission.student} ({submission.origin})",
        f"Assignment: {info.assignment or info.path.name}",
        f"Autograded score: {result.score:g} / {sum(info.questions.values()):g}",
    ]
    if result.status not in SCORED:
        lines += [f"Status: {result.status}: {result.reason}", ""]
        return "\n".join(lines)
    if result.status != GRADED:
        lines.append(f"Status: {result.status} (held for review)")
    if result.reason:
        lines.append(f"Note: {result.reason}")
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
            if not test.passed and test.message:
                lines += [f"        {line}" for line in test.message.strip().splitlines()[-6:]]
        if not info.show_hidden:
            lines.append("    (hidden test results are not shown for this assignment)")
    return "\n".join(lines) + "\n"


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
