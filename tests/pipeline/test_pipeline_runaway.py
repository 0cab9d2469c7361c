"""Runaway and crashing answers cost their own question only, in parallel with a normal one.

Plain Otter gives each of these notebooks 0 on everything (a dead or corrupted kernel ends the
whole run) or fails to grade it (a full /tmp loses its results file).
"""

from __future__ import annotations

import hashlib
import sqlite3

import nbformat
import pytest

from grading.api import grade
from grading.model import GRADED
from grading.notebooks import fill_answers
from grading.sandbox import Limits
from grading.sandbox.containers import OWNER_LABEL

pytestmark = pytest.mark.slow

RUNAWAY_ANSWERS = {
    "memory-bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n",
    "fork-bomb": (
        "import os, time\n"
        "for _ in range(10000):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "    except OSError:\n"
        "        break\n"
    ),
    "fills-tmp": (
        "with open('/tmp/fill', 'wb') as f:\n    while True:\n        f.write(b'0' * (1 << 20))\n"
    ),
    "output-flood": "for i in range(200000):\n    print('x' * 100)\n",
    "os-exit": "import os\nos._exit(3)\n",
    "endless-loop": "while True:\n    pass\n",
}


def test_runaway_answers_cost_only_their_question(
    assignment, podman, grading_image, otter_scores, tmp_path
):
    reference = nbformat.read(assignment.samples_dir / "strong.ipynb", as_version=4)
    (answer,) = [c for c in reference.cells if c.source.startswith("def f_prime")]
    folder = tmp_path / "class"
    folder.mkdir()
    for name, source in RUNAWAY_ANSWERS.items():
        nbformat.write(fill_answers(reference, {answer.id: source}), folder / f"{name}.ipynb")
    nbformat.write(reference, folder / "normal.ipynb")
    out = tmp_path / "out"
    limits = Limits(timeout=240, cell_timeout=20, memory_mb=2048, pids=256)
    summary = grade([folder], assignment.autograder_zip, out, engine=podman, limits=limits)
    assert summary.by_status == {GRADED: len(RUNAWAY_ANSWERS) + 1}

    db = sqlite3.connect(out / "gradebook.sqlite")
    strong = otter_scores["strong.ipynb"]
    for name in [*RUNAWAY_ANSWERS, "normal"]:
        rows = db.execute(
            "SELECT q.question, q.score FROM question_results q JOIN submissions s"
            " USING (sha256) WHERE s.student = ?",
            (name,),
        ).fetchall()
        expected = strong if name == "normal" else {**strong, "q1a": 0.0}
        assert dict(rows) == expected, name
    reasons = dict(
        db.execute("SELECT s.student, r.reason FROM results r JOIN submissions s USING (sha256)")
    )
    assert "stopped the kernel and was skipped" in reasons["os-exit"]
    owner = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    left = podman.cli(["ps", "--all", "--quiet", "--filter", f"label={OWNER_LABEL}={owner}"])
    assert left.stdout.split() == []
