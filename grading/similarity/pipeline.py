"""The similarity report's stages in order, and the parallel fingerprinting of a class."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..assignments import Assignment
from .answers import ClassAnswers, QuestionCells, read_class
from .fingerprint import answer_fingerprints
from .index import QuestionEvidence, question_evidence
from .rank import Ranking, rank_pairs
from .report import write_csv, write_html
from .settings import Settings


@dataclass
class SimilaritySummary:
    """What a run wrote and found, for the command line and for tests."""

    html: Path
    csv: Path
    students: int
    pairs: int  # pairs that share counted evidence (rows of the CSV)
    flagged: int
    groups: int
    problems: list[str] = field(default_factory=list)


def write_similarity_report(
    out_dir: Path,
    assignment: Assignment,
    *,
    settings: Settings = Settings(),  # noqa: B008 (frozen: safe as a default)
    workers: int | None = None,
) -> SimilaritySummary:
    """Compare every student's answers in a ``grade`` folder; write similarity.csv and .html."""
    answers = read_class(out_dir, assignment)
    evidence, ranking = compare(answers, settings, workers=workers)
    html, table = out_dir / "similarity.html", out_dir / "similarity.csv"
    write_csv(table, answers, ranking)
    write_html(
        html, f"{assignment.name}: similarity of answers", answers, evidence, ranking, settings
    )
    return SimilaritySummary(
        html=html,
        csv=table,
        students=len(answers.participants) - 1,
        pairs=len(ranking.score),
        flagged=int(ranking.flagged.sum()),
        groups=len(ranking.groups),
        problems=answers.problems,
    )


def compare(
    answers: ClassAnswers, settings: Settings, *, workers: int | None = None
) -> tuple[list[QuestionEvidence], Ranking]:
    """Fingerprint every answer (in parallel processes), index them, rank the pairs."""
    questions = answers.questions
    texts = [[p.answers.get(q.name, "") for q in questions] for p in answers.participants]
    hashes = _fingerprint_all(texts, questions, settings, workers or os.cpu_count() or 1)
    evidence = []
    for number, question in enumerate(questions):
        skeleton = answer_fingerprints(question.skeleton, question.kind, settings).hashes
        evidence.append(
            question_evidence(
                question.name, [row[number] for row in hashes], skeleton, settings.max_share
            )
        )
    ranking = rank_pairs(
        evidence,
        len(answers.participants),
        min_similarity=settings.min_similarity,
        outlier_spreads=settings.outlier_spreads,
    )
    return evidence, ranking


def _fingerprint_rows(
    rows: list[list[str]], questions: list[QuestionCells], settings: Settings
) -> list[list[np.ndarray]]:
    """The unique fingerprint hashes of each participant's answers (a worker's share)."""
    return [
        [
            np.unique(answer_fingerprints(t, q.kind, settings).hashes)
            for t, q in zip(row, questions, strict=True)
        ]
        for row in rows
    ]


def _fingerprint_all(
    texts: list[list[str]], questions: list[QuestionCells], settings: Settings, workers: int
) -> list[list[np.ndarray]]:
    if workers <= 1 or len(texts) < 64:
        return _fingerprint_rows(texts, questions, settings)
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        repeat = len(chunks)
        parts = pool.map(_fingerprint_rows, chunks, [questions] * repeat, [settings] * repeat)
        return [row for part in parts for row in part]
