"""``python -m grading.similarity.benchmark``: how long the similarity report takes for a class.

Makes a class of N students from the answer corpus (``synthetic``): honest students who each
rename their variables (so no two notebooks are alike and no cache helps) and a few disguised
copiers; writes it as a ``grade`` folder; then times ``write_similarity_report`` on it, several
runs, and prints every run and the median. Run from the repository root::

    .venv/bin/python -m grading.similarity.benchmark --students 300 1000 --runs 5
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from ..assignments import Assignment, discover
from .answers import question_cells
from .fingerprint import answer_fingerprints
from .pipeline import write_similarity_report
from .settings import Settings
from .synthetic import (
    ALL_DISGUISES,
    disguise,
    honest_students,
    load_alternatives,
    write_grade_folder,
)

COPY_SHARE = 0.02  # one student in fifty hands in a disguised copy
WRITTEN = Path("tests/similarity/written_answers.yaml")


def find_assignment(name: str | None) -> Assignment:
    """The assignment under ``master/`` called ``name``, or the only one."""
    found = [a for a in discover(Path("master"), Path("dist")) if name in (None, a.name)]
    if len(found) != 1:
        raise SystemExit(f"name one assignment with --assignment (found {len(found)})")
    return found[0]


def make_class(
    out_dir: Path, assignment: Assignment, students: int, written: Path, seed: int = 16
) -> None:
    """A ``grade`` folder with ``students`` notebooks, every one different."""
    alternatives = load_alternatives(assignment, yaml.safe_load(written.read_text())["written"])
    questions = question_cells(assignment)
    rng = random.Random(seed)
    copies = max(1, round(students * COPY_SHARE))
    honest = honest_students(alternatives, students - copies, rng, prefix="s")
    own = [disguise(s, s.name, ("renamed variables",), questions, rng) for s in honest]
    copied = [
        disguise(rng.choice(own), f"c{n:04d}", ALL_DISGUISES, questions, rng)
        for n in range(1, copies + 1)
    ]
    write_grade_folder(out_dir, assignment, [*own, *copied])


def time_report(out_dir: Path, assignment: Assignment, runs: int, workers: int) -> list[float]:
    """Seconds per run of the whole report (read, fingerprint, index, rank, write)."""
    seconds = []
    for _ in range(runs):
        answer_fingerprints.cache_clear()  # every run starts cold, forked workers included
        start = time.perf_counter()
        summary = write_similarity_report(out_dir, assignment, settings=Settings(), workers=workers)
        seconds.append(time.perf_counter() - start)
    print(
        f"  {summary.students} students: {summary.pairs} pairs share something,"
        f" {summary.flagged} flagged, {summary.groups} groups"
    )
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.similarity.benchmark")
    parser.add_argument("--students", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--written", type=Path, default=WRITTEN, help="written answers (YAML)")
    parser.add_argument("--assignment", help="assignment name (default: the only one)")
    args = parser.parse_args(argv)
    assignment = find_assignment(args.assignment)
    print(f"similarity report, {args.workers} workers on {os.cpu_count()} cores, {args.runs} runs")
    for count in args.students:
        with tempfile.TemporaryDirectory(prefix="similarity-bench-") as tmp:
            start = time.perf_counter()
            make_class(Path(tmp), assignment, count, args.written)
            print(f"class of {count}: made in {time.perf_counter() - start:.1f} s")
            seconds = time_report(Path(tmp), assignment, args.runs, args.workers)
            runs = ", ".join(f"{s:.2f}" for s in seconds)
            print(f"  median {statistics.median(seconds):.2f} s (runs: {runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
