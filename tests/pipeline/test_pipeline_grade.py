"""`grade` end to end in real podman containers: same scores as `otter run`, nothing lost."""

from __future__ import annotations

import csv
import socket
import sqlite3
import threading
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading.api import grade
from grading.model import GRADED, TIMEOUT
from grading.notebooks import fill_answers
from grading.sandbox import Limits
from grading.sandbox.worker import END_OF_LOG
from grading.sandbox.worker.grader import PHASES_LABEL

pytestmark = pytest.mark.slow


def question_scores(out: Path, origin_suffix: str) -> dict[str, float]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = db.execute(
        "SELECT q.question, q.score FROM question_results q JOIN submissions s"
        " ON s.sha256 = q.sha256 WHERE s.origin LIKE ?",
        (f"%{origin_suffix}",),
    ).fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def samples_run(graded_samples):
    return graded_samples


def sample_names(assignment) -> list[str]:
    return sorted(p.name for p in assignment.samples_dir.glob("*.ipynb"))


def test_podman_grades_every_sample_like_otter_run(samples_run, otter_scores, assignment):
    stdout, out = samples_run
    samples = sample_names(assignment)
    assert f"podman-warm: graded {len(samples)} ({len(samples)} graded)" in stdout
    for name in samples:
        assert question_scores(out, name) == otter_scores[name], name


def test_gradebook_records_students_hashes_tests_and_engine(samples_run, assignment):
    _, out = samples_run
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    students = {s for (s,) in db.execute("SELECT student FROM students")}
    assert students == {name.removesuffix(".ipynb") for name in sample_names(assignment)}
    for sha, origin in db.execute("SELECT sha256, origin FROM submissions"):
        assert len(sha) == 64 and origin.endswith(".ipynb")
    engines = set(db.execute("SELECT engine, isolation, status FROM results"))
    assert engines == {("podman-warm", "container", GRADED)}
    tests = db.execute(
        "SELECT count(*), sum(hidden), sum(passed) FROM test_results t JOIN submissions s"
        " ON s.sha256 = t.sha256 WHERE s.origin LIKE '%strong.ipynb'"
    ).fetchone()
    assert tests[0] >= 2 * 27 and tests[1] >= 27 and tests[2] == tests[0]


def test_final_grades_csv_has_otter_grade_columns(samples_run, autograded):
    _, out = samples_run
    with open(out / "final_grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    questions = sorted(q.name for q in autograded)
    assert list(rows[0]) == [
        "file",
        *questions,
        "total_points_earned",
        "percent_correct",
        "grading_status",
    ]
    assert rows[0]["file"] == "points-per-question"
    assert float(rows[0]["total_points_earned"]) == sum(q.points for q in autograded)
    strong = next(r for r in rows if r["file"].endswith("strong.ipynb"))
    assert float(strong["percent_correct"]) == 1.0 and strong["grading_status"] == "Completed"


def test_feedback_lists_tests_as_the_zip_allows(samples_run):
    _, out = samples_run
    (feedback,) = (out / "feedback").glob("typical-*.txt")
    text = feedback.read_text()
    assert "q1c: 0 / 2" in text and "FAILED  public test" in text
    # This assignment shows hidden results once grades are published (show_hidden: true).
    assert "hidden test" in text
    (log,) = (out / "logs").glob("typical-*.log")
    assert "GRADING SUMMARY" in log.read_text()


def test_every_log_is_whole(samples_run, assignment):
    """A warm worker's log and its reply come on two pipes: a log kept as soon as the reply
    came could miss its last lines (one notebook in six did, its phase line among them)."""
    _, out = samples_run
    logs = sorted((out / "logs").glob("*.log"))
    assert len(logs) == len(sample_names(assignment))
    for log in logs:
        lines = log.read_text(encoding="utf-8").splitlines()
        assert lines[-1].startswith(PHASES_LABEL), f"{log.name} ends early: {lines[-3:]}"
        assert not any(line.startswith(END_OF_LOG) for line in lines), log.name


def test_rerun_skips_what_is_graded(samples_run, assignment, podman):
    _, out = samples_run
    count = len(sample_names(assignment))
    summary = grade([assignment.samples_dir], assignment.autograder_zip, out, engine=podman)
    assert summary.graded == 0 and summary.skipped == count
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == count
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == count


def test_timeout_zeroes_only_that_submission(
    assignment, podman, grading_image, make_notebook, tmp_path
):
    looping = make_notebook("looping", "def f_prime", "while True:\n    pass\n")
    normal = assignment.samples_dir / "strong.ipynb"
    out = tmp_path / "out"
    summary = grade(
        [looping, normal], assignment.autograder_zip, out, engine=podman, limits=Limits(timeout=45)
    )
    assert summary.by_status == {TIMEOUT: 1, GRADED: 1}
    db = sqlite3.connect(out / "gradebook.sqlite")
    status = dict(
        db.execute("SELECT s.student, r.status FROM results r JOIN submissions s USING (sha256)")
    )
    assert status == {"looping": TIMEOUT, "strong": GRADED}
    assert question_scores(out, "strong.ipynb")["q10"] == 14.5
    assert sum(question_scores(out, "looping.ipynb").values()) == 0


class Listener:
    """A TCP server on the host's loopback that counts connections."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.sock.settimeout(0.5)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


PHONE_HOME = """import socket

try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    reached = True
except OSError:
    reached = False


def f_prime(x):
    # Right only when the host was reachable: the score proves where the connection went.
    return 12 * x**3 - 4 * x + 7 if reached else 0 * x
"""


@pytest.mark.parametrize("engine_fixture", ["podman", "local_engine"])
def test_network_is_cut(engine_fixture, request, assignment, make_notebook, tmp_path):
    engine = request.getfixturevalue(engine_fixture)
    if engine_fixture == "podman":
        request.getfixturevalue("grading_image")
    listener = Listener()
    try:
        # The control: the same code on the host does reach the listener.
        with socket.create_connection(("127.0.0.1", listener.port), timeout=3):
            pass
        submission = make_notebook(
            "phone-home", "def f_prime", PHONE_HOME.format(port=listener.port)
        )
        out = tmp_path / "out"
        summary = grade([submission], assignment.autograder_zip, out, engine=engine)
    finally:
        listener.close()
    assert summary.by_status == {GRADED: 1}
    assert listener.connections == 1  # only the control
    assert question_scores(out, "phone-home.ipynb")["q1a"] == 0


def test_local_engine_scores_like_otter_and_is_marked_weak(
    assignment, local_engine, otter_scores, tmp_path
):
    out = tmp_path / "out"
    typical = assignment.samples_dir / "typical.ipynb"
    grade([typical], assignment.autograder_zip, out, engine=local_engine)
    assert question_scores(out, "typical.ipynb") == otter_scores["typical.ipynb"]
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("SELECT engine, isolation FROM results").fetchall() == [
        ("local-otter", "weak")
    ]


def test_canvas_bulk_download_identifies_students(
    assignment, podman, grading_image, otter_scores, tmp_path
):
    bulk = tmp_path / "submissions.zip"
    strong = (assignment.samples_dir / "strong.ipynb").read_bytes()
    typical = (assignment.samples_dir / "typical.ipynb").read_bytes()
    with zipfile.ZipFile(bulk, "w") as zf:
        zf.writestr("smithjane_1001_5001_derivatives.ipynb", strong)
        zf.writestr("doejohn_LATE_1002_5002_derivatives-1.ipynb", typical)
    out = tmp_path / "out"
    summary = grade([bulk], assignment.autograder_zip, out, engine=podman)
    assert summary.by_status == {GRADED: 2}
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = db.execute(
        "SELECT s.student, s.late, s.attempt, r.score FROM submissions s JOIN results r"
        " USING (sha256) ORDER BY s.student"
    ).fetchall()
    strong_total = sum(otter_scores["strong.ipynb"].values())
    typical_total = sum(otter_scores["typical.ipynb"].values())
    assert rows == [("1001", 0, 0, strong_total), ("1002", 1, 1, typical_total)]


def test_an_endless_cell_costs_only_its_own_question(
    assignment, podman, grading_image, otter_scores, tmp_path
):
    """Otter alone loses the whole notebook to one endless loop (otter-grader #469)."""
    reference = nbformat.read(assignment.samples_dir / "strong.ipynb", as_version=4)
    (cell,) = [c for c in reference.cells if c.source.startswith("def f_prime")]
    looping = fill_answers(reference, {cell.id: "while True:\n    pass\n"})
    path = tmp_path / "loops-in-q1a.ipynb"
    nbformat.write(looping, path)
    out = tmp_path / "out"
    limits = Limits(timeout=240, cell_timeout=10)
    summary = grade([path], assignment.autograder_zip, out, engine=podman, limits=limits)
    assert summary.by_status == {GRADED: 1}
    expected = {**otter_scores["strong.ipynb"], "q1a": 0.0}
    assert question_scores(out, "loops-in-q1a.ipynb") == expected
