"""Questions the warm engine could not grade faithfully, graded again by ``otter run``.

A test that hands one of its own objects to the student's code (a matplotlib Axes to draw on, an
instance of a class the test defines) cannot do so across the two processes of the warm engine:
the worker names such questions (``GradeResult.unfaithful``). So that no score differs silently
from ``otter run``'s, the submission is graded once more by ``otter run`` in the same kind of
sandbox, and those questions take its scores, saying so. A submission flagged ``tampered`` keeps
its warm scores: ``otter run`` runs the tests in the student's kernel, where tampering wins.
"""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

from .model import GRADED, GradeResult
from .results import read_result
from .sandbox import Engine, Limits, otter_engine_like


def regrade_unfaithful(
    result: GradeResult,
    sandbox: Engine,
    image: str | None,
    autograder_zip: Path,
    submission: Path,
    scratch: Path,
    limits: Limits,
    owner: str = "",
    files: Mapping[str, Path] | None = None,
) -> GradeResult:
    """``result`` with its unfaithful questions scored as ``otter run`` scores them."""
    if not result.unfaithful or result.status != GRADED:
        return result
    otter = otter_engine_like(sandbox)
    image = image or getattr(sandbox, "image", None)  # the grading service's own image
    folder = scratch.with_name(f"{scratch.name}-otter-{uuid.uuid4().hex[:6]}")
    try:
        run = otter.run_submission(image, autograder_zip, submission, folder, limits, owner, files)
        reference = read_result(
            run, folder, engine=otter.name, isolation=otter.isolation, timeout=limits.timeout
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    names = sorted(result.unfaithful)
    if reference.status != GRADED:
        note = f"{', '.join(names)}: otter run could not grade them again ({reference.reason})"
        return dataclasses.replace(result, reason="; ".join(filter(None, [result.reason, note])))
    scores = {q.name: q for q in reference.questions}
    questions = [scores.get(q.name, q) if q.name in result.unfaithful else q
                 for q in result.questions]  # fmt: skip
    tests = [t for t in result.tests if t.question not in result.unfaithful] + [
        t for t in reference.tests if t.question in result.unfaithful
    ]
    kinds = sorted({kind for name in names for kind in result.unfaithful[name]})
    note = (f"{', '.join(names)} graded by otter run: the tests hand the student's code "
            f"{', '.join(kinds)}, which cannot reach the student process")  # fmt: skip
    reason = "; ".join(filter(None, [result.reason, note]))
    return dataclasses.replace(result, questions=questions, tests=tests, reason=reason)
