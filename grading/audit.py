"""``python -m grading audit``: do the tests tell right from wrong?

The corpus is data a person reads and extends: ``master/<name>/corpus/<question>/`` holds one
file per answer, ``ok-*.py`` for a correct answer written differently from the master and
``bug-*.py`` for a mistake students really make. The file is the whole answer cell; its first
comment line says what it is. Each answer goes into the reference notebook in place of that
question's answer cell and the notebook is graded through the pipeline: a correct answer must
get every point, a mistake must lose that question's points and only that question's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .api import grade
from .assignments import Assignment
from .errors import MissingInput, UsageError
from .gradebook import Gradebook
from .model import sha256_file
from .notebooks import answer_cell_ids, fill_answers, reference_submission
from .sandbox import Engine, Limits

ALTERNATIVE, MISTAKE = "alternative", "mistake"
KIND_BY_PREFIX = {"ok": ALTERNATIVE, "bug": MISTAKE}
MIN_PER_QUESTION = {ALTERNATIVE: 2, MISTAKE: 3}


@dataclass(frozen=True)
class CorpusAnswer:
    question: str
    kind: str
    path: Path

    @property
    def label(self) -> str:
        return self.path.stem

    @property
    def description(self) -> str:
        first = self.path.read_text().splitlines()[:1]
        return first[0].lstrip("# ").strip() if first and first[0].startswith("#") else ""

    @property
    def notebook_name(self) -> str:
        return f"{self.question}--{self.label}.ipynb"


@dataclass(frozen=True)
class Verdict:
    answer: CorpusAnswer
    own_score: float
    possible: float
    collateral: dict[str, float]  # other questions that lost points: name -> points lost

    @property
    def ok(self) -> bool:
        if self.collateral:
            return False
        if self.answer.kind == ALTERNATIVE:
            return self.own_score == self.possible
        return self.own_score == 0

    @property
    def word(self) -> str:
        if self.answer.kind == ALTERNATIVE:
            word = "accepted" if self.own_score == self.possible else "REJECTED"
        else:
            word = "caught" if self.own_score == 0 else "SURVIVED"
        if self.collateral:
            word += " +COLLATERAL(" + ", ".join(sorted(self.collateral)) + ")"
        return word


def load_corpus(corpus_dir: Path, questions: set[str]) -> list[CorpusAnswer]:
    """Every answer file, checked: known question, known kind, not empty."""
    if not corpus_dir.is_dir():
        raise MissingInput(f"{corpus_dir}: no corpus folder")
    answers = []
    for path in sorted(corpus_dir.glob("*/*.py")):
        question, prefix = path.parent.name, path.stem.split("-", 1)[0]
        if question not in questions:
            raise UsageError(f"{path}: {question} is not an autograded question of this assignment")
        if prefix not in KIND_BY_PREFIX:
            raise UsageError(f"{path}: name it ok-*.py (correct) or bug-*.py (mistake)")
        if not path.read_text().strip():
            raise UsageError(f"{path}: empty answer")
        answers.append(CorpusAnswer(question, KIND_BY_PREFIX[prefix], path))
    return answers


def coverage_gaps(answers: list[CorpusAnswer], questions: list[str]) -> list[str]:
    gaps = []
    for question in questions:
        for kind, minimum in MIN_PER_QUESTION.items():
            count = sum(a.question == question and a.kind == kind for a in answers)
            if count < minimum:
                gaps.append(f"{question}: {count} {kind}s (at least {minimum})")
    return gaps


def write_notebooks(assignment: Assignment, answers: list[CorpusAnswer], folder: Path) -> None:
    """One notebook per answer: the reference submission with that answer cell replaced."""
    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    reference = reference_submission(student, autograder)
    cells = {
        q.name: answer_cell_ids(autograder, q.solution_cell_ids) for q in assignment.questions()
    }
    folder.mkdir(parents=True, exist_ok=True)
    for answer in answers:
        (cell_id,) = cells[answer.question]
        notebook = fill_answers(reference, {cell_id: answer.path.read_text()})
        nbformat.write(notebook, folder / answer.notebook_name)


def judge(
    answers: list[CorpusAnswer],
    notebooks: Path,
    gradebook: Path,
    autograder_sha256: str,
    possible: dict[str, float],
) -> list[Verdict]:
    verdicts = []
    with Gradebook(gradebook) as book:
        scores_of = {
            answer: book.question_scores(sha256_file(notebooks / answer.notebook_name),
                                         autograder_sha256)
            for answer in answers
        }  # fmt: skip
    for answer in answers:
        scores = scores_of[answer]
        collateral = {
            q: points - scores.get(q, 0.0)
            for q, points in possible.items()
            if q != answer.question and scores.get(q, 0.0) < points
        }
        verdicts.append(
            Verdict(answer, scores.get(answer.question, 0.0), possible[answer.question], collateral)
        )
    return verdicts


def report(verdicts: list[Verdict], gaps: list[str]) -> str:
    lines = []
    for kind in (MISTAKE, ALTERNATIVE):
        title = "question x mistake" if kind == MISTAKE else "question x correct alternative"
        lines.append(title)
        by_question: dict[str, list[Verdict]] = {}
        for v in verdicts:
            if v.answer.kind == kind:
                by_question.setdefault(v.answer.question, []).append(v)
        for question, row in by_question.items():
            cells = "  ".join(f"{v.answer.label}: {v.word}" for v in row)
            lines.append(f"  {question:<6} {cells}")
        lines.append("")
    mistakes = [v for v in verdicts if v.answer.kind == MISTAKE]
    alternatives = [v for v in verdicts if v.answer.kind == ALTERNATIVE]
    lines.append(
        f"{len(mistakes)} mistakes: {sum(v.ok for v in mistakes)} caught, "
        f"{sum(not v.ok for v in mistakes)} survived or cost other questions; "
        f"{len(alternatives)} correct alternatives: {sum(v.ok for v in alternatives)} accepted, "
        f"{sum(not v.ok for v in alternatives)} rejected"
    )
    lines += [f"coverage gap: {gap}" for gap in gaps]
    return "\n".join(lines)


def run_audit(
    assignment: Assignment,
    out_dir: Path,
    *,
    engine: str | Engine = "auto",
    mode: str = "warm",
    workers: int | None = None,
    limits: Limits | None = None,
) -> tuple[list[Verdict], list[str]]:
    """Grade every corpus answer and judge it; resumable through the gradebook in ``out_dir``."""
    autograded = {q.name: q.points for q in assignment.questions() if not q.manual}
    answers = load_corpus(assignment.master_dir / "corpus", set(autograded))
    notebooks = out_dir / "notebooks"
    write_notebooks(assignment, answers, notebooks)
    grade(
        [notebooks],
        assignment.autograder_zip,
        out_dir,
        engine=engine,
        mode=mode,
        workers=workers,
        limits=limits,
    )
    verdicts = judge(
        answers,
        notebooks,
        out_dir / "gradebook.sqlite",
        sha256_file(assignment.autograder_zip),
        autograded,
    )
    return verdicts, coverage_gaps(answers, list(autograded))
