"""Grade one submission with Otter itself (``otter run``), the reference the pipeline matches.

Scores come from the ``results.json`` Otter writes, never from what it prints.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path


class OtterRunError(RuntimeError):
    """``otter run`` failed without writing a results file."""


def otter_run(submission: Path, autograder_zip: Path, *, timeout: float = 600) -> dict[str, float]:
    """Per-question scores of ``submission`` under ``otter run`` with ``autograder_zip``."""
    return question_scores(otter_results(submission, autograder_zip, timeout=timeout))


def otter_results(submission: Path, autograder_zip: Path, *, timeout: float = 600) -> dict:
    """The whole ``results.json`` of ``otter run``: its top-level ``score`` is there when the
    autograder sets ``points_possible`` or ``score_threshold``."""
    with tempfile.TemporaryDirectory(prefix="otter-run-") as out:
        command = [
            sys.executable, "-m", "otter", "run",
            "-a", str(autograder_zip), "-o", out, str(submission),
        ]  # fmt: skip
        # A session of its own, so a timeout kills the kernel Otter started, not just Otter.
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
        results = Path(out) / "results.json"
        if not results.is_file():
            tail = stderr[-2000:]
            raise OtterRunError(
                f"{submission}: otter run exited {proc.returncode} without results\n{tail}"
            )
        return json.loads(results.read_text())


def question_scores(results: dict) -> dict[str, float]:
    """Per-question scores from a Gradescope-format results dict written by Otter."""
    return {
        test["name"]: float(test["score"])
        for test in results.get("tests", [])
        if "score" in test and test.get("name") != "Public Tests"
    }
