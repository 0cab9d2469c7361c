"""``make demo``: the whole product on the bundled samples, in under a minute once set up.

Grades each assignment's sample submissions with the default engine (a sandbox per
submission: containers where podman or docker runs, the host's strongest sandbox otherwise),
keeps the gradebook, and writes what an instructor takes away: ``final_grades.csv``, a Canvas
import file for the sample roster, the class report, the hand-grading template and packets,
the similarity report, each student's feedback (text and a self-contained HTML page) and that
feedback as an LMS takes it back (Blackboard's Grade Center file with Feedback to Learner, a
folder per student).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .api import deliver_feedback, export_grades, export_manual, grade, write_class_report
from .assignments import Assignment
from .errors import MissingInput
from .feedback import refresh_feedback
from .gradebook import Gradebook
from .similarity import write_similarity_report

ROSTER = "roster-canvas.csv"  # a Canvas gradebook export shipped with the samples
BLACKBOARD_ROSTER = "roster-blackboard.csv"  # a Grade Center download with the column's id


@dataclass(frozen=True)
class DemoRun:
    """Where one assignment's demo wrote its files, and how it graded."""

    assignment: Assignment
    out: Path
    engine: str
    isolation: str
    files: dict[str, Path]


def run_demo(assignment: Assignment, out: Path, *, engine: str = "auto") -> DemoRun:
    """Grade the samples into ``out`` and write every file of the chain."""
    samples = sorted(assignment.samples_dir.glob("*.ipynb"))
    if not samples:
        raise MissingInput(f"{assignment.samples_dir}: no sample submissions (*.ipynb)")
    roster = assignment.samples_dir / ROSTER
    summary = grade(samples, assignment.autograder_zip, out, engine=engine)
    # The hand-graded questions' answers and figures, in every file (an earlier run's too).
    refresh_feedback(out, assignment)
    gradebook = out / "gradebook.sqlite"
    canvas = out / "canvas-import.csv"
    export_grades(gradebook, assignment, "canvas", canvas, roster=roster)
    report = out / "report.html"
    write_class_report(gradebook, assignment, report, roster=roster)
    template, _ = export_manual(gradebook, assignment, out / "manual", roster=roster)
    similarity = write_similarity_report(out, assignment, workers=1)
    lms = out / "lms-feedback"
    blackboard = deliver_feedback(
        gradebook, assignment, "blackboard", lms,
        roster=assignment.samples_dir / BLACKBOARD_ROSTER,
    )  # fmt: skip
    deliver_feedback(gradebook, assignment, "plain", lms / "plain", roster=roster)
    with Gradebook(gradebook) as book:
        isolation = {row.isolation for row in book.rows(book.latest_autograder()) if row.sha256}
    files = {
        "gradebook": gradebook,
        "final grades (otter grade's columns)": out / "final_grades.csv",
        "Canvas import": canvas,
        "class report": report,
        "hand-grading template": template,
        "hand-grading packets": out / "manual" / "packets",
        "similarity report": similarity.html,
        "student feedback (.txt and .html)": out / "feedback",
        "LMS feedback: Blackboard upload": blackboard.written[0],
        "LMS feedback: a folder per student": lms / "plain",
    }
    return DemoRun(assignment, out, summary.engine, ", ".join(sorted(isolation)), files)


def score_table(assignment: Assignment, gradebook: Path) -> str:
    """Autograded points per sample, one row per question, as plain text."""
    with Gradebook(gradebook) as book:
        rows = [r for r in book.rows(book.latest_autograder()) if r.sha256]
    names = [Path(r.origin).stem for r in rows]
    width = max(10, *(len(n) for n in names))
    questions = [q for q in assignment.questions() if not q.manual]
    lines = [f"{'question':<14}{'max':>6}" + "".join(f"{n:>{width + 2}}" for n in names)]
    for q in questions:
        cells = "".join(f"{r.questions.get(q.name, 0.0):>{width + 2}g}" for r in rows)
        lines.append(f"{q.name:<14}{q.points:>6g}{cells}")
    total = sum(q.points for q in questions)
    lines.append(
        f"{'autograded':<14}{total:>6g}" + "".join(f"{r.score:>{width + 2}g}" for r in rows)
    )
    manual = sum(q.points for q in assignment.questions() if q.manual)
    lines.append(f"(+ {manual:g} points graded by hand: see the template and packets)")
    return "\n".join(lines)


def summary(run: DemoRun) -> str:
    """What the demo did, where each file is, and what to try next."""
    a, out = run.assignment, run.out
    lines = [
        f"== {a.name}: {run.engine} (isolation: {run.isolation}) ==",
        score_table(a, out / "gradebook.sqlite"),
        "",
        "Files:",
        *(f"  {label:<38}{path}" for label, path in run.files.items()),
        "",
        "Next:",
        f"  python -m grading mark --out {out}      # hand grading in the browser, by rubric",
        f"  python -m grading grade -a {a.autograder_zip} -o graded/ SUBMISSIONS...",
        f"  python -m grading manual import {run.files['hand-grading template']}"
        f" --gradebook {out / 'gradebook.sqlite'}",
        f"  python -m grading export --gradebook {out / 'gradebook.sqlite'} --format moodle"
        f" --roster {a.samples_dir / 'roster-moodle.csv'} --out moodle.csv",
        f"  python -m grading feedback --gradebook {out / 'gradebook.sqlite'} --format canvas"
        " --out lms-feedback/   # for submissions from a Canvas bulk download",
        f"  python -m grading report --gradebook {out / 'gradebook.sqlite'} --out report.html"
        " --deadline 2026-03-01T23:59:00+01:00 --penalty 10% --per day",
    ]
    return "\n".join(lines)
