"""What a student receives: ``feedback/<stem>.txt`` and ``feedback/<stem>.html``, per submission.

Both files are written from the gradebook alone (the recorded result, the hand-graded marks,
the rubrics) and the kept notebooks, so ``refresh_feedback`` can rewrite every student's files at
any time: at grading time (the autograded part), after hand grading (``mark --write-feedback``,
the app's button), and before the files are packaged for an LMS. It only reads the gradebook and
replaces each file atomically: running it again gives the same files and never touches a score.

The HTML file is a single self-contained page (it is uploaded to an LMS alone): its style inline
and allowed by hash in a Content-Security-Policy meta tag that allows no script and no request,
math as MathML written here (no script renders it), figures as ``data:`` images, student content
through ``grading.render`` (sanitised; HTML outputs in a sandboxed ``srcdoc`` frame).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .assignments import Assignment, Question
from .autograder import AutograderInfo
from .errors import MissingInput
from .files import atomic_write
from .gradebook import Gradebook, GradedRow, Mark, Rubric
from .lms.grades import StudentGrade, compute_grades, recorded_autograder
from .lms.late import LatePolicy
from .manual import Answers, load_submission, missing_answer_note
from .model import GRADED, SCORED, GradeResult, Submission
from .outputs import _natural, feedback_text, hand_graded_section
from .render import cell_html, mathml, output_html
from .templating import STATIC
from .templating import environment as template_environment
from .templating import render as render_template

TEMPLATE = "feedback/feedback.html.j2"
STYLESHEETS = ("feedback.css", "highlight.css")


@cache
def page_style() -> tuple[str, str]:
    """The page's one inline stylesheet and its CSP source (``'sha256-...'``)."""
    css = "\n".join((STATIC / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"'sha256-{digest}'"


def page_csp() -> str:
    """Nothing runs and nothing is fetched: images only from ``data:``, frames only ``srcdoc``
    (which inherit this policy), the one stylesheet by its hash."""
    return (
        f"default-src 'none'; style-src {page_style()[1]}; img-src data:; script-src 'none';"
        " frame-src 'none'; base-uri 'none'; form-action 'none'"
    )


# -- one student's page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A grade as it stands: the numbers the first line of both files says."""

    final: float
    possible: float
    autograded: float
    by_hand: float
    penalty: float  # fraction lost to the late policy
    pending: tuple[str, ...]  # hand-graded questions without a score yet
    pending_points: float
    chosen: bool  # False: the student's grade is taken from another submission
    chosen_origin: str | None
    manual_known: bool  # False: graded without the assignment (its hand-graded part unknown)

    def line(self) -> str:
        """The first line of the text file."""
        if not self.chosen:
            return (
                f"Autograded score of this submission: {self.autograded:g}; your grade is taken"
                f" from another submission ({self.chosen_origin})"
            )
        parts = [f"autograded {self.autograded:g}"]
        if self.manual_known and (self.by_hand or not self.pending):
            parts.append(f"graded by hand {self.by_hand:g}")
        if self.penalty:
            parts.append(f"late penalty -{self.penalty:.0%}")
        text = f"Grade: {self.final:g} / {self.possible:g} ({', '.join(parts)})"
        if not self.manual_known:
            return text + "; any hand-graded questions are not included yet"
        if self.pending:
            return (
                text + f"; hand grading pending for {len(self.pending)} question(s)"
                f" ({self.pending_points:g} points): not final yet"
            )
        return text


def standing(
    grade: StudentGrade | None,
    row: GradedRow,
    info: AutograderInfo,
    manual: list[Question],
    manual_known: bool,
) -> Standing:
    auto_earned = info.total(row.score) if row.status in SCORED else 0.0
    if grade is None or grade.origin != row.origin:
        return Standing(
            auto_earned, info.possible, auto_earned, 0.0, 0.0, (), 0.0, False,
            grade.origin if grade else None, manual_known,
        )  # fmt: skip
    by_hand = sum(v for v in grade.manual.values() if v is not None)
    pending = tuple(q.name for q in manual if grade.manual.get(q.name) is None)
    points = sum(q.points for q in manual if q.name in pending)
    return Standing(
        grade.final_total, grade.points_possible, grade.raw_total - by_hand, by_hand,
        grade.penalty_fraction, pending, points, True, grade.origin, manual_known,
    )  # fmt: skip


def _tests(result: GradeResult, info: AutograderInfo, question: str) -> list[dict[str, Any]]:
    """The tests of one question a student may see, as ``feedback_text`` lists them."""
    shown = []
    for test in result.tests:
        if test.question != question or (test.hidden and not info.show_hidden):
            continue
        shown.append(
            {
                "name": test.name,
                "hidden": test.hidden,
                "passed": test.passed,
                "note": test.note.strip(),
                "message": "\n".join(test.message.strip().splitlines()[-6:])
                if not test.passed
                else "",
            }
        )
    return shown


def _rubric_lines(mark: Mark | None, rubric: Rubric | None) -> list[dict[str, Any]]:
    if mark is None or rubric is None:
        return []
    return [
        {"points": item.points, "text": item.description}
        for item in rubric.items
        if item.id in mark.items
    ]


def _answer(
    answers: Answers, notebook: dict | None, question: str, outputs: Mapping[str, list[dict]]
) -> str:
    """The answer cells (source as submitted) with the grading run's outputs, math as MathML."""
    cells = answers.cells(notebook, question)
    if missing := missing_answer_note(notebook, cells):
        return missing
    parts = []
    for cell in cells:
        parts.append(cell_html(cell, with_outputs=False))
        shown = [output_html(o) for o in outputs.get(str(cell.get("id")), [])]
        if cell.get("cell_type") == "code" and any(shown):
            parts.append('<div class="run-outputs"><p class="label">Output of the grading run</p>')
            parts += shown
            parts.append("</div>")
    return mathml("".join(parts))


def prepare() -> None:
    """Compile the page's template now (``api`` does it while the first notebooks grade)."""
    template_environment().get_template(TEMPLATE)


def page_html(
    *,
    title: str,
    student: str,
    origin: str,
    result: GradeResult,
    info: AutograderInfo,
    grade: Standing,
    manual: list[Question],
    marks: Mapping[str, Mark | None],
    rubrics: Mapping[str, Rubric | None],
    answers: Answers | None,
    notebook: dict | None,
    outputs: Mapping[str, list[dict]],
    log: str | None,
) -> str:
    """One student's feedback page (see the module's docstring for what makes it safe)."""
    scored = result.status in SCORED
    scores = {q.name: q.score for q in result.questions}
    questions: list[dict[str, Any]] = []
    for name in sorted(info.questions, key=_natural):
        questions.append(
            {
                "name": name,
                "kind": "autograded",
                "score": scores.get(name, 0.0) if scored else 0.0,
                "possible": info.questions[name],
                "tests": _tests(result, info, name) if scored else [],
            }
        )
    for question in manual:
        mark = marks.get(question.name)
        rubric = rubrics.get(question.name)
        score = mark.score if mark is not None else None
        questions.append(
            {
                "name": question.name,
                "kind": "by hand",
                "score": score,
                "possible": question.points,
                "negative": rubric is not None and rubric.scoring == "negative",
                "base": rubric.max_points if rubric is not None else question.points,
                "rubric_items": _rubric_lines(mark, rubric) if score is not None else [],
                "adjustment": mark.adjustment if mark and score is not None else 0.0,
                "reason": mark.reason if mark else "",
                "comment": mark.comment.strip() if mark and score is not None else "",
                "answer": _answer(answers, notebook, question.name, outputs) if answers else "",
            }
        )
    questions.sort(key=lambda q: _natural(q["name"]))  # the notebook's order, as students read
    css, _ = page_style()
    return render_template(
        TEMPLATE,
        csp=page_csp(),
        css=css,
        title=title,
        student=student,
        origin=origin,
        grade=grade,
        status=result.status,
        reason=result.reason,
        held=result.status in SCORED and result.status != GRADED,
        stopped=[cell.describe() for cell in result.stopped],
        totals_rule=info.totals_rule,
        autograded_possible=info.possible,
        show_hidden=info.show_hidden,
        questions=questions,
        log=log,
    )


# -- every student's files ------------------------------------------------------------------


def _info(book: Gradebook, autograder: str) -> AutograderInfo:
    """The autograder as recorded; for a gradebook that recorded none and whose zip is gone,
    its questions as the results list them (totals are then plain sums)."""
    info = recorded_autograder(book)
    if info is not None:
        return info
    possible: dict[str, float] = {}
    for row in book.rows(autograder):
        result = book.result(row.sha256, autograder) if row.sha256 else None
        for q in result.questions if result else ():
            possible[q.name] = q.possible
    return AutograderInfo(Path(), autograder, None, possible, show_hidden=False)


def _first_mark(marks: dict[str, Mark], keys: tuple[str, ...]) -> Mark | None:
    return next((marks[k] for k in keys if k in marks), None)


def refresh_feedback(
    out_dir: Path,
    assignment: Assignment | None,
    *,
    policy: LatePolicy | None = None,
    only: set[str] | None = None,
) -> int:
    """(Re)write ``feedback/<stem>.txt`` and ``.html`` of every graded submission in ``out_dir``
    from its gradebook; returns how many submissions' files were written.

    ``assignment`` brings the hand-graded questions, their rubrics and the answers (None: the
    autograded part only, as ``grade`` without a known assignment writes it). ``policy`` is the
    late policy the grade is computed with (None: no penalty). ``only`` limits the rewrite to
    those submission hashes (plus any whose HTML file is missing: a run killed before writing it).
    """
    book_path = out_dir / "gradebook.sqlite"
    if not book_path.is_file():
        raise MissingInput(f"{book_path}: no gradebook (run `python -m grading grade` first)")
    with Gradebook(book_path) as book:
        autograder = book.latest_autograder()
        info = _info(book, autograder)
        if assignment is not None:
            questions = assignment.questions()
        else:
            questions = [Question(n, p, False, ()) for n, p in info.questions.items()]
        manual = [q for q in questions if q.manual]
        grades, _ = compute_grades(book, questions, policy=policy, autograder=info)
        by_key = {key: g for g in grades for key in g.gradebook_keys}
        marks = {q.name: book.marks(q.name) for q in manual}
        rubrics = {q.name: book.rubric(q.name) for q in manual}
        answers = Answers(assignment) if assignment is not None and manual else None
        paths = book.feedback_paths(autograder)
        title = info.assignment or (assignment.name if assignment else info.path.name)
        written = 0
        for row in book.rows(autograder):
            relative = paths.get(row.sha256) if row.sha256 else None
            if not relative:
                continue
            text_path = out_dir / relative
            html_path = text_path.with_suffix(".html")
            if only is not None and row.sha256 not in only and html_path.is_file():
                continue
            result = book.result(row.sha256, autograder)
            if result is None:
                continue
            grade = by_key.get(row.student or row.origin)
            keys = grade.gradebook_keys if grade else (row.student,)
            student_marks = {q: _first_mark(marks[q], keys) for q in marks}
            now = standing(grade, row, info, manual, assignment is not None)
            submission = Submission(Path(), row.origin, row.student, row.sha256, "gradebook")
            text = f"{now.line()}\n{feedback_text(submission, result, info)}"
            if manual and now.chosen:
                section = hand_graded_section(manual, student_marks, rubrics)
                text = f"{text.rstrip(chr(10))}\n\n{section}"
            notebook = load_submission(out_dir, row.sha256) if answers else None
            outputs = book.run_outputs(row.sha256) if answers else {}  # the grading run's
            page = page_html(
                title=title, student=row.student, origin=row.origin, result=result, info=info,
                grade=now, manual=manual if now.chosen else [], marks=student_marks,
                rubrics=rubrics, answers=answers, notebook=notebook, outputs=outputs,
                log=_log(out_dir, row) if info.show_stdout else None,
            )  # fmt: skip
            atomic_write(text_path, text)
            atomic_write(html_path, page)
            written += 1
    return written


def _log(out_dir: Path, row: GradedRow) -> str | None:
    """The grading log a student may see when the assignment says so (``show_stdout``)."""
    if not row.log_path:
        return None
    try:
        return (out_dir / row.log_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
