"""SIGKILL in the middle of a run: nothing graded is lost, nothing is counted twice."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest

from grading.api import grade
from grading.sandbox.containers import OWNER_LABEL

pytestmark = pytest.mark.slow
COUNT = 12  # the warm engine grades one in ~0.3 s: enough left to be killed in the middle


def graded_rows(path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        rows = db.execute("SELECT sha256, graded_at FROM results").fetchall()
        db.close()
    except sqlite3.OperationalError:  # not created yet
        return {}
    return dict(rows)


def test_sigkill_mid_run_then_rerun(assignment, podman, grading_image, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(COUNT):  # distinct submissions (different bytes)
        nb = nbformat.read(assignment.samples_dir / "typical.ipynb", as_version=4)
        nb.metadata["copy"] = i
        nbformat.write(nb, folder / f"student{i}.ipynb")
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "grading", "grade", "--engine", "podman", "--workers", "1",
        "--keep-warm", "0",  # workers of this run only: they are what the kill must not leave
        "--autograder", str(assignment.autograder_zip), "--out", str(out), str(folder),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 240
    while not graded_rows(out / "gradebook.sqlite") and time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = graded_rows(out / "gradebook.sqlite")
    assert 1 <= len(before) < COUNT

    summary = grade([folder], assignment.autograder_zip, out, engine=podman, workers=2)
    assert summary.skipped == len(before) and summary.graded == COUNT - len(before)

    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = dict(db.execute("SELECT sha256, graded_at FROM results").fetchall())
    assert len(after) == COUNT
    assert {sha: after[sha] for sha in before} == before  # kept, not regraded
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == COUNT
    scores = {score for (score,) in db.execute("SELECT score FROM results")}
    assert len(scores) == 1  # the same notebook, the same score, however it was graded

    owner = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    left = podman.cli(["ps", "--all", "--quiet", "--filter", f"label={OWNER_LABEL}={owner}"])
    assert left.stdout.split() == []
