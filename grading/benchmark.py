"""``python -m grading benchmark``: seconds per submission for each way of grading.

Grades the same N varied submissions (correct, partly wrong, crashing, timing out) in one run on
one machine: sequential ``otter run``, per-submission containers running ``otter run`` (otter
mode), the warm engine, and the floor: bare execution of the same cells in a warm process
(``time_ceiling``, the floor on every core at once, serves the other suites).
Prints medians, 95th percentiles, wall time, peak memory and the ratios the targets are about.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import signal
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .api import grade
from .assignments import Assignment
from .audit import load_corpus, write_notebooks
from .gradebook import Gradebook
from .notebooks import fill_answers
from .otter_run import otter_run
from .sandbox import ContainerEngine, Engine, Limits, WarmEngine
from .sandbox.image import ensure_image

CRASHING_ANSWER = "import os\nos._exit(1)  # the kernel dies here\n"
LOOPING_ANSWER = "while True:\n    pass\n"
LIMITS = Limits(timeout=60, cell_timeout=5)


@dataclass
class Measurement:
    label: str
    seconds: list[float]  # per submission
    wall: float  # for all of them
    peak_memory_mb: float
    workers: int
    by_cell: dict[str, float] = field(default_factory=dict)  # floor only: median s per cell
    # floor only: per submission, the seconds drawing the kept cells' figures as the worker does
    # (not in ``seconds``: the floor stays the cells alone)
    drawn: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def per_submission(self) -> float:
        """Wall time per submission: what a class of N costs, divided by N."""
        return self.wall / len(self.seconds)

    def row(self) -> str:
        ordered = sorted(self.seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return (
            f"{self.label:<34}{self.workers:>8}{self.median:>10.2f}{p95:>10.2f}"
            f"{self.wall:>10.1f}{self.per_submission:>12.3f}{self.peak_memory_mb:>10.0f}"
        )


HEADER = (
    f"{'how':<34}{'workers':>8}{'median s':>10}{'p95 s':>10}{'wall s':>10}"
    f"{'wall s/sub':>12}{'peak MB':>10}"
)


def make_corpus(assignment: Assignment, n: int, folder: Path) -> list[Path]:
    """N submissions: the samples and the corpus answers in turn, 2% crashing, 1% timing out."""
    student = nbformat.read(assignment.student_notebook, as_version=4)
    first_answer = next(
        c.id for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])
    )
    corpus_dir = folder / "corpus"
    autograded = {q.name for q in assignment.questions() if not q.manual}
    write_notebooks(
        assignment, load_corpus(assignment.master_dir / "corpus", autograded), corpus_dir
    )
    variants = {p.stem: p for p in sorted(assignment.samples_dir.glob("*.ipynb"))}
    variants.update({p.stem: p for p in sorted(corpus_dir.glob("*.ipynb"))})
    kinds = sorted(variants)
    paths = []
    for i in range(n):
        if i % 100 == 99:
            kind, nb = "looping", fill_answers(student, {first_answer: LOOPING_ANSWER})
        elif i % 50 == 49:
            kind, nb = "crashing", fill_answers(student, {first_answer: CRASHING_ANSWER})
        else:
            kind = kinds[(i * 37) % len(kinds)]  # a stride that mixes samples and answers
            nb = nbformat.read(variants[kind], as_version=4)
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
            rows = [(r.seconds, r.peak_memory_mb) for r in book.rows(book.latest_autograder())]
    seconds = [s for s, _ in rows]
    peak = max((m for _, m in rows), default=0.0)
    return Measurement(label, seconds, wall, peak, workers)


def time_floor(submissions: list[Path], zip_path: Path) -> Measurement:
    """Bare execution of each notebook's code cells in a child forked from a warm process.

    No kernel, no Otter, no tests, no isolation: what the cells themselves cost. A cell gets
    the same time limit as in the pipeline. ``by_cell`` keeps each cell's median, named by the
    cell's id and first line: where the floor goes. The figures of the cells whose outputs the
    grading run keeps (hand-graded plots) are drawn as the worker draws them, timed apart
    (``drawn``): what keeping them costs at the least.
    """
    from .autograder import read_autograder

    keep = set(read_autograder(zip_path).keep_outputs or [])
    transform = _warm()
    seconds, peak, drawn = [], 0.0, []
    per_cell: dict[str, list[float]] = {}
    labels: dict[str, str] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        _unpack_files(zip_path, Path(tmp))
        for path in submissions:
            code, run = _bare_notebook(path, tmp, transform, keep)
            seconds.append(run.seconds)
            drawn.append(run.drawn)
            peak = max(peak, run.peak_memory_mb)
            for index, (cell, cost) in enumerate(zip(code, run.cells, strict=False)):
                cell_id = cell.get("id") or f"code cell {index + 1}"
                if cell_id not in per_cell:  # named after its first line in the first notebook
                    labels[cell_id] = (cell.source.strip().splitlines() or [""])[0][:40]
                per_cell.setdefault(cell_id, []).append(cost)
    by_cell = {f"{i} `{labels[i]}`": statistics.median(costs) for i, costs in per_cell.items()}
    return Measurement("floor: bare cells, warm process", seconds, time.monotonic() - started,
                       peak, 1, by_cell, drawn)  # fmt: skip


RESULTS = "bench-ceiling-results.json"  # a core's notebooks: index, seconds, peak MB


def time_ceiling(submissions: list[Path], zip_path: Path, cores: int | None = None) -> Measurement:
    """The floor on every core at once, measured: what this machine's cores can do at best.

    ``cores`` warm processes, forked from one warm parent (they share its imports as the
    workers' zygotes do), take the next notebook in turn as the pipeline's workers do, and run
    it as the floor does (a child forked per notebook, the cells bare). ``wall`` is the whole
    list's, so ``per_submission`` is the ceiling per notebook; ``seconds`` are each notebook's
    while every core runs (against the floor's alone: whether the cores scale).
    """
    cores = cores or os.cpu_count() or 1
    transform = _warm()
    with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as tmp:
        folders = [Path(tmp) / f"core{k}" for k in range(cores)]
        for folder in folders:  # a folder each: two notebooks at once write no file of the other
            folder.mkdir()
            _unpack_files(zip_path, folder)
        queue, feed = os.pipe()  # the notebooks' indices, 4 bytes each
        started = time.monotonic()
        pids = []
        for folder in folders:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - a core's warm process
                try:
                    os.close(feed)
                    _take_notebooks(submissions, queue, folder, transform)
                finally:
                    os._exit(1)
            pids.append(pid)
        os.close(queue)
        records = b"".join(i.to_bytes(4, "little") for i in range(len(submissions)))
        for chunk in range(0, len(records), 4096):  # <= PIPE_BUF: no record split between reads
            os.write(feed, records[chunk : chunk + 4096])
        os.close(feed)  # the end of the queue: each core's process exits at it
        failed = [pid for pid in pids if os.waitpid(pid, 0)[1] != 0]
        wall = time.monotonic() - started
        if failed:
            raise RuntimeError(f"ceiling: {len(failed)} of {cores} warm processes failed")
        done = [run for folder in folders for run in json.loads((folder / RESULTS).read_text())]
    if sorted(i for i, _, _ in done) != list(range(len(submissions))):
        raise RuntimeError("ceiling: a notebook was run twice or not at all")
    seconds = [s for _, s, _ in sorted(done)]
    peak = max((m for _, _, m in done), default=0.0)
    return Measurement(f"ceiling: the floor on {cores} cores at once", seconds, wall, peak, cores)


def _take_notebooks(
    submissions: list[Path], queue: int, folder: Path, transform: Callable[[str], str]
) -> None:  # pragma: no cover - a core's warm process
    """Run the next notebook from ``queue`` (4-byte indices) until it is empty, then exit."""
    done = []
    while record := os.read(queue, 4):
        index = int.from_bytes(record, "little")
        _, run = _bare_notebook(submissions[index], str(folder), transform)
        done.append((index, run.seconds, run.peak_memory_mb))
    (folder / RESULTS).write_text(json.dumps(done))
    os._exit(0)


@dataclass(frozen=True)
class BareRun:
    seconds: float  # the notebook, from the fork to the child's exit, less ``drawn``
    cells: list[float]  # each code cell's
    peak_memory_mb: float
    drawn: float = 0.0  # drawing the kept cells' figures


def _warm() -> Callable[[str], str]:
    """Make this process what the floor forks from: the worker's imports, frozen out of the
    collector's sight as the worker's zygote does. Returns IPython's cell transformer."""
    from IPython.core.inputtransformer2 import TransformerManager

    from .sandbox.worker.zygote import preload

    preload()
    import otter  # noqa: F401 - warm: the notebook's first cell imports it

    gc.collect()
    gc.freeze()  # as the worker's zygote does before it forks
    return TransformerManager().transform_cell


def _unpack_files(zip_path: Path, folder: Path) -> None:
    """The autograder zip's ``files/`` (the data the notebook reads) where the cells run."""
    with zipfile.ZipFile(zip_path) as archive:
        for member in archive.namelist():
            if member.startswith("files/") and not member.endswith("/"):
                target = folder / member.removeprefix("files/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))


def _bare_notebook(
    path: Path, folder: str, transform: Callable[[str], str], keep: set[str] = frozenset()
) -> tuple[list[nbformat.NotebookNode], BareRun]:
    """One notebook's code cells, run bare in a child forked from this (warm) process; the
    figures of the cells whose ids are in ``keep`` drawn after them, timed apart."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cells = [(transform(c.source), c.get("id") in keep) for c in code]
    report, report_in_child = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(report)
            _run_bare(cells, folder, report_in_child)
        finally:
            os._exit(1)
    os.close(report_in_child)
    with os.fdopen(report, "rb") as reported:
        got = json.loads(reported.read() or b"{}")
    _, _, usage = os.wait4(pid, 0)
    cell_seconds, drawn = got.get("cells", []), got.get("drawn", 0.0)
    seconds = time.monotonic() - t0 - drawn
    return code, BareRun(seconds, cell_seconds, usage.ru_maxrss / 1024, drawn)


def _run_bare(cells: list[tuple[str, bool]], folder: str, report: int) -> None:  # pragma: no cover
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.chdir(folder)
    import sys

    sys.path.insert(0, folder)

    def alarm(*_):
        raise TimeoutError

    signal.signal(signal.SIGALRM, alarm)
    from matplotlib._pylab_helpers import Gcf

    from .sandbox.worker.student import figure_png

    namespace: dict = {"__name__": "__main__"}
    cell_seconds, drawn = [], 0.0
    for source, kept in cells:
        before = {id(m.canvas.figure) for m in Gcf.get_all_fig_managers()}
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, LIMITS.cell_timeout)
        try:
            exec(compile(source, "<cell>", "exec"), namespace)
        except BaseException:  # noqa: BLE001 - a failing cell does not stop the notebook
            pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        cell_seconds.append(time.monotonic() - started)
        if kept:  # as the worker's student process, at the end of a kept cell
            started = time.monotonic()
            for manager in Gcf.get_all_fig_managers():
                if id(manager.canvas.figure) not in before:
                    with contextlib.suppress(Exception):
                        figure_png(manager.canvas.figure)
            drawn += time.monotonic() - started
    with os.fdopen(report, "wb") as reporting:
        reporting.write(json.dumps({"cells": cell_seconds, "drawn": drawn}).encode())
    os._exit(0)


def run_benchmark(
    assignment: Assignment,
    n: int,
    workers: int,
    print_fn: Callable[[str], None] = print,
    otter_every: int = 1,
) -> list[Measurement]:
    """Every measurement on the same submissions, one after the other, printed as it ends.

    ``otter_every`` > 1 times sequential ``otter run`` on every k-th submission only (it costs
    about 5 s each); its per-submission numbers are then from that subset.
    """
    zip_path = assignment.autograder_zip
    results = []
    podman = ContainerEngine.find("podman") or ContainerEngine.find("docker")
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        submissions = make_corpus(assignment, n, Path(tmp))
        counts: dict[str, int] = {}
        for p in submissions:
            kind = p.stem.split("-", 1)[1].split("--")[0]
            counts[kind] = counts.get(kind, 0) + 1
        crashing, looping = counts.get("crashing", 0), counts.get("looping", 0)
        print_fn(
            f"{n} submissions ({len(counts)} kinds, {crashing} crashing, {looping} timing out);"
            f" per-cell limit {LIMITS.cell_timeout:g} s, whole {LIMITS.timeout:g} s"
        )
        print_fn(HEADER)
        floor = time_floor(submissions, zip_path)
        results.append(floor)
        print_fn(floor.row())
        if podman is not None:
            ensure_image(podman)
            for count in sorted({1, workers}):
                warm = WarmEngine(podman)
                results.append(time_pipeline("warm engine", warm, submissions, zip_path, count))
                print_fn(results[-1].row())
            results.append(
                time_pipeline(
                    "otter run, container per sub", podman, submissions, zip_path, workers
                )  # fmt: skip
            )
            print_fn(results[-1].row())
        sampled = submissions[::otter_every]
        otter = time_otter_run(sampled, zip_path)
        if otter_every > 1:
            otter.label = f"otter run (sequential, 1/{otter_every})"
        results.append(otter)
        print_fn(otter.row())
    warm_runs = [m for m in results if m.label == "warm engine"]
    if warm_runs:
        best = min(warm_runs, key=lambda m: m.per_submission)
        single = next(m for m in warm_runs if m.workers == 1)
        print_fn(
            f"warm engine, {best.workers} workers: "
            f"{otter.per_submission / best.per_submission:.1f}x the throughput of sequential"
            f" otter run; 1 worker: median {single.median:.3f} s ="
            f" {single.median / floor.median:.2f}x the floor's {floor.median:.3f} s;"
            f" peak memory per worker {max(m.peak_memory_mb for m in warm_runs):.0f} MB"
            " (grader + student process)"
        )
    return results
