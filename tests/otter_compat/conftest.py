"""Session fixtures of the Otter-compatibility suite: every suite built once, its `otter run`
references (from the committed cache), and its submissions graded once by the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from grading.api import grade, recorded_autograder
from grading.gradebook import Gradebook
from grading.sandbox import WarmEngine

from .reference import Reference, references
from .suites import SUITES, Built


@dataclass(frozen=True)
class Outcome:
    """What the pipeline's gradebook says about one submission."""

    status: str
    questions: dict[str, float]
    score: float
    reason: str


@pytest.fixture(scope="session")
def built_suites() -> dict[str, Built]:
    return {name: suite.build() for name, suite in SUITES.items()}


@pytest.fixture(scope="session")
def suite_references(built_suites) -> dict[str, dict[str, Reference]]:
    """Per suite, per submission: `otter run`'s result (cached; a miss runs it, not in CI)."""
    return {name: references(built) for name, built in built_suites.items()}


def submission_name(origin: str) -> str:
    """The submitted file's name from a gradebook origin ("x.zip!nb.ipynb" -> "x.zip")."""
    return Path(origin.split("!", 1)[0]).name


def grade_suite(
    built: Built, out: Path, engine: WarmEngine, workers: int | None = None
) -> dict[str, Outcome]:
    """One `grade` call for every graded submission of a suite, read back from the gradebook."""
    paths = [built.path(s.name) for s in built.graded]
    grade(paths, built.autograder_zip, out, engine=engine, workers=workers)
    with Gradebook(out / "gradebook.sqlite") as book:
        info = recorded_autograder(book)  # Otter's total: points_possible, score_threshold
        return {
            submission_name(row.origin): Outcome(
                row.status, row.questions, info.total(row.score), row.reason
            )
            for row in book.rows(book.latest_autograder())
        }


@pytest.fixture(scope="session")
def pipeline_outcomes(
    request, built_suites, podman, grading_image, tmp_path_factory
) -> Callable[[str], dict[str, Outcome]]:
    """Per suite, the pipeline's outcomes: every selected suite graded once, on first use.

    A worker's start costs seconds and every suite has its own autograder, hence its own
    workers: two suites are graded at a time, one worker each, so that one suite's start
    overlaps another's grading (largest suites first).
    """
    selected = {
        item.callspec.params["suite"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_pipeline_grades_like_otter_run"
    }
    done: dict[str, dict[str, Outcome] | str] = {}

    def grade_one(name: str) -> dict[str, Outcome] | str:
        out = tmp_path_factory.mktemp(f"compat-{name}")
        try:
            return grade_suite(built_suites[name], out, WarmEngine(podman), workers=1)
        except Exception as error:  # every test of the suite reports it, grading it once
            return f"`grade` raised {type(error).__name__}: {error}"

    def outcomes(name: str) -> dict[str, Outcome]:
        if name not in done:
            todo = sorted(selected | {name}, key=lambda n: -len(built_suites[n].graded))
            with ThreadPoolExecutor(max_workers=2) as pool:
                done.update(zip(todo, pool.map(grade_one, todo), strict=True))
        result = done[name]
        if isinstance(result, str):
            pytest.fail(f"{name}: {result}")
        return result

    return outcomes
