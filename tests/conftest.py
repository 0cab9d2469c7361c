"""Shared fixtures: the repository's assignment and its committed distributions."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from grading.assignments import Assignment, Question, discover
from grading.otter_run import otter_run
from grading.sandbox import ContainerEngine, LocalEngine
from grading.sandbox.image import ensure_image
from grading.web.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def assignment() -> Assignment:
    (derivatives,) = [
        a for a in discover(ROOT / "master", ROOT / "dist") if a.name == "derivatives"
    ]
    return derivatives


@pytest.fixture(scope="session")
def questions(assignment: Assignment) -> list[Question]:
    return assignment.questions()


@pytest.fixture(scope="session")
def autograded(questions: list[Question]) -> list[Question]:
    return [q for q in questions if not q.manual]


@pytest.fixture(scope="session")
def student_nb(assignment: Assignment) -> nbformat.NotebookNode:
    return nbformat.read(assignment.student_notebook, as_version=4)


@pytest.fixture(scope="session")
def autograder_nb(assignment: Assignment) -> nbformat.NotebookNode:
    return nbformat.read(assignment.autograder_notebook, as_version=4)


@pytest.fixture(scope="session")
def otter_scores(assignment) -> dict[str, dict[str, float]]:
    """`otter run` on the reference notebook, the untouched student notebook and the samples:
    the scores every other way of grading must reproduce."""
    submissions = {
        "reference": assignment.autograder_notebook,
        "student": assignment.student_notebook,
        **{p.name: p for p in sorted(assignment.samples_dir.glob("*.ipynb"))},
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            k: pool.submit(otter_run, p, assignment.autograder_zip) for k, p in submissions.items()
        }
        return {k: f.result() for k, f in futures.items()}


IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def podman() -> ContainerEngine:
    """The podman engine; in CI its absence is a failure, never a skip."""
    engine = ContainerEngine.find("podman")
    if engine is None:
        missing_tool("podman is not installed or cannot run containers")
    return engine


@pytest.fixture(scope="session")
def grading_image(podman) -> str:
    return ensure_image(podman)


@pytest.fixture(scope="session")
def local_engine() -> LocalEngine:
    return LocalEngine.find()


@pytest.fixture(scope="session")
def graded_samples(assignment, podman, grading_image, tmp_path_factory) -> tuple[str, Path]:
    """The samples graded as an instructor does: `python -m grading grade` in podman."""
    out = tmp_path_factory.mktemp("graded")
    command = [
        sys.executable, "-m", "grading", "grade", "--engine", "podman",
        "--autograder", str(assignment.autograder_zip), "--out", str(out),
        str(assignment.samples_dir),
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, out


def missing_tool(why: str):
    """Skip on a developer's machine; in CI a missing browser or engine is a failure."""
    if IN_CI:
        pytest.fail(f"{why}: CI must install it")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright, in a throwaway profile."""
    if importlib.util.find_spec("playwright") is None:
        missing_tool("the playwright package is not installed")
    if not CHROMIUM.exists():
        missing_tool(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            device_scale_factor=1,
        )
        try:
            yield context
        finally:
            context.close()
