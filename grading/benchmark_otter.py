"""``python -m grading benchmark --suite otter``: other instructors' assignments, warm engine
against sequential ``otter run``.

Each assignment is an autograder zip with notebooks (``--case LABEL=ZIP:FOLDER``, e.g. the
OK-format fixtures ``tests/otter_compat`` builds after Otter's own) or an Otter Assign master
(``--master FOLDER``, built here; its class is the student notebook holding the reference
answers). A class of ``--class-size`` distinct notebooks (copies that differ by one comment
cell) is graded by ``python -m grading grade`` cold (no service running) and warm (its workers
up), ``--runs`` times each; sequential ``otter run`` is timed on ``--otter-notebooks`` of them
and counted for the whole class; the floor (its cells bare, one notebook at a time) and the
ceiling (the floor on every core at once) on all of them. The seconds per phase are the warm
runs' workers'. ``--write FILE`` replaces the table between the markers.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import discover
from .benchmark import time_ceiling, time_floor, time_otter_run
from .benchmark_classes import markdown_table, phases, stop_service, time_grade, write_table
from .build import build
from .errors import UsageError
from .notebooks import reference_submission

START, END = "<!-- benchmark:otter:start -->", "<!-- benchmark:otter:end -->"
HEADER = ["assignment", "notebooks", "grade, cold (s)", "grade, warm (s)",
          "s / notebook, warm", "sequential otter run (s / notebook)", "floor (s / notebook)",
          "ceiling (s / notebook)", "warm vs otter run", "cold vs otter run", "warm vs floor",
          "cold vs floor", "warm vs ceiling", "cold vs ceiling"]  # fmt: skip


@dataclass(frozen=True)
class Case:
    label: str
    autograder_zip: Path
    notebooks: list[Path]


@dataclass(frozen=True)
class Result:
    case: Case
    size: int
    cold: tuple[float, ...]
    warm: tuple[float, ...]
    otter: float  # seconds per notebook, median
    phases: dict[str, float]  # medians over the warm runs' logs
    floor: float  # seconds per notebook, median, one at a time
    ceiling: float  # seconds of wall time per notebook, the floor on every core at once
    floor_busy: float  # a notebook's median while every core runs the floor

    def cells(self) -> list[str]:
        cold, warm = statistics.median(self.cold), statistics.median(self.warm)
        sequential, floor, ceiling = (x * self.size for x in (self.otter, self.floor, self.ceiling))
        return [self.case.label, str(self.size), _runs(self.cold), _runs(self.warm),
                f"{warm / self.size:.2f}", f"{self.otter:.2f}", f"{self.floor:.3f}",
                f"{self.ceiling:.3f}", f"{sequential / warm:.1f}x", f"{sequential / cold:.1f}x",
                f"{warm / floor:.2f}x", f"{cold / floor:.2f}x", f"{warm / ceiling:.2f}x",
                f"{cold / ceiling:.2f}x"]  # fmt: skip


def _runs(walls: tuple[float, ...]) -> str:
    return f"{statistics.median(walls):.1f} ({', '.join(f'{w:.1f}' for w in walls)})"


def parse_case(text: str) -> Case:
    """``LABEL=ZIP:FOLDER`` from the command line."""
    label, _, rest = text.partition("=")
    zip_text, _, folder_text = rest.partition(":")
    folder, zip_path = Path(folder_text), Path(zip_text)
    if not label or not zip_path.is_file() or not folder.is_dir():
        raise UsageError(f"--case {text!r}: expected LABEL=ZIP:FOLDER with both present")
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise UsageError(f"--case {text!r}: {folder} holds no notebook")
    return Case(label, zip_path, notebooks)


def master_case(master: Path, work: Path) -> Case:
    """An Otter Assign master folder (``<name>/<name>.ipynb``) built into ``work``; its class
    starts from the student notebook holding the reference answers."""
    root = work / "master"
    root.mkdir(parents=True)
    (root / master.name).symlink_to(master.resolve(), target_is_directory=True)
    (assignment,) = discover(root, work / "dist")
    build(assignment, run_tests=False)
    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    reference = work / "reference"
    reference.mkdir()
    path = reference / f"{assignment.name}.ipynb"
    nbformat.write(reference_submission(student, autograder), path)
    return Case(assignment.name, assignment.autograder_zip, [path])


def make_class(case: Case, size: int, folder: Path) -> list[Path]:
    """``size`` distinct notebooks: the case's in turn, each with a comment cell of its own
    (a student's copy: the gradebook keys results by content)."""
    folder.mkdir(parents=True)
    paths = []
    for i in range(size):
        nb = nbformat.read(case.notebooks[i % len(case.notebooks)], as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(f"# student {i}"))
        path = folder / f"student{i:03d}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def run_otter_suite(
    cases: list[Case],
    masters: list[Path],
    *,
    size: int = 30,
    runs: int = 3,
    otter_notebooks: int = 6,
    engine: str = "auto",
    write: Path | None = None,
    print_fn: Callable[[str], None] = print,
) -> list[Result]:
    results = []
    cores = os.cpu_count() or 1  # `grade` runs one worker per core
    with tempfile.TemporaryDirectory(prefix="bench-otter-") as tmp:
        root = Path(tmp)
        all_cases = list(cases) + [master_case(m, root / f"m{i}") for i, m in enumerate(masters)]
        for n, case in enumerate(all_cases):
            paths = make_class(case, size, root / f"class{n}")
            floor = time_floor(paths, case.autograder_zip).median
            top = time_ceiling(paths, case.autograder_zip, cores)
            otter = time_otter_run(paths[:otter_notebooks], case.autograder_zip).median
            cold, warm, warm_outs = [], [], []
            for run in range(runs):
                stop_service(engine)
                cold.append(time_grade(case.autograder_zip, paths, root / f"out{n}-cold{run}",
                                       engine))  # fmt: skip
                warm_outs.append(root / f"out{n}-warm{run}")
                warm.append(time_grade(case.autograder_zip, paths, warm_outs[-1], engine))
            results.append(Result(case, size, tuple(cold), tuple(warm), otter,
                                  phases(*warm_outs), floor, top.per_submission,
                                  top.median))  # fmt: skip
            print_fn(" | ".join(results[-1].cells()))
    lines = [
        *markdown_table(HEADER, [r.cells() for r in results]),
        "",
        f"Medians of {runs} run(s) (each run in brackets); `otter run` timed on"
        f" {otter_notebooks} notebooks of each class, its median counted for the whole class."
        " Warm: the same class graded again while the first run's workers are up (its"
        " results are not reused: a new output folder). Floor: the class's cells bare, one"
        f" notebook at a time (median); ceiling: the floor on the {cores} cores at once, wall"
        " time per notebook (a notebook's median meanwhile: "
        + "; ".join(f"{r.case.label} {r.floor_busy:.3f} s" for r in results)
        + "). Seconds per phase in the warm runs' workers (medians over their logs): "
        + "; ".join(
            f"{r.case.label}: "
            + (", ".join(f"{k} {v:.3f}" for k, v in r.phases.items()) or "no phase line")
            for r in results
        )
        + ".",
    ]
    table = "\n".join(lines)
    print_fn(table)
    if write is not None:
        write_table(write, table, START, END, "otter")
    return results
