"""Grade one submission inside the sandbox, in Gradescope's layout, and write the results files.

This file runs inside the grading image (and, for the local engine, in a child process): it
imports nothing from the ``grading`` package, only the standard library and Otter.

    /autograder/source      the autograder zip, unpacked
    /autograder/submission  the student's notebook (plus the zip's support files)
    /autograder/results     results.json, as on Gradescope

The host reads ``grading.json`` (and a copy of ``results.json``) from the output folder: plain
JSON, never a pickle, never parsed from what this process prints.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import traceback
import zipfile
from pathlib import Path

MAX_EXECUTED_BYTES = 20 * 1024 * 1024


def bring_up_loopback() -> None:
    """In a fresh network namespace ``lo`` is down; Jupyter's kernel needs it to talk."""
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))


def prepare(root: Path, autograder_zip: Path, submission_dir: Path) -> None:
    """Lay out ``root`` like Gradescope's /autograder for Otter."""
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(autograder_zip) as zf:  # the instructor's zip: trusted input
        zf.extractall(root / "source")
    for item in submission_dir.iterdir():
        if item.is_file():
            shutil.copy(item, root / "submission" / item.name)


def summarise(results) -> dict:
    """Per-question and per-test outcomes of Otter's ``GradingResults``, as JSON-able data."""
    questions, tests = [], []
    for name, test_file in results.results.items():
        questions.append(
            {"name": name, "score": float(test_file.score), "possible": float(test_file.possible)}
        )
        for outcome in test_file.test_case_results:
            case = outcome.test_case
            tests.append(
                {
                    "question": name,
                    "name": str(case.name),
                    "hidden": bool(case.hidden),
                    "passed": bool(outcome.passed),
                    "message": str(outcome.message or ""),
                }
            )
    return {"questions": questions, "tests": tests}


def save_executed(results, path: Path) -> None:
    """The executed notebook (outputs and figures), for hand-grading packets; best effort."""
    import nbformat

    notebook = getattr(results, "notebook", None)
    if notebook is None:
        return
    try:
        nbformat.write(notebook, path)
    except Exception:
        return
    if path.stat().st_size > MAX_EXECUTED_BYTES:
        path.unlink()


def limit_each_cell(seconds: float) -> None:
    """Give every cell ``seconds``; past that, interrupt it and go on with the next cell.

    Otter executes the notebook with nbconvert's ExecutePreprocessor, which by default waits
    for ever and, given a timeout, aborts the whole notebook: one endless loop then costs the
    whole assignment (otter-grader #469). Interrupting the cell costs only that cell's answer.
    """
    import nbconvert.preprocessors as preprocessors

    base = preprocessors.ExecutePreprocessor

    class CellLimitedExecutePreprocessor(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.timeout = int(seconds)
            self.interrupt_on_timeout = True
            self.error_on_timeout = {
                "ename": "CellTimeoutError",
                "evalue": f"the cell ran longer than {seconds:g} s and was interrupted",
                "traceback": [],
            }

    preprocessors.ExecutePreprocessor = CellLimitedExecutePreprocessor


def grade(root: Path) -> dict:
    """Run Otter's autograder in ``root`` and describe the outcome."""
    import dill
    from otter.run.run_autograder import main as run_autograder

    try:
        run_autograder(str(root))
    except Exception as error:  # Otter's own refusals (wrong assignment, no notebook, ...)
        return {"status": "error", "reason": f"{type(error).__name__}: {error}"}
    with open(root / "results" / "results.pkl", "rb") as f:
        results = dill.load(f)
    save_executed(results, root / "results" / "executed.ipynb")
    if results.has_catastrophic_failure():
        return {"status": "error", "reason": str(results.catastrophic_error), **summarise(results)}
    return {"status": "graded", "reason": "", **summarise(results)}


def peak_memory_mb() -> float:
    """The largest resident set of this process or of any process it waited for (the kernel)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--autograder-zip", type=Path, default=Path("/in/autograder.zip"))
    parser.add_argument("--submission-dir", type=Path, default=Path("/in/submission"))
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    parser.add_argument("--out", type=Path, default=Path("/out"))
    parser.add_argument("--loopback", action="store_true", help="bring up lo first")
    parser.add_argument("--cell-timeout", type=float, default=0, help="seconds per cell (0: none)")
    args = parser.parse_args(argv)

    if args.loopback:
        bring_up_loopback()
    # No MPLBACKEND: the kernel's inline backend keeps figures in the executed notebook.
    os.environ.pop("MPLBACKEND", None)
    if args.cell_timeout > 0:
        limit_each_cell(args.cell_timeout)
    try:
        prepare(args.root, args.autograder_zip, args.submission_dir)
        outcome = grade(args.root)
    except Exception:
        outcome = {"status": "error", "reason": traceback.format_exc(limit=3)}
    outcome["peak_memory_mb"] = peak_memory_mb()
    for name in ("results.json", "executed.ipynb"):
        produced = args.root / "results" / name
        if produced.is_file():
            shutil.copy(produced, args.out / name)
    tmp = args.out / "grading.json.tmp"
    tmp.write_text(json.dumps(outcome, indent=1))
    tmp.replace(args.out / "grading.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
