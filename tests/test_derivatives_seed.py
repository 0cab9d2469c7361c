"""The derivatives assignment follows its seed notebook: every lettered part graded in order,
points by difficulty stars, written parts graded by hand."""

from __future__ import annotations

import re

import pytest

# Every lettered part of the seed notebook, in order (Exercises 9 and 10 have no letters).
SEED_PARTS = [
    "q1a", "q1b", "q1c", "q2a", "q2b", "q2c", "q2d", "q3a", "q3b", "q3c", "q3d",
    "q4a", "q4b", "q4c", "q4d", "q5a", "q5b", "q5c", "q5d", "q5e",
    "q6a", "q6b", "q6c", "q6d", "q7a", "q7b", "q7c", "q7d", "q8a", "q8b", "q8c", "q8d",
    "q9", "q10",
]  # fmt: skip
# Parts the issue requires to be graded by hand (derivations, proofs, explanations, figures).
MANUAL_PARTS = {"q3a", "q4a", "q4d", "q5b", "q6a", "q6b", "q6d", "q8a", "q8b", "q9", "q5e", "q8d"}
# Difficulty stars of each exercise in the seed.
STARS = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 3, 8: 3, 9: 3, 10: 3}


def exercise(name: str) -> int:
    return int(re.match(r"q(\d+)", name).group(1))


def part(name: str) -> str:
    """The lettered part a question grades: q4d_explain and q4d both grade part q4d."""
    return name.split("_")[0]


def test_every_seed_part_is_graded_in_order(questions):
    parts = list(dict.fromkeys(part(q.name) for q in questions))
    assert parts == SEED_PARTS


def test_points_follow_the_difficulty_stars(questions):
    per_exercise = {}
    for q in questions:
        per_exercise[exercise(q.name)] = per_exercise.get(exercise(q.name), 0) + q.points
    by_stars = {}
    for number, points in per_exercise.items():
        by_stars.setdefault(STARS[number], set()).add(points)
    assert all(len(values) == 1 for values in by_stars.values()), by_stars
    one, two, three = (by_stars[s].pop() for s in (1, 2, 3))
    assert one < two < three
    # Within 10% of strictly proportional weighting (1:2:3).
    assert two / one == pytest.approx(2, rel=0.1) and three / one == pytest.approx(3, rel=0.1)


def test_written_parts_are_manual_and_code_parts_autograded(questions):
    for required in MANUAL_PARTS:
        graded = [q for q in questions if part(q.name) == required]
        assert any(q.manual for q in graded), f"{required} needs a manually graded question"
    for q in questions:
        if part(q.name) not in MANUAL_PARTS:
            assert not q.manual, f"{q.name} has a code or number answer: autograde it"
