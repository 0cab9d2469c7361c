"""The pipeline's stages on their own: results parsing, feedback, gradebook, errors."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from grading.autograder import read_autograder
from grading.cli import main
from grading.gradebook import Gradebook
from grading.model import (
    ERROR,
    GRADED,
    TAMPERED,
    TIMEOUT,
    GradeResult,
    QuestionScore,
    Submission,
    TestOutcome,
)
from grading.outputs import feedback_text
from grading.results import read_result
from grading.sandbox import SandboxRun

RUN = SandboxRun(timed_out=False, returncode=0, log="the log", seconds=1.5)


def write_results(folder: Path, data) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "grading.json").write_text(json.dumps(data))
    return folder


def collect_from(folder: Path, run: SandboxRun = RUN) -> GradeResult:
    return read_result(run, folder, engine="podman", isolation="container", timeout=60)


GOOD = {
    "status": "graded",
    "reason": "",
    "questions": [{"name": "q1a", "score": 1.0, "possible": 1.0}],
    "tests": [{"question": "q1a", "name": "t", "hidden": True, "passed": True, "message": ""}],
    "peak_memory_mb": 180.5,
}


def test_tampered_keeps_its_honest_score_and_timeout_scores_zero(tmp_path):
    reason = "code cell 3 replaces numpy.allclose"
    tampered = collect_from(write_results(tmp_path / "t", {**GOOD, "status": "tampered",
                                                           "reason": reason}))  # fmt: skip
    assert (tampered.status, tampered.score, tampered.reason) == (TAMPERED, 1.0, reason)
    timed_out = collect_from(write_results(tmp_path / "o", {**GOOD, "status": "timeout"}))
    assert (timed_out.status, timed_out.score) == (TIMEOUT, 0.0)
    info = read_autograder(Path("dist/derivatives/autograder/derivatives-autograder.zip"))
    submission = Submission(Path("x.ipynb"), "x.ipynb", "x", "0" * 64, "notebook")
    text = feedback_text(submission, tampered, info)
    assert "held for review" in text and "Autograded score: 1 /" in text


def test_results_file_is_the_only_source_of_scores(tmp_path):
    result = collect_from(write_results(tmp_path, GOOD))
    assert result.status == GRADED and result.score == 1.0 and result.peak_memory_mb == 180.5
    noisy = SandboxRun(timed_out=False, returncode=0, log="Total Score: 99 / 99", seconds=1)
    assert collect_from(tmp_path / "missing", noisy).status == ERROR


@pytest.mark.parametrize(
    "change",
    [
        {"status": "perfect"},
        {"questions": [{"name": "q1a", "score": 5.0, "possible": 1.0}]},
        {"questions": [{"name": "q1a", "score": float("nan"), "possible": 1.0}]},
        {"questions": [{"name": "q1a", "score": True, "possible": 1.0}]},
        {"questions": "all of them"},
        {"tests": [{"question": "q1a", "name": "t", "hidden": "no", "passed": True}]},
    ],
)
def test_malformed_results_are_an_error_not_a_score(tmp_path, change):
    result = collect_from(write_results(tmp_path, {**GOOD, **change}))
    assert result.status == ERROR and result.score == 0.0
    assert "malformed results file" in result.reason


def test_non_json_results_are_an_error(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "grading.json").write_bytes(b"\xff\xfe not json")
    assert collect_from(tmp_path).status == ERROR


def test_timeout_is_reported_with_the_limit(tmp_path):
    run = SandboxRun(timed_out=True, returncode=None, log="", seconds=60)
    result = collect_from(write_results(tmp_path, GOOD), run)
    assert result.status == TIMEOUT and result.score == 0 and "60 s" in result.reason


def submission(tmp_path: Path, student: str = "ada", sha: str = "a" * 64) -> Submission:
    return Submission(
        path=tmp_path / "x.ipynb", origin=f"{student}.ipynb", student=student, sha256=sha,
        source_format="notebook",
    )  # fmt: skip


def result_with_hidden_failure() -> GradeResult:
    return GradeResult(
        status=GRADED,
        engine="podman",
        isolation="container",
        questions=[QuestionScore("q1a", 0.0, 1.0)],
        tests=[
            TestOutcome("q1a", "q1a - 1", hidden=False, passed=True),
            TestOutcome("q1a", "q1a - 2", hidden=True, passed=False, message="secret 95"),
        ],
    )


def test_feedback_hides_hidden_tests_unless_the_zip_shows_them(assignment, tmp_path):
    info = read_autograder(assignment.autograder_zip)
    shown = feedback_text(submission(tmp_path), result_with_hidden_failure(), info)
    assert info.show_hidden and "FAILED  hidden test q1a - 2" in shown and "secret 95" in shown
    hidden_info = dataclasses.replace(info, show_hidden=False)
    hidden = feedback_text(submission(tmp_path), result_with_hidden_failure(), hidden_info)
    assert "q1a: 0 / 1" in hidden and "passed  public test q1a - 1" in hidden
    assert "q1a - 2" not in hidden and "secret" not in hidden


def test_gradebook_writes_a_submission_whole_or_not_at_all(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        run = book.start_run("z" * 64, "ag.zip", "podman", None)
        book.record(submission(tmp_path), result_with_hidden_failure(), "z" * 64, run)
        broken = result_with_hidden_failure()
        broken.tests.append(TestOutcome("q1a", "q1a - 3", False, True, message=object()))
        with pytest.raises(sqlite3.Error):
            book.record(submission(tmp_path, "bob", "b" * 64), broken, "z" * 64, run)
        assert book.has_result("a" * 64, "z" * 64) and not book.has_result("b" * 64, "z" * 64)
        assert book.integrity_ok()
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM test_results").fetchone()[0] == 2


def test_cli_names_a_missing_autograder_zip(tmp_path, capsys):
    code = main(["grade", "--autograder", str(tmp_path / "nope.zip"), "--out", str(tmp_path), "."])
    assert code == 2
    assert "nope.zip: autograder zip not found" in capsys.readouterr().err


def test_cli_rejects_a_zip_that_is_not_an_autograder(tmp_path, capsys):
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    code = main(["grade", "--autograder", str(bogus), "--out", str(tmp_path / "o"), "."])
    assert code == 2 and "not an Otter autograder zip" in capsys.readouterr().err


def test_a_client_that_leaves_before_its_answer_costs_the_service_no_traceback(tmp_path, capsys):
    """An interrupted `grade` closes its socket while a submission is graded: the service notes
    it in one line and keeps serving (it printed a BrokenPipeError traceback per client)."""
    import socket
    import threading
    import time

    from grading.sandbox.service import Service, ask

    release = threading.Event()

    class SlowEngine:
        name, isolation, image_engine = "fake", "none", None

        def run_submission(self, *args, **kwargs) -> SandboxRun:
            release.wait(10)
            return RUN

    address = tmp_path / "service.sock"
    service = Service(address, SlowEngine(), None, idle=60)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    try:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(str(address))
        request = {"op": "grade", "autograder": "a.zip", "submission": "s.ipynb", "out": "o"}
        client.sendall(json.dumps({**request, "limits": {}}).encode() + b"\n")
        deadline = time.monotonic() + 10
        while not service.busy and time.monotonic() < deadline:
            time.sleep(0.01)
        client.close()
        release.set()
        printed = ""
        while "client left" not in printed and time.monotonic() < deadline:
            time.sleep(0.05)
            printed += capsys.readouterr().err
        assert "a client left before the answer to 'grade'" in printed
        assert "Traceback" not in printed
        assert ask(address, {"op": "hello"}, timeout=10)["name"] == "fake"  # still serving
    finally:
        service.shutdown()
        service.server_close()
