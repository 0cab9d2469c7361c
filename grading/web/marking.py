"""The hand-grading service behind the web pages: who is in the queue, what a page shows, and
every change, all through ``Gradebook`` methods (no SQL here, no HTTP either).

The queue is computed once when the app starts, as ``export`` picks submissions (the latest
of each student): a page then reads one answer and one mark, never the whole class.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..assignments import Assignment, Question
from ..errors import GradingError
from ..feedback import refresh_feedback
from ..gradebook import Gradebook, LogEntry, Mark, Rubric, ScoreChange
from ..lms.grades import compute_grades
from ..lms.late import LatePolicy
from ..manual import Answers, load_submission
from .rubrics import FILE_NAME, default_rubric, read_rubrics, write_rubrics

SYSTEM = "rubrics.yaml"  # the "grader" of changes the app makes by itself


class NotFound(GradingError):
    """An id in a URL or request that names nothing here."""


@dataclass(frozen=True)
class Entry:
    """One student's answer sheet in the queue: shown by its number unless names are on."""

    number: int
    student: str  # the gradebook key manual scores are stored under
    origin: str
    sha256: str
    name: str


@dataclass(frozen=True)
class Progress:
    question: Question
    graded: int
    submitted: int


class Marking:
    """One gradebook folder opened for hand grading."""

    def __init__(
        self, out_dir: Path, assignment: Assignment, rubric_file: Path | None = None
    ) -> None:
        book_path = out_dir / "gradebook.sqlite"
        if not book_path.is_file():
            raise GradingError(f"{book_path}: no gradebook (run `python -m grading grade` first)")
        self.out_dir = out_dir
        self.assignment = assignment
        self.rubric_file = rubric_file or assignment.master_dir / FILE_NAME
        questions = assignment.questions()
        self.questions = {q.name: q for q in questions if q.manual}
        points = {name: q.points for name, q in self.questions.items()}
        specs = read_rubrics(self.rubric_file, points)  # a broken file stops us here
        self.answers = Answers(assignment)
        self.book = Gradebook(book_path)
        self.notices: list[str] = []
        for name, question in self.questions.items():
            from_file = specs.get(name)
            spec = default_rubric(question.points) if from_file is None else from_file
            created = self.book.ensure_rubric(
                name, question.points, spec.scoring, list(spec.items), SYSTEM
            )
            if (
                not created
                and from_file is not None
                and not _same(self.book.rubric(name), from_file)
            ):
                self.notices.append(
                    f"{name}: the gradebook's rubric differs from {self.rubric_file.name};"
                    " the gradebook's is used (answers refer to its items). Write the rubrics"
                    " back to update the file."
                )
        self.entries = self._queue(questions)
        self.by_number = {e.number: e for e in self.entries}
        self._prompts: dict[str, str] = {}
        self._rendered: OrderedDict[tuple[str, str], str] = OrderedDict()

    def close(self) -> None:
        self.book.close()

    def _queue(self, questions: list[Question]) -> list[Entry]:
        grades, _ = compute_grades(self.book, questions)
        autograder = self.book.latest_autograder()
        sha = {(r.student or r.origin, r.origin): r.sha256 for r in self.book.rows(autograder)}
        names = {k: (v.get("name") or "") for k, v in self.book.students().items()}
        chosen = [
            (g.gradebook_keys[0], g.origin, sha.get((g.gradebook_keys[0], g.origin), ""))
            for g in grades
            if g.origin is not None and g.gradebook_keys
        ]
        numbers = self.book.anonymous_numbers([student for student, _, _ in chosen])
        entries = [
            Entry(numbers[s], s, origin, sha256, names.get(s) or s) for s, origin, sha256 in chosen
        ]
        return sorted(entries, key=lambda e: e.number)

    # -- reading ------------------------------------------------------------------------------

    def question(self, name: str) -> Question:
        if name not in self.questions:
            raise NotFound(f"no hand-graded question {name!r} in {self.assignment.name}")
        return self.questions[name]

    def entry(self, number: int) -> Entry:
        if number not in self.by_number:
            raise NotFound(f"no answer sheet #{number} (there are {len(self.entries)})")
        return self.by_number[number]

    def progress(self) -> list[Progress]:
        scored = self.book.scored_pairs()
        students = {e.student for e in self.entries}
        return [
            Progress(q, sum(1 for s in students if (s, name) in scored), len(students))
            for name, q in self.questions.items()
        ]

    def progress_of(self, question: str) -> Progress:
        graded = {s for s, q in self.book.scored_pairs() if q == question}
        students = {e.student for e in self.entries}
        return Progress(self.question(question), len(graded & students), len(students))

    def rubric(self, question: str) -> Rubric:
        rubric = self.book.rubric(self.question(question).name)
        assert rubric is not None  # made for every manual question when the app started
        return rubric

    def prompt_html(self, question: str) -> str:
        if question not in self._prompts:
            self._prompts[question] = self.answers.prompt_html(question)
        return self._prompts[question]

    def answer_html(self, question: str, entry: Entry) -> str:
        """The rendered answer, kept for the last 512 pages (moving back and forth is free)."""
        key = (entry.sha256, question)
        if key in self._rendered:
            self._rendered.move_to_end(key)
            return self._rendered[key]
        notebook = load_submission(self.out_dir, entry.sha256)
        run = self.book.run_outputs(entry.sha256) if entry.sha256 else {}
        html = self.answers.answer_html(notebook, question, run)
        self._rendered[key] = html
        if len(self._rendered) > 512:
            self._rendered.popitem(last=False)
        return html

    def mark(self, question: str, entry: Entry) -> Mark:
        return self.book.mark(entry.student, question)

    def marks(self, question: str) -> dict[str, Mark]:
        return self.book.marks(self.question(question).name)

    def item_counts(self, question: str) -> dict[int, int]:
        return self.book.rubric_item_counts(question)

    def history(self, question: str, entry: Entry, limit: int = 8) -> list[LogEntry]:
        return self.book.hand_grading_log(question, entry.student, limit=limit)

    def neighbours(self, entry: Entry) -> tuple[int | None, int | None]:
        index = self.entries.index(entry)
        before = self.entries[index - 1].number if index > 0 else None
        after = self.entries[index + 1].number if index + 1 < len(self.entries) else None
        return before, after

    def next_ungraded(self, question: str, after: int = 0) -> Entry | None:
        """The first answer without a score after number ``after``, wrapping around."""
        scored = {s for s, q in self.book.scored_pairs() if q == question}
        ordered = [e for e in self.entries if e.number > after] + [
            e for e in self.entries if e.number <= after
        ]
        return next((e for e in ordered if e.student not in scored), None)

    # -- changing -----------------------------------------------------------------------------

    def change_mark(
        self, question: str, entry: Entry, grader: str, version: int, **change
    ) -> tuple[Mark, ScoreChange | None]:
        self.question(question)
        return self.book.change_mark(entry.student, question, grader, version, **change)

    def add_item(self, question: str, points: float, description: str, grader: str):
        return self.book.add_rubric_item(self.question(question).name, points, description, grader)

    def edit_item(self, question: str, item_id: int, version: int, grader: str, **change):
        self._item_of(question, item_id)
        return self.book.edit_rubric_item(item_id, version, grader, **change)

    def delete_item(self, question: str, item_id: int, version: int, grader: str):
        self._item_of(question, item_id)
        return self.book.delete_rubric_item(item_id, version, grader)

    def move_item(self, question: str, item_id: int, offset: int, grader: str) -> Rubric:
        self._item_of(question, item_id)
        return self.book.move_rubric_item(item_id, offset, grader)

    def set_scoring(self, question: str, scoring: str, version: int, grader: str) -> Rubric:
        return self.book.set_rubric_scoring(self.question(question).name, scoring, version, grader)

    def _item_of(self, question: str, item_id: int) -> None:
        if self.rubric(question).item(item_id) is None:
            raise NotFound(f"{question} has no rubric item {item_id}")

    # -- files --------------------------------------------------------------------------------

    def write_rubrics(self) -> Path:
        """The gradebook's rubrics back into the rubric file (kept in git, reused next term)."""
        write_rubrics(self.rubric_file, [self.rubric(q) for q in self.questions])
        return self.rubric_file

    def write_feedback(self, policy: LatePolicy | None = None) -> int:
        """Every graded submission's feedback files (.txt and .html) rewritten with the
        hand-graded part as it stands (``grading.feedback.refresh_feedback``)."""
        return refresh_feedback(self.out_dir, self.assignment, policy=policy)


def _same(rubric: Rubric | None, spec) -> bool:
    if rubric is None:
        return False
    items = tuple((i.points, i.description) for i in rubric.items)
    return rubric.scoring == spec.scoring and items == tuple(spec.items)
