"""`make demo`'s chain, Otter's short flags, and the grading service that keeps workers warm."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grading import warm_cli
from grading.demo import run_demo, summary
from grading.gradebook import Gradebook
from grading.sandbox.containers import OWNER_LABEL
from grading.sandbox.image import DEBIAN_BASE
from grading.sandbox.service import address_of, ask, code_version, service_owner

pytestmark = pytest.mark.slow


def cli(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "grading", *args], capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc


def rows(out: Path) -> dict[str, tuple[str, dict[str, float]]]:
    with Gradebook(out / "gradebook.sqlite") as book:
        return {
            Path(r.origin).name: (r.status, r.questions)
            for r in book.rows(book.latest_autograder())
        }


def test_demo_writes_every_file_of_the_chain(assignment, podman, grading_image, tmp_path):
    run = run_demo(assignment, tmp_path / "demo")
    samples = sorted(p.name for p in assignment.samples_dir.glob("*.ipynb"))
    for label, path in run.files.items():
        assert path.exists(), label
    assert sorted(rows(run.out)) == samples
    with open(run.files["Canvas import"], newline="", encoding="utf-8") as f:
        canvas = list(csv.reader(f))
    assert canvas[0][-1] == "derivatives (40101)" and canvas[1][-1] == "100"
    with Gradebook(run.files["gradebook"]) as book:
        strong = next(r for r in book.rows(book.latest_autograder()) if "strong" in r.origin)
    assert canvas[2][:2] == ["Strong, Sam", "2001"] and float(canvas[2][-1]) == strong.score
    assert len(list(run.files["hand-grading packets"].glob("*.html"))) == len(samples)
    feedback = run.files["student feedback (.txt and .html)"]
    pages = sorted(p.stem for p in feedback.glob("*.html"))
    assert len(pages) == len(samples) and pages == sorted(p.stem for p in feedback.glob("*.txt"))
    (page,) = feedback.glob("strong-*.html")
    assert "Your answer" in page.read_text()  # the hand-graded questions' answers are in
    text = summary(run)
    assert "Canvas import" in text and "python -m grading grade -a" in text
    assert f"{strong.score:g}" in text


def test_otter_short_flags_grade_like_the_long_ones(assignment, graded_samples, tmp_path):
    _, long_out = graded_samples
    out = tmp_path / "short"
    cli("grade", "--engine", "podman", "-a", str(assignment.autograder_zip),
        "-p", str(assignment.samples_dir), "-o", str(out))  # fmt: skip
    assert rows(out) == rows(long_out)


def _service_workers(podman) -> set[str]:
    owner = service_owner(code_version())  # this code's service: another version's is its own
    listed = podman.cli(["ps", "--quiet", "--no-trunc", "--filter",
                         f"label={OWNER_LABEL}={owner}"])  # fmt: skip
    return set(listed.stdout.split())


def test_the_service_keeps_workers_warm_between_commands_then_stops(
    assignment, podman, grading_image, otter_scores, tmp_path
):
    """The second `grade` is answered by the workers the first one started; after its idle
    time the service stops them and goes away."""
    strong = assignment.samples_dir / "strong.ipynb"
    limits = ["--cell-timeout", "31", "--engine", "podman"]  # a pool of workers of its own
    address = address_of("podman", DEBIAN_BASE)
    cli("grade", "-a", str(assignment.autograder_zip), "-o", str(tmp_path / "one"),
        "--keep-warm", "20", *limits, str(strong))  # fmt: skip
    hello = ask(address, {"op": "hello"}, timeout=10)
    workers = _service_workers(podman)
    assert workers
    cli("grade", "-a", str(assignment.autograder_zip), "-o", str(tmp_path / "two"),
        "--keep-warm", "20", *limits, str(strong))  # fmt: skip
    assert ask(address, {"op": "hello"}, timeout=10) == hello
    assert _service_workers(podman) == workers  # no worker started for the second command
    for out in ("one", "two"):
        assert rows(tmp_path / out) == {"strong.ipynb": ("graded", otter_scores["strong.ipynb"])}
    deadline = time.monotonic() + 120
    while (address.exists() or _service_workers(podman) & workers) and (
        time.monotonic() < deadline
    ):
        time.sleep(1)
    assert not address.exists()
    assert not _service_workers(podman) & workers


def _answering(path: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path in warm_cli.running():
            return True
        time.sleep(0.2)
    return False


def test_the_warm_command_line_runs_grade_as_in_process(
    assignment, podman, grading_image, otter_scores, tmp_path
):
    """After a `grade`, the next one is run by a pre-imported child: the client imports
    neither the CLI nor nbformat, yet the command sees the client's folder, environment and
    streams, and its exit status and errors come back; killing the client ends the command."""
    strong = assignment.samples_dir / "strong.ipynb"
    base = ["grade", "--engine", "podman", "-a", str(assignment.autograder_zip),
            "--keep-warm", "30"]  # fmt: skip
    cli(*base, "-o", str(tmp_path / "first"), str(strong))
    assert _answering(warm_cli.address(), 60), "no warm command line after a grade"

    client = [sys.executable, "-X", "importtime", "-m", "grading", *base]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}  # the child must use it
    proc = subprocess.run([*client, "-o", "relative-out", str(strong)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    imported = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert imported and not [
        line for line in imported if "nbformat" in line or "grading.cli" in line
    ]
    assert "graded 1 (1 graded)" in proc.stdout
    assert rows(tmp_path / "relative-out") == {
        "strong.ipynb": ("graded", otter_scores["strong.ipynb"])
    }
    assert (tmp_path / "cache" / "notebook-grading").is_dir()

    missing = subprocess.run([*client, "-o", "x", "missing.ipynb"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert missing.returncode == 2 and "missing.ipynb: no such file" in missing.stderr

    many = tmp_path / "class"
    many.mkdir()
    for i in range(8):  # distinct bytes, the same answers
        copy = nbformat.read(strong, as_version=4)
        copy.metadata["copy"] = i
        nbformat.write(copy, many / f"s{i}.ipynb")
    out = tmp_path / "killed"
    victim = subprocess.Popen([*client, "-o", str(out), str(many)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while not (out / "logs").is_dir() or not any((out / "logs").iterdir()):
        assert victim.poll() is None and time.monotonic() < deadline, "ended before the kill"
        time.sleep(0.1)
    victim.kill()
    victim.wait()
    time.sleep(3)
    logs = len(list((out / "logs").iterdir()))
    time.sleep(4)
    assert len(list((out / "logs").iterdir())) == logs < 8  # nothing graded after the kill

    status = cli("service", "status").stdout
    assert f"{warm_cli.address().name}: the warm command line" in status
    assert warm_cli.stop_all() >= 1 and not _answering(warm_cli.address(), 0.5)
