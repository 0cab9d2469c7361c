"""Stage 5: ``similarity.csv`` (every pair) and ``similarity.html`` (the pairs worth a look).

The page shows two answers side by side with the shared regions marked, lists the questions
that contributed, and says what it is: a lead for a person to review, never a verdict. Every
piece of student text goes through the template's autoescaping; the page loads nothing (no
script at all, its one stylesheet inline and allowed by hash in its own Content-Security-Policy),
so it works offline and a student's answer cannot run in the reader's browser.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_write
from ..templating import STATIC, render
from .answers import ClassAnswers, QuestionCells
from .fingerprint import answer_fingerprints
from .index import QuestionEvidence
from .rank import Ranking
from .settings import Settings

NEAR_MISS_QUESTIONS = 3  # questions shown side by side for a pair below the threshold
CSV_COLUMNS = ["rank", "student_a", "student_b", "score", "flagged", "group", "questions"]


@dataclass(frozen=True)
class Segment:
    text: str
    shared: bool


def write_csv(path: Path, answers: ClassAnswers, ranking: Ranking) -> None:
    """One row per pair that shares counted evidence, best first; absent pairs share nothing."""
    names = [p.name for p in answers.participants]
    group_of = _group_numbers(ranking)
    flagged = ranking.flagged.tolist()
    first = ranking.first.tolist()
    rows = zip(
        range(1, len(flagged) + 1),
        (names[a] for a in first),
        (names[b] for b in ranking.second.tolist()),
        (f"{score:.4f}" for score in ranking.score.tolist()),
        ("yes" if f else "no" for f in flagged),
        (group_of.get(a, "") if f else "" for a, f in zip(first, flagged, strict=True)),
        ranking.questions.all_names(),
        strict=True,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    atomic_write(path, buffer.getvalue())


def _group_numbers(ranking: Ranking) -> dict[int, int]:
    return {member: n for n, group in enumerate(ranking.groups, 1) for member in group}


def marked(text: str, spans: np.ndarray) -> list[Segment]:
    """``text`` cut into segments, those covered by ``spans`` (start, end) marked as shared."""
    segments, position = [], 0
    for start, end in _merged(spans):
        if start > position:
            segments.append(Segment(text[position:start], False))
        segments.append(Segment(text[max(start, position) : end], True))
        position = max(position, end)
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def _merged(spans: np.ndarray) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(map(tuple, spans.tolist())):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _side_by_side(
    question: QuestionCells, evidence: QuestionEvidence, left: str, right: str, settings: Settings
) -> tuple[list[Segment], list[Segment]]:
    """Both answers, each with the fingerprints that count and that the other holds marked."""
    fl = answer_fingerprints(left, question.kind, settings)
    fr = answer_fingerprints(right, question.kind, settings)
    common = np.intersect1d(fl.hashes, fr.hashes)
    common = common[evidence.weight_of(common) > 0]
    return (
        marked(left, fl.spans[np.isin(fl.hashes, common)]),
        marked(right, fr.spans[np.isin(fr.hashes, common)]),
    )


def write_html(
    path: Path,
    title: str,
    answers: ClassAnswers,
    evidence: list[QuestionEvidence],
    ranking: Ranking,
    settings: Settings,
) -> None:
    """The page: what it is, the threshold, groups, ranked pairs, answers side by side."""
    names = [p.name for p in answers.participants]
    by_question = {q.name: q for q in answers.questions}
    evidence_of = {e.question: e for e in evidence}
    flagged = int(ranking.flagged.sum())
    shown = min(flagged + settings.near_misses, settings.max_shown, len(ranking.score))
    group_of = _group_numbers(ranking)
    pairs = []
    for rank in range(shown):
        a, b = int(ranking.first[rank]), int(ranking.second[rank])
        details = []
        contributing = ranking.questions.of(rank)
        limit = settings.questions_shown if ranking.flagged[rank] else NEAR_MISS_QUESTIONS
        for question, share in contributing[:limit]:
            left_text = answers.participants[a].answers.get(question, "")
            right_text = answers.participants[b].answers.get(question, "")
            left, right = _side_by_side(
                by_question[question], evidence_of[question], left_text, right_text, settings
            )
            details.append({"question": question, "share": share, "left": left, "right": right})
        pairs.append(
            {
                "rank": rank + 1,
                "a": names[a],
                "b": names[b],
                "origin_a": answers.participants[a].origin,
                "origin_b": answers.participants[b].origin,
                "score": float(ranking.score[rank]),
                "flagged": bool(ranking.flagged[rank]),
                "group": group_of.get(a) if ranking.flagged[rank] else None,
                "details": details,
                "questions": [q for q, _ in contributing],
                "more": max(len(contributing) - limit, 0),
            }
        )
    groups = [
        {"number": n, "members": [names[m] for m in group]}
        for n, group in enumerate(ranking.groups, 1)
    ]
    style = (STATIC / "similarity.css").read_text()
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    page = render(
        "similarity.html.j2",
        title=title,
        style=style,
        style_hash=f"sha256-{digest}",
        participants=len(names),
        students=len(names) - 1,
        questions=[q.name for q in answers.questions],
        threshold=ranking.threshold.describe(settings.outlier_spreads),
        pairs=pairs,
        flagged=flagged,
        total_pairs=len(ranking.score),
        groups=groups,
        problems=answers.problems,
        settings=[
            (name, getattr(settings, name), text) for name, text in Settings.describe().items()
        ],
    )
    atomic_write(path, page)
