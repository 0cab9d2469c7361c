"""Grade a fork bomb beside normal submissions, several rounds in a row, and print each round's
seconds: ``python tests/hostile/stress_fork_bomb.py [-n 5]``.

One lucky run proves little about a race against a forking process; the hostile tests call
``rounds`` five times in a row and every round must give the same outcome.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
BOMB = "import os\nwhile True:\n    os.fork()\n"
NORMAL = ("strong", "typical", "weak")
LIMITS = ["--cell-timeout", "8", "--timeout", "240", "--workers", "2"]


@dataclass(frozen=True)
class Round:
    wall: float  # the whole `grade` command, container start included
    outcomes: dict[str, tuple[str, dict[str, float], float]]  # stem -> (status, scores, seconds)


def write_class(assignment, folder: Path) -> list[Path]:
    """The bomb in q1a's answer cell of the reference notebook, and three samples beside it."""
    from grading.notebooks import answer_cell_ids, fill_answers, reference_submission

    student = nbformat.read(assignment.student_notebook, as_version=4)
    autograder = nbformat.read(assignment.autograder_notebook, as_version=4)
    (q1a,) = [q for q in assignment.questions() if q.name == "q1a"]
    (cell,) = answer_cell_ids(autograder, q1a.solution_cell_ids)
    bomb = fill_answers(reference_submission(student, autograder), {cell: BOMB})
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(bomb, folder / "bomb.ipynb")
    for name in NORMAL:
        (folder / f"{name}.ipynb").write_bytes(
            (assignment.samples_dir / f"{name}.ipynb").read_bytes()
        )
    return sorted(folder.glob("*.ipynb"))


def one_round(assignment, paths: list[Path], out: Path) -> Round:
    from grading.gradebook import Gradebook

    command = [
        sys.executable, "-m", "grading", "grade", "--engine", "podman",
        "--autograder", str(assignment.autograder_zip), "--out", str(out), *LIMITS,
        *map(str, paths),
    ]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-3000:])
    with Gradebook(out / "gradebook.sqlite") as book:
        outcomes = {
            Path(row.origin).stem: (row.status, row.questions, row.seconds)
            for row in book.rows(book.latest_autograder())
        }
    return Round(wall, outcomes)


def rounds(assignment, count: int, folder: Path) -> list[Round]:
    paths = write_class(assignment, folder / "class")
    return [one_round(assignment, paths, folder / f"out-{i}") for i in range(count)]


def main() -> int:
    from grading.assignments import discover

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--rounds", type=int, default=5)
    args = parser.parse_args()
    (assignment,) = [a for a in discover(ROOT / "master", ROOT / "dist") if a.name == "derivatives"]
    with tempfile.TemporaryDirectory(prefix="stress-") as tmp:
        for i, result in enumerate(rounds(assignment, args.rounds, Path(tmp)), start=1):
            status, scores, seconds = result.outcomes["bomb"]
            lost = sorted(q for q, s in scores.items() if s == 0)
            print(f"round {i}: bomb {status}, lost {lost}, {seconds:.1f} s;"
                  f" grade command {result.wall:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
