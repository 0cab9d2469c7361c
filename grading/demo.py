"""The built-in default job: rebuild every assignment and grade its bundled sample submissions."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from .assignments import Assignment
from .build import build
from .otter_run import otter_run


def grade_samples(assignment: Assignment) -> dict[str, dict[str, float]]:
    """Per-question scores of every sample submission, keyed by the sample's file name."""
    samples = sorted(assignment.samples_dir.glob("*.ipynb"))
    if not samples:
        raise FileNotFoundError(f"{assignment.samples_dir}: no sample submissions (*.ipynb)")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        scores = pool.map(lambda path: otter_run(path, assignment.autograder_zip), samples)
        return {path.name: result for path, result in zip(samples, scores, strict=True)}


def score_table(assignment: Assignment, scores: dict[str, dict[str, float]]) -> str:
    """A question-by-sample table of scores with autograded totals, as plain text."""
    questions = [q for q in assignment.questions() if not q.manual]
    names = list(scores)
    width = max(12, *(len(n) for n in names))
    lines = [f"{'question':<14}{'max':>6}  " + "".join(f"  {n:>{width}}" for n in names)]
    for q in questions:
        row = "".join(f"  {scores[n].get(q.name, 0.0):>{width}g}" for n in names)
        lines.append(f"{q.name:<14}{q.points:>6g}  {row}")
    total = sum(q.points for q in questions)
    totals = "".join(f"  {sum(scores[n].values()):>{width}g}" for n in names)
    lines.append(f"{'autograded':<14}{total:>6g}  {totals}")
    manual = sum(q.points for q in assignment.questions() if q.manual)
    lines.append(f"({manual:g} more points are graded by hand from the PDF)")
    return "\n".join(lines)


def run_demo(assignments: list[Assignment]) -> str:
    """Build each assignment, grade its samples with ``otter run`` and return the report."""
    reports = []
    for assignment in assignments:
        zip_path = build(assignment)
        print(f"built {assignment.dist_dir} ({zip_path.name})", flush=True)
        scores = grade_samples(assignment)
        reports.append(f"== {assignment.name} ==\n{score_table(assignment, scores)}")
    return "\n\n".join(reports)
