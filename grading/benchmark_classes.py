"""``python -m grading benchmark --suite classes``: what an instructor waits for with real classes.

Complete notebooks (every answer given: the reference answers mixed with the answer corpus's
correct alternatives, so students differ), graded the way instructors grade: ``python -m
grading grade`` as a command, start-up included. All in one run on one machine: the floor (the
cells executed bare in a warm process, one notebook at a time), the ceiling (the floor on every
core at once, measured), sequential ``otter run``, then the rows: one notebook cold (no service
running) and warm (the service's workers already up), each class size cold and then warm, the
smallest class on this host without containers (``--engine local``). Each row is compared with
`otter run`, the floor and the ceiling, and has its seconds per phase from its own worker logs
(cells, tests, the channel the tests call the student's functions through) and what its wall
time spends outside the worker.
``--write FILE`` replaces the table between the markers in FILE: no number typed by hand.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .assignments import Assignment
from .audit import ALTERNATIVE, load_corpus
from .benchmark import Measurement, time_ceiling, time_floor, time_otter_run
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
    ceiling: float  # the ceiling for as many notebooks (measured wall per notebook x count)
    workers: int = 1  # `grade`'s workers: one per core, no more than notebooks
    phases: Mapping[str, float] = field(default_factory=dict)  # medians over the row's logs

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def per_notebook(self) -> float:
        return self.wall / self.notebooks

    @property
    def outside(self) -> float | None:
        """Seconds per notebook a worker is not grading it: the workers' time the wall holds
        (wall x workers) per notebook, less the worker's median total (start-up, the host's
        side, a worker waiting for its next notebook); None without the workers' logs."""
        total = self.phases.get("total")
        return None if total is None else self.wall * self.workers / self.notebooks - total

    def cells(self) -> list[str]:
        runs = ", ".join(f"{w:.1f}" for w in self.walls)
        return [self.label, str(self.notebooks), f"{self.wall:.1f}", runs,
                f"{self.per_notebook:.2f}", f"{self.otter / self.wall:.1f}x",
                f"{self.wall / self.floor:.2f}x", f"{self.wall / self.ceiling:.2f}x"]  # fmt: skip

    def phase_cells(self, names: list[str]) -> list[str]:
        outside = "–" if self.outside is None else f"{self.outside:.3f}"
        return [self.label, str(self.workers),
                *(f"{self.phases[n]:.3f}" if n in self.phases else "–" for n in names),
                outside]  # fmt: skip


HEADER = ["what", "notebooks", "wall s (median)", "runs", "s / notebook",
          "vs sequential otter run", "vs floor", "vs ceiling"]  # fmt: skip
OUTSIDE = "outside the worker (s / notebook)"


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


def phases(*outs: Path) -> dict[str, float]:
    """Median seconds per phase over the logs of the runs in ``outs`` (the worker's last log
    line), in the order the worker writes them."""
    found: dict[str, list[float]] = {}
    for log in sorted(log for out in outs for log in (out / "logs").glob("*.log")):
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
    timed on the first ``otter_notebooks`` of the small class (all of it by default), the floor
    and the ceiling on all of it."""
    cores = os.cpu_count() or 1  # `grade` runs one worker per core
    with tempfile.TemporaryDirectory(prefix="bench-classes-") as tmp:
        root = Path(tmp)
        paths = complete_class(assignment, max(sizes), root / "class")
        small = paths[: min(sizes)]
        bare = time_floor(small, assignment.autograder_zip)
        floor = bare.median
        top = time_ceiling(small, assignment.autograder_zip, cores)
        ceiling = top.per_submission
        sample = small[:otter_notebooks] if otter_notebooks else small
        otter = time_otter_run(sample, assignment.autograder_zip).median
        print_fn(f"floor {floor:.3f} s (median of {len(small)}), ceiling {ceiling:.3f} s per"
                 f" notebook ({len(small)} on {cores} cores in {top.wall:.2f} s, each"
                 f" {top.median:.3f} s meanwhile), sequential otter run {otter:.2f} s per"
                 f" notebook (median of {len(sample)})")  # fmt: skip
        rows: list[Row] = []

        def row(label: str, chosen: list[Path], eng: str, cold: bool, least: int = 1) -> None:
            walls: list[float] = []
            outs: list[Path] = []
            for _ in range(max(runs, least)):
                if cold:
                    stop_service(eng)
                outs.append(root / f"out-{len(rows)}-{len(walls)}")
                walls.append(time_grade(assignment.autograder_zip, chosen, outs[-1], eng))
            n = len(chosen)
            rows.append(Row(label, n, tuple(walls), otter * n, floor * n, ceiling * n,
                            min(cores, n), phases(*outs)))  # fmt: skip
            print_fn(" | ".join(rows[-1].cells()))

        row("one notebook, cold (no warm workers)", paths[:1], engine, cold=True)
        time_grade(
            assignment.autograder_zip, paths[2:3], root / "warm-up", engine
        )  # the warm command line
        row("one notebook, warm", paths[1:2], engine, cold=False, least=3)
        for size in sizes:
            row(f"class of {size}, cold", paths[:size], engine, cold=True)
            row(f"class of {size}, warm", paths[:size], engine, cold=False)  # its workers up
        local = f"class of {min(sizes)}, this host without containers (local), cold"
        row(local, small, "local", cold=True)
    table = "\n".join(report(rows, bare, top, otter, len(sample), runs))
    print_fn(table)
    if write is not None:
        write_table(write, table)
    return rows


def report(rows: list[Row], bare: Measurement, top: Measurement, otter: float, timed: int,
           runs: int) -> list[str]:  # fmt: skip
    """The table and what stands under it, every number from the measurements."""
    floor, ceiling, small = bare.median, top.per_submission, len(bare.seconds)
    by_most = sorted(rows, key=lambda r: -len(r.phases))  # the worker's order, from a full line
    names = list(dict.fromkeys(name for r in by_most for name in r.phases))
    busy = next((r for r in rows if r.label == f"class of {small}, warm"), None)
    total = busy.phases.get("total") if busy else None
    drawn = statistics.median(bare.drawn) if bare.drawn else 0.0
    busy_line = (
        f"A worker busy per notebook (the warm class of {small}, the worker's median total):"
        f" {total:.3f} s = {total / floor:.2f}x the floor (the target: at most 1.3x), tests"
        f" {busy.phases.get('tests', 0.0):.3f} s of it."
        if busy and total is not None
        else f"A worker busy per notebook: no worker log of the warm class of {small} says."
    )
    if busy and total is not None and drawn:
        busy_line += (
            f" Drawing the figures of the hand-graded cells, which the grading run keeps for the"
            f" graders, takes {drawn:.3f} s of a bare process (median): against the floor with"
            f" them drawn ({floor + drawn:.3f} s) the worker is busy"
            f" {total / (floor + drawn):.2f}x."
        )
    return [
        *markdown_table(HEADER, [r.cells() for r in rows]),
        "",
        f"Medians of {runs} run(s). Per complete notebook (medians, class of {small}): floor"
        f" {floor:.3f} s (one at a time); sequential `otter run` {otter:.2f} s (of {timed}).",
        "",
        f"Ceiling on this machine, measured: the floor on its {top.workers} cores at once (a"
        " warm process per core taking the next notebook, as `grade`'s workers do) ran the"
        f" class of {small} in {top.wall:.2f} s, {ceiling:.3f} s of wall time per notebook ="
        f" {otter / ceiling:.1f}x sequential `otter run`; meanwhile a notebook took"
        f" {top.median:.3f} s (median), {top.median / floor:.2f}x the floor alone (1.00x: the"
        " cores scale).",
        "",
        busy_line,
        "",
        "Seconds per phase in the worker (medians over each row's logs) and outside it (the"
        " row's wall x its workers / notebooks, less the worker's total: start-up, the host's"
        " side, waiting):",
        "",
        *markdown_table(["what", "workers", *names, OUTSIDE], [r.phase_cells(names) for r in rows]),
        "",
        "Where the floor goes (median seconds per cell): " + _costliest(bare.by_cell, floor) + ".",
    ]


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
