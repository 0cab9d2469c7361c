"""Session fixtures of the Otter-compatibility suite: every suite built once, its `otter run`
references (from the committed cache), and its submissions graded once by the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from grading.api import grade
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


def grade_suite(built: Built, out: Path, engine: WarmEngine) -> dict[str, Outcome]:
    """One `grade` call for every graded submission of a suite, read back from the gradebook."""
    paths = [built.path(s.name) for s in built.graded]
    grade(paths, built.autograder_zip, out, engine=engine)
    with Gradebook(out / "gradebook.sqlite") as book:
        return {
            submission_name(row.origin): Outcome(row.status, row.questions, row.score, row.reason)
            for row in book.rows(book.latest_autograder())
        }


@pytest.fixture(scope="session")
def pipeline_outcomes(
    built_suites, podman, grading_image, tmp_path_factory
) -> Callable[[str], dict[str, Outcome]]:
    """Per suite, graded on first use and shared by every test after (the warm engine)."""
    done: dict[str, dict[str, Outcome] | str] = {}

    def outcomes(name: str) -> dict[str, Outcome]:
        if name not in done:
            out = tmp_path_factory.mktemp(f"compat-{name}")
            try:
                done[name] = grade_suite(built_suites[name], out, WarmEngine(podman))
            except Exception as error:  # every test of the suite reports it, grading it once
                done[name] = f"`grade` raised {type(error).__name__}: {error}"
        result = done[name]
        if isinstance(result, str):
            pytest.fail(f"{name}: {result}")
        return result

    return outcomes
