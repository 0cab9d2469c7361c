"""``python -m grading benchmark --suite classes``: what an instructor waits for with real classes.

Complete notebooks (every answer given: the reference answers mixed with the answer corpus's
correct alternatives, so students differ), graded the way instructors grade: ``python -m
grading grade`` as a command, start-up included. Rows, all in one run on one machine: the floor
(the cells executed bare in a warm process), sequential ``otter run``, one notebook cold (no
service running) and warm (the service's workers already up), a class of 30 cold and warm and
of 200 cold, the same 30 on this host without containers (``--engine local``), the seconds per
phase the worker logs (cells, tests, the channel the tests call the student's functions
through), and the ceiling the floor sets on this machine's cores.
``--write FILE`` replaces the table between the markers in FILE: no number typed by hand.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import Assignment
from .audit import ALTERNATIVE, load_corpus
from .benchmark import time_floor, time_otter_run
from .errors import UsageError
from .files import atomic_write
from .notebooks import answer_cell_ids, fill_answers, reference_submission
from .sandbox.image import DEBIAN_BASE
from .sandbox.service import address_of
from .sandbox.worker.grader import PHASES_LABEL

START, END = "<!-- benchmark:classes:start -->", "<!-- benchmark:classes:end -->"


@dataclass(frozen=True)
class Row:
    label: str
    notebooks: int
    walls: tuple[float, ...]  # seconds for all of them per run, the command's start-up included
    otter: float  # sequential `otter run` for as many notebooks (measured median x count)
    floor: float  # the floor for as many notebooks (measured median x count)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def per_notebook(self) -> float:
        return self.wall / self.notebooks

    def cells(self) -> list[str]:
        runs = ", ".join(f"{w:.1f}" for w in self.walls)
        return [self.label, str(self.notebooks), f"{self.wall:.1f}", runs,
                f"{self.per_notebook:.2f}", f"{self.otter / self.wall:.1f}x",
                f"{self.wall / self.floor:.2f}x"]  # fmt: skip


HEADER = ["what", "notebooks", "wall s (median)", "runs", "s / notebook",
          "vs sequential otter run", "vs floor"]  # fmt: skip


def complete_class(assignment: Assignment, count: int, folder: Path) -> list[Path]:
    """``count`` complete notebooks: student i answers each question with the reference or one
    of its correct alternatives, in turn, so no two students hand in the same bytes."""
    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    reference = reference_submission(student, autograder)
    questions = [q for q in assignment.questions() if not q.manual]
    corpus = load_corpus(assignment.master_dir / "corpus", {q.name for q in questions})
    choices: dict[str, list[str | None]] = {q.name: [None] for q in questions}
    for answer in corpus:
        if answer.kind == ALTERNATIVE:
            choices[answer.question].append(answer.path.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        answers = {}
        for j, q in enumerate(questions):
            options = choices[q.name]
            source = options[(i + j) % len(options)]
            if source is not None:
                (cell,) = answer_cell_ids(autograder, q.solution_cell_ids)
                answers[cell] = source
        nb = fill_answers(reference, answers)
        nb.metadata["benchmark_student"] = i
        path = folder / f"student{i:03d}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def stop_service(engine: str) -> None:
    """No warm workers and no warm command line: what a first `grade` of the day meets, made
    the way an instructor makes it (``python -m grading service stop``)."""
    command = [sys.executable, "-m", "grading", "service", "stop"]
    subprocess.run(command, capture_output=True, text=True, timeout=180, check=True)
    address = address_of(engine, DEBIAN_BASE)
    deadline = time.monotonic() + 60
    while address.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def time_grade(autograder_zip: Path, paths: list[Path], out: Path, engine: str) -> float:
    """Seconds of ``python -m grading grade`` on ``paths``, its start-up included."""
    command = [sys.executable, "-m", "grading", "grade", "--engine", engine,
               "-a", str(autograder_zip), "-o", str(out), *map(str, paths)]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"grade failed: {proc.stderr[-2000:]}")
    return wall


def phases(out: Path) -> dict[str, float]:
    """Median seconds per phase over the run's logs (the worker's last log line)."""
    found: dict[str, list[float]] = {}
    for log in (out / "logs").glob("*.log"):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(PHASES_LABEL):
                for item in line.removeprefix(PHASES_LABEL).split(","):
                    name, _, seconds = item.strip().rpartition(" ")
                    found.setdefault(name, []).append(float(seconds))
    return {name: statistics.median(values) for name, values in found.items()}


def run_classes(
    assignment: Assignment,
    sizes: tuple[int, ...] = (30, 200),
    engine: str = "auto",
    print_fn: Callable[[str], None] = print,
    write: Path | None = None,
    runs: int = 1,
    otter_notebooks: int | None = None,
) -> list[Row]:
    """Each row is graded ``runs`` times (its median is the one the ratios use); `otter run` is
    timed on the first ``otter_notebooks`` of the small class (all of it by default)."""
    with tempfile.TemporaryDirectory(prefix="bench-classes-") as tmp:
        root = Path(tmp)
        paths = complete_class(assignment, max(sizes), root / "class")
        small = paths[: min(sizes)]
        bare = time_floor(small, assignment.autograder_zip)
        floor = bare.median
        sample = small[:otter_notebooks] if otter_notebooks else small
        otter = time_otter_run(sample, assignment.autograder_zip).median
        print_fn(f"floor {floor:.3f} s (median of {len(small)}), sequential otter run"
                 f" {otter:.2f} s per notebook (median of {len(sample)})")  # fmt: skip
        rows: list[Row] = []
        per_phase: dict[str, float] = {}

        def row(label: str, chosen: list[Path], eng: str, cold: bool, least: int = 1) -> Path:
            walls: list[float] = []
            out = root
            for _ in range(max(runs, least)):
                if cold:
                    stop_service(eng)
                out = root / f"out-{len(rows)}-{len(walls)}"
                walls.append(time_grade(assignment.autograder_zip, chosen, out, eng))
            n = len(chosen)
            rows.append(Row(label, n, tuple(walls), otter * n, floor * n))
            print_fn(" | ".join(rows[-1].cells()))
            return out

        row("one notebook, cold (no warm workers)", paths[:1], engine, cold=True)
        time_grade(
            assignment.autograder_zip, paths[2:3], root / "warm-up", engine
        )  # the warm command line
        row("one notebook, warm", paths[1:2], engine, cold=False, least=3)
        for size in sizes:
            out = row(f"class of {size}, cold", paths[:size], engine, cold=True)
            if size == min(sizes):
                per_phase = phases(out)
                row(f"class of {size}, warm", paths[:size], engine, cold=False)
        local = f"class of {min(sizes)}, this host without containers (local), cold"
        row(local, small, "local", cold=True)
    tests = per_phase.get("tests", 0.0)
    cores = os.cpu_count() or 1  # `grade` runs one worker per core
    lines = [
        *markdown_table(HEADER, [r.cells() for r in rows]),
        "",
        f"Medians of {runs} run(s). Per complete notebook (medians, class of {min(sizes)}):"
        f" floor {floor:.3f} s; sequential `otter run` {otter:.2f} s (of {len(sample)});"
        " in the warm worker "
        + ", ".join(f"{k} {v:.3f} s" for k, v in per_phase.items())
        + f"; tests = {tests / floor:.2f}x the floor.",
        "",
        "Where the floor goes (median seconds per cell): " + _costliest(bare.by_cell, floor) + ".",
        "",
        f"Ceiling on this machine ({cores} cores, a worker each): the cells alone cost the"
        f" floor, so no engine grades a complete notebook in under {floor / cores:.2f} s of"
        f" wall time, {otter * cores / floor:.1f}x sequential `otter run`, before any test"
        " runs or any worker starts.",
    ]
    table = "\n".join(lines)
    print_fn(table)
    if write is not None:
        write_table(write, table)
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows)]  # fmt: skip


def _costliest(by_cell: dict[str, float], floor: float, shown: int = 3) -> str:
    ranked = sorted(by_cell.items(), key=lambda item: -item[1])
    rest = sum(cost for _, cost in ranked[shown:])
    named = [f"{name} {cost:.3f} s" for name, cost in ranked[:shown]]
    return "; ".join([*named, f"the other {len(ranked[shown:])} cells {rest:.3f} s together"]) + (
        f" (the floor, a whole notebook: {floor:.3f} s)"
    )


def write_table(
    doc: Path, table: str, start: str = START, end: str = END, suite: str = "classes"
) -> None:
    """Replace what stands between the markers in ``doc``."""
    text = doc.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise UsageError(f"{doc}: no {start} ... {end} markers to write the table between")
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    stamp = time.strftime("%Y-%m-%d")
    note = f"<!-- written by `python -m grading benchmark --suite {suite}` on {stamp} -->"
    atomic_write(doc, f"{head}{start}\n{note}\n{table}\n{end}{tail}")
