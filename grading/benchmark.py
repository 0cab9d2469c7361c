"""``python -m grading benchmark``: seconds per submission for each way of grading.

Grades the same N varied submissions (correct, partly wrong, untouched, crashing, and one that
never finishes) with sequential ``otter run`` and with this pipeline on every available engine,
in one run on one machine, and prints medians, 95th percentiles, wall time and peak memory.
"""

from __future__ import annotations

import contextlib
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .api import grade
from .assignments import Assignment
from .gradebook import Gradebook
from .notebooks import fill_answers
from .otter_run import otter_run
from .sandbox import ContainerEngine, Engine, Limits, LocalEngine
from .sandbox.image import ensure_image

CRASHING_ANSWER = "import os\nos._exit(1)  # the kernel dies here\n"
LOOPING_ANSWER = "while True:\n    pass\n"


@dataclass
class Measurement:
    label: str
    seconds: list[float]  # per submission
    wall: float  # for all of them
    peak_memory_mb: float
    workers: int

    def row(self) -> str:
        ordered = sorted(self.seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        median = statistics.median(ordered)
        return (
            f"{self.label:<28}{self.workers:>8}{median:>10.2f}{p95:>10.2f}"
            f"{self.wall:>10.1f}{self.wall / len(self.seconds):>12.2f}{self.peak_memory_mb:>10.0f}"
        )


HEADER = (
    f"{'how':<28}{'workers':>8}{'median s':>10}{'p95 s':>10}{'wall s':>10}"
    f"{'wall s/sub':>12}{'peak MB':>10}"
)


def make_corpus(assignment: Assignment, n: int, folder: Path) -> list[Path]:
    """N submissions cycling through the samples plus a crashing and a looping variant."""
    student = nbformat.read(assignment.student_notebook, as_version=4)
    first_answer = next(
        c.id for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])
    )
    variants = {
        p.stem: nbformat.read(p, as_version=4) for p in assignment.samples_dir.glob("*.ipynb")
    }
    variants["crashing"] = fill_answers(student, {first_answer: CRASHING_ANSWER})
    kinds = sorted(variants)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        kind = "looping" if i == n - 1 else kinds[i % len(kinds)]
        nb = (
            fill_answers(student, {first_answer: LOOPING_ANSWER})
            if kind == "looping"
            else variants[kind]
        )
        nb.metadata["benchmark_copy"] = i  # distinct bytes: nothing is skipped as already graded
        path = folder / f"s{i:03d}-{kind}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def time_otter_run(submissions: list[Path], zip_path: Path) -> Measurement:
    seconds = []
    started = time.monotonic()
    for path in submissions:
        t0 = time.monotonic()
        with contextlib.suppress(Exception):  # a crash or a timeout still cost its time
            otter_run(path, zip_path, timeout=LIMITS.timeout)
        seconds.append(time.monotonic() - t0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Measurement("otter run (sequential)", seconds, time.monotonic() - started, peak, 1)


def time_pipeline(
    label: str, engine: Engine, submissions: list[Path], zip_path: Path, workers: int
) -> Measurement:
    with tempfile.TemporaryDirectory(prefix="bench-") as out:
        started = time.monotonic()
        grade(submissions, zip_path, Path(out), engine=engine, workers=workers, limits=LIMITS)
        wall = time.monotonic() - started
        with Gradebook(Path(out) / "gradebook.sqlite") as book:
            rows = book.db.execute("SELECT seconds, peak_memory_mb FROM results").fetchall()
    seconds = [s for s, _ in rows]
    peak = max((m for _, m in rows), default=0.0)
    return Measurement(label, seconds, wall, peak, workers)


LIMITS = Limits(timeout=30)


def available_engines() -> list[tuple[str, Callable[[], Engine]]]:
    found: list[tuple[str, Callable[[], Engine]]] = []
    for name in ("podman", "docker"):
        engine = ContainerEngine.find(name)
        if engine is not None:
            found.append((name, lambda engine=engine: engine))
    found.append(("local", LocalEngine.find))
    return found


def run_benchmark(
    assignment: Assignment, n: int, workers: int, print_fn=print
) -> list[Measurement]:
    zip_path = assignment.autograder_zip
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        submissions = make_corpus(assignment, n, Path(tmp))
        kinds = ", ".join(sorted({p.stem.split("-", 1)[1] for p in submissions}))
        print_fn(f"{n} submissions ({kinds}), timeout {LIMITS.timeout:g} s")
        print_fn(HEADER)
        results.append(time_otter_run(submissions, zip_path))
        print_fn(results[-1].row())
        for name, make in available_engines():
            engine = make()
            if engine.isolation == "container":
                ensure_image(engine)
            for count in sorted({1, workers}):
                results.append(
                    time_pipeline(f"pipeline: {name}", engine, submissions, zip_path, count)
                )
                print_fn(results[-1].row())
    return results
