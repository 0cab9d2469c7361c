"""Grade one submission inside the sandbox, in Gradescope's layout, and write the results files.

This file runs inside the grading image (and, for the local engine, in a child process): it
imports nothing from the ``grading`` package, only the standard library, Otter and the worker
package beside it.

    /autograder/source      the autograder zip, unpacked
    /autograder/submission  the student's notebook, the files they handed in beside it, then
                            the zip's support files
    /autograder/results     results.json, as on Gradescope

The host reads ``grading.json`` (and a copy of ``results.json``) from the output folder: plain
JSON, never a pickle, never parsed from what this process prints.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path

# The worker package sits beside this file, in the image (/opt/grader) and in the source tree.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker.summary import summarise  # noqa: E402

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
    # The notebook and the files the student handed in beside it, folders included, as
    # ``otter run`` extracts an export zip.
    shutil.copytree(submission_dir, root / "submission", dirs_exist_ok=True)


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


MAX_REPLAYS = 3
LOST_CELLS: list[tuple[str | None, str, str]] = []  # (cell id, source, error) that lost the kernel


def guard_execution(cell_seconds: float) -> None:
    """Make Otter's cell execution survive what students do to the kernel.

    Otter executes the notebook with nbconvert's ExecutePreprocessor, which by default waits for
    ever on a cell and gives up the whole notebook when the kernel dies: one endless loop or one
    ``os._exit`` costs the whole assignment (otter-grader #469). With ``cell_seconds`` a cell past
    its time is interrupted and the next one runs; a cell that kills or corrupts the kernel is
    recorded in LOST_CELLS so that ``grade`` can replay the notebook without it.
    """
    import nbconvert.preprocessors as preprocessors

    base = preprocessors.ExecutePreprocessor

    class GuardedExecutePreprocessor(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if cell_seconds > 0:
                self.timeout = int(cell_seconds)
                self.interrupt_on_timeout = True
                self.error_on_timeout = {
                    "ename": "CellTimeoutError",
                    "evalue": f"the cell ran longer than {cell_seconds:g} s and was interrupted",
                    "traceback": [],
                }

        def preprocess_cell(self, cell, resources, index):
            try:
                return super().preprocess_cell(cell, resources, index)
            except Exception as error:  # the kernel died or its messages were corrupted
                why = f"{type(error).__name__}: {str(error)[:300]}"
                LOST_CELLS.append((cell.get("id"), str(cell.get("source", "")), why))
                raise

    preprocessors.ExecutePreprocessor = GuardedExecutePreprocessor


def neutralise(submission_dir: Path, cell_id: str | None, source: str, why: str) -> bool:
    """Replace the cell that lost the kernel by one that only raises; False if not found."""
    import nbformat

    for path in submission_dir.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            same_id = cell_id is not None and cell.get("id") == cell_id
            # Otter prefixes each cell with its seeding line: compare the cell's own text.
            same_text = bool(cell.source.strip()) and source.rstrip().endswith(cell.source.rstrip())
            if same_id or (cell_id is None and same_text):
                cell.source = f"raise RuntimeError({REPLAY_MESSAGE.format(why=why)!r})"
                cell.outputs = []
                nbformat.write(nb, path)
                return True
    return False


REPLAY_MESSAGE = "this cell stopped the grading kernel ({why}); it was skipped"


def kill_strays() -> None:
    """Kill what the lost kernel left running (forked children hold the process limit).

    Only as the sandbox's init process (PID 1 of its own PID namespace, in both engines), where
    every other process belongs to this submission.
    """
    import signal

    if os.getpid() != 1:
        return
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != 1:
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):  # reap them
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def grade(root: Path, autograder_zip: Path, submission_dir: Path) -> dict:
    """Run Otter's autograder in ``root`` and describe the outcome.

    A cell that kills the kernel (``os._exit``, a memory bomb, a fork bomb corrupting its
    messages) is skipped and the notebook graded again from the start, so the other answers keep
    their points: the questions answered before the crash are graded from a replay.
    """
    import dill
    from otter.run.run_autograder import main as run_autograder

    working = Path(tempfile.mkdtemp(prefix="submission-"))
    shutil.copytree(submission_dir, working, dirs_exist_ok=True)
    skipped: list[str] = []
    for _attempt in range(MAX_REPLAYS + 1):
        shutil.rmtree(root, ignore_errors=True)
        prepare(root, autograder_zip, working)
        LOST_CELLS.clear()
        try:
            run_autograder(str(root))
            break
        except Exception as error:  # Otter's own refusals, or a lost kernel
            failure = f"{type(error).__name__}: {error}"
            if not LOST_CELLS or len(skipped) == MAX_REPLAYS:
                return {"status": "error", "reason": failure}
            cell_id, source, why = LOST_CELLS[-1]
            if not neutralise(working, cell_id, source, why):
                return {"status": "error", "reason": failure}
            skipped.append(f"cell {cell_id or '?'} ({why})")
            kill_strays()
    with open(root / "results" / "results.pkl", "rb") as f:
        results = dill.load(f)
    save_executed(results, root / "results" / "executed.ipynb")
    note = "; ".join(f"{s} stopped the kernel and was skipped" for s in skipped)
    if results.has_catastrophic_failure():
        return {
            "status": "error",
            "reason": str(results.catastrophic_error),
            **summarise(results.results),
        }
    return {"status": "graded", "reason": note, **summarise(results.results)}


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
    parser.add_argument(
        "--private-tmp", type=Path, help="this process's own temporary files, not the student's"
    )
    args = parser.parse_args(argv)
    if args.private_tmp:
        # Otter writes the results pickle to a temporary file: a notebook that fills /tmp must
        # not be able to make that write fail.
        args.private_tmp.mkdir(parents=True, exist_ok=True)
        tempfile.tempdir = str(args.private_tmp)

    if args.loopback:
        bring_up_loopback()
    # No MPLBACKEND: the kernel's inline backend keeps figures in the executed notebook.
    os.environ.pop("MPLBACKEND", None)
    guard_execution(args.cell_timeout)
    try:
        outcome = grade(args.root, args.autograder_zip, args.submission_dir)
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
