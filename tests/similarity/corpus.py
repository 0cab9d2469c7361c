"""The similarity test corpus: 60 honest students, 12 disguised copies, 1 copied solution.

Built deterministically from committed sources: the answer corpus's ``ok-*.py`` alternatives
and ``bug-*.py`` mistakes (``master/<name>/corpus/``), the hand-written answers of
``written_answers.yaml`` and the reference solution. Names are shuffled, so nothing in a name
or in the order of the class tells a copy from its source.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from grading.assignments import Assignment
from grading.similarity.answers import REFERENCE, question_cells, reference_participant
from grading.similarity.synthetic import (
    Alternatives,
    SyntheticStudent,
    disguise,
    honest_students,
    load_alternatives,
)

WRITTEN = Path(__file__).with_name("written_answers.yaml")
SEED = 16
HONEST = 60
ALL_CODE = ("renamed variables", "reordered functions", "comments and prints", "changed whitespace")


@dataclass(frozen=True)
class CopySpec:
    """One copier: whose notebook (an honest student's index), how it is disguised."""

    source: int
    disguises: tuple[str, ...]
    inlined: tuple[str, ...] = ()  # questions whose helper the copier inlined (written_answers)
    reworded: tuple[str, ...] = ()  # questions whose derivation the copier reworded
    mistake: str | None = None  # a question whose answer the copier changed to a mistake


COPIES = [
    CopySpec(2, ("renamed variables",)),
    CopySpec(6, ("reordered functions",)),
    CopySpec(10, ("comments and prints",)),
    CopySpec(14, ("changed whitespace",)),
    CopySpec(18, ("renamed variables",), inlined=("q4b",)),
    CopySpec(22, ("reordered functions",), inlined=("q8c",)),
    CopySpec(26, ("comments and prints",), mistake="q10"),
    CopySpec(30, ("changed whitespace",), reworded=("q4a",)),
    CopySpec(34, ALL_CODE),
    CopySpec(38, ALL_CODE, reworded=("q9_derivation",), mistake="q1c"),
    # Two copies of one notebook: a group of three that share one source.
    CopySpec(42, ("renamed variables", "comments and prints")),
    CopySpec(42, ("reordered functions", "changed whitespace"), reworded=("q6b",)),
]
SOLUTION_DISGUISES = ("comments and prints", "changed whitespace")


@dataclass(frozen=True)
class Corpus:
    students: list[SyntheticStudent]
    copied: set[frozenset[str]]  # every pair of names that share a source (the truth)
    solution_copy: str  # the student who handed in the reference solution

    @property
    def honest(self) -> list[str]:
        return [s.name for s in self.students if s.copied_from is None]


def build_corpus(assignment: Assignment) -> Corpus:
    written_file = yaml.safe_load(WRITTEN.read_text())
    alternatives = load_alternatives(assignment, written_file["written"])
    questions = question_cells(assignment)
    rng = random.Random(SEED)
    honest = honest_students(alternatives, HONEST, rng, prefix="h")
    # A copier can only inline a helper or reword a text the source actually wrote.
    for spec in COPIES:
        forced = {q: written_file["inlined"][q] for q in spec.inlined}
        forced |= {q: written_file["reworded"][q] for q in spec.reworded}
        for question, by_label in forced.items():
            (label,) = by_label
            source = honest[spec.source]
            text = _alternative(alternatives, question, label)
            honest[spec.source] = SyntheticStudent(source.name, {**source.answers, question: text})
    copies = []
    for number, spec in enumerate(COPIES, 1):
        replaced = {q: next(iter(written_file["inlined"][q].values())) for q in spec.inlined}
        replaced |= {q: next(iter(written_file["reworded"][q].values())) for q in spec.reworded}
        if spec.mistake:
            replaced[spec.mistake] = rng.choice(alternatives.mistakes[spec.mistake])
        label = tuple(f"helper inlined ({q})" for q in spec.inlined)
        label += tuple(f"derivation reworded ({q})" for q in spec.reworded)
        label += (f"one answer a mistake ({spec.mistake})",) if spec.mistake else ()
        copies.append(
            disguise(
                honest[spec.source],
                f"c{number}",
                spec.disguises,
                questions,
                rng,
                replaced=replaced,
                label=label,
            )  # fmt: skip
        )
    reference = reference_participant(assignment, questions)
    solution = disguise(
        SyntheticStudent(REFERENCE, dict(reference.answers)), "solution", SOLUTION_DISGUISES,
        questions, rng,
    )  # fmt: skip
    students = _shuffled_names([*honest, *copies, solution], rng)
    return _with_truth(students)


def _alternative(alternatives: Alternatives, question: str, label: str) -> str:
    labels = alternatives.labels[question]
    return alternatives.correct[question][labels.index(label)]


def _shuffled_names(students: list[SyntheticStudent], rng: random.Random) -> list[SyntheticStudent]:
    """Every student renamed ``studentNNN`` in a shuffled order, sources followed."""
    numbers = list(range(1, len(students) + 1))
    rng.shuffle(numbers)
    names = {s.name: f"student{n:03d}" for s, n in zip(students, numbers, strict=True)}
    names[REFERENCE] = REFERENCE
    return [
        SyntheticStudent(
            names[s.name], s.answers, names[s.copied_from] if s.copied_from else None, s.disguises
        )
        for s in students
    ]


def _with_truth(students: list[SyntheticStudent]) -> Corpus:
    copied: set[frozenset[str]] = set()
    by_source: dict[str, list[str]] = {}
    for student in students:
        if student.copied_from:
            by_source.setdefault(student.copied_from, []).append(student.name)
    for source, names in by_source.items():
        members = [source, *names]
        copied |= {frozenset((a, b)) for a in members for b in members if a < b}
    (solution,) = by_source[REFERENCE]
    return Corpus(students, copied, solution)
