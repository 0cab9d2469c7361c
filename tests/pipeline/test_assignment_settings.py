"""What an assignment's autograder zip decides besides its tests: Otter's totals
(``points_possible``, ``score_threshold``), this tool's limits (``"grading"`` in otter_config.json)
and whether Otter itself must grade it (plugins, ``grade_from_log``); ``grade`` honours each."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest

from grading import api
from grading.api import choose_mode, grade, grading_facts, recorded_autograder
from grading.assignments import Question
from grading.autograder import AutograderError, read_autograder
from grading.cli import main
from grading.gradebook import Gradebook
from grading.lms.formats import canvas
from grading.lms.grades import compute_grades
from grading.model import Submission
from grading.notebooks import hand_graded_cells
from grading.outputs import feedback_text, final_grades_csv
from grading.results import read_result
from grading.sandbox import Limits, SandboxRun
from grading.sandbox.limits import changed_from_defaults, limits_from

from ..autograder_zips import exception_test, write_autograder

TESTS = {q: exception_test(q, "assert True", points=p) for q, p in (("q1", 1), ("q2", 3))}
QUESTIONS = [Question("q1", 1, False, ()), Question("q2", 3, False, ())]


def zip_with(tmp_path: Path, name: str = "ag.zip", **config) -> Path:
    return write_autograder(tmp_path / name, TESTS, **config)


def info_of(tmp_path: Path, **config):
    return read_autograder(zip_with(tmp_path, **config), cache=tmp_path / "cache")


# -- the "grading" key: limits for one assignment -----------------------------------------


def test_an_assignment_sets_its_limits(tmp_path):
    info = info_of(tmp_path, grading={"cell_timeout": 120, "timeout": 1800, "memory_mb": 4096})
    assert info.limits == {"cell_timeout": 120.0, "timeout": 1800.0, "memory_mb": 4096}
    again = read_autograder(info.path, cache=tmp_path / "cache")  # from the cache
    assert again.limits == info.limits
    assert info_of(tmp_path / "plain").limits == {}


@pytest.mark.parametrize(
    ("grading", "problem"),
    [
        ({"cell_timout": 120}, "unknown key 'cell_timout'"),
        ({"timeout": -5}, "timeout must be a positive number of seconds, not -5"),
        ({"timeout": True}, "timeout must be a positive number of seconds, not True"),
        ({"cell_timeout": "2m"}, "cell_timeout must be a positive number of seconds, not '2m'"),
        ({"memory_mb": 1.5}, "memory_mb must be a whole number of MB"),
        ([120], "must be an object"),
        ({"keep_outputs": "cell-1"}, "keep_outputs must be a list of at most 1000 cell ids"),
        ({"keep_outputs": ["cell-1", 7]}, "keep_outputs must be a list of at most 1000 cell ids"),
    ],
)
def test_a_wrong_setting_names_the_zip_and_the_key(tmp_path, grading, problem):
    with pytest.raises(AutograderError, match="ag.zip: otter_config.json's 'grading'") as error:
        info_of(tmp_path, grading=grading)
    assert problem in str(error.value)


def test_the_hand_graded_cells_the_build_names_reach_the_grader(tmp_path, assignment):
    """The build writes the answer cells of the hand-graded questions into the zip; ``grade``
    reads them with the zip's settings (no master needed) and a zip without them names none."""
    built = read_autograder(assignment.autograder_zip, cache=tmp_path / "cache")
    expected = hand_graded_cells(
        assignment.questions(), nbformat.read(assignment.autograder_notebook, as_version=4)
    )
    manual = [q for q in assignment.questions() if q.manual]
    assert manual and built.keep_outputs == tuple(expected)
    assert len(expected) >= len(manual)
    again = read_autograder(assignment.autograder_zip, cache=tmp_path / "cache")  # cached
    assert again.keep_outputs == built.keep_outputs
    kept = info_of(tmp_path, grading={"keep_outputs": ["a", "b"], "cell_timeout": 9})
    assert kept.keep_outputs == ("a", "b") and kept.limits == {"cell_timeout": 9.0}
    assert info_of(tmp_path / "plain").keep_outputs is None


def test_limits_layer_over_the_defaults_written_once():
    assert limits_from() == Limits()
    limits = limits_from({"cell_timeout": 120.0, "timeout": 1800.0}, {"timeout": 30.0})
    assert (limits.cell_timeout, limits.timeout, limits.memory_mb) == (120, 30, Limits().memory_mb)
    assert changed_from_defaults(limits) == {
        "timeout": "30 s a submission",
        "cell_timeout": "120 s a cell",
    }
    assert changed_from_defaults(Limits()) == {}


# -- Otter's totals ----------------------------------------------------------------------------


def test_points_possible_rescales_and_score_threshold_passes_or_fails(tmp_path):
    rescaled = info_of(tmp_path / "a", points_possible=20)
    assert (rescaled.possible, rescaled.total(3.0)) == (20.0, 15.0)
    threshold = info_of(tmp_path / "b", score_threshold=0.75)
    assert (threshold.possible, threshold.total(3.0), threshold.total(2.9)) == (4.0, 4.0, 0.0)
    both = info_of(tmp_path / "c", points_possible=10, score_threshold=0.5)
    assert (both.total(2.0), both.total(1.0)) == (10.0, 0.0)
    plain = info_of(tmp_path / "d")
    assert (plain.possible, plain.total(3.0), plain.totals_rule) == (4.0, 3.0, "")


# -- grade with a stand-in engine: the mode, the limits, the files, what is recorded -----------


class StandInEngine:
    """Answers like the warm worker; remembers what each submission was sent with."""

    isolation, image_engine = "none", None

    def __init__(self, mode: str, outcome: dict) -> None:
        self.name, self.outcome, self.calls = f"stand-in-{mode}", outcome, []

    def run_submission(
        self, image, ag, submission, out_dir, limits, owner="", files=None, keep_outputs=None
    ):
        self.calls.append({"name": submission.name, "limits": limits, "files": dict(files or {})})
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "grading.json").write_text(json.dumps(self.outcome))
        return SandboxRun(timed_out=False, returncode=0, log="", seconds=0.1)

    def reap(self, owner: str) -> int:
        return 0

    def close(self) -> None:
        pass


OUTCOME = {
    "status": "graded",
    "reason": "",
    "questions": [{"name": "q1", "score": 1.0, "possible": 1.0},
                  {"name": "q2", "score": 2.0, "possible": 3.0}],
    "tests": [],
    "stopped": [{"cell": 4, "limit": "the 120 s time limit of a cell"}],
}  # fmt: skip


@pytest.fixture
def engines(monkeypatch) -> list[StandInEngine]:
    made: list[StandInEngine] = []

    def detect(choice: str = "auto", mode: str = "warm") -> StandInEngine:
        made.append(StandInEngine(mode, OUTCOME))
        return made[-1]

    monkeypatch.setattr(api, "detect_engine", detect)
    return made


@pytest.fixture
def class_folder(tmp_path, nb_text) -> Path:
    root = tmp_path / "class"
    (root / "alice" / "data").mkdir(parents=True)
    (root / "alice" / "hw.ipynb").write_text(nb_text)
    (root / "alice" / "data" / "points.csv").write_text("1,2\n")
    (root / "bob.py").write_text("def f(x):\n    return x\n")
    return root


@pytest.fixture
def nb_text() -> str:
    import nbformat

    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))


def test_grade_uses_the_assignments_limits_unless_set_explicitly(tmp_path, engines, class_folder):
    zip_path = zip_with(tmp_path, grading={"cell_timeout": 120, "timeout": 900})
    said: list[str] = []
    grade([class_folder], zip_path, tmp_path / "out", engine="local", announce=said.append)
    grade([class_folder], zip_path, tmp_path / "out2", engine="local", limits={"cell_timeout": 5},
          announce=said.append)  # fmt: skip
    first, second = engines
    assert {(c["limits"].cell_timeout, c["limits"].timeout) for c in first.calls} == {(120, 900)}
    assert {(c["limits"].cell_timeout, c["limits"].timeout) for c in second.calls} == {(5, 900)}
    assert said == [
        "limits in force: 900 s a submission (ag.zip), 120 s a cell (ag.zip)",
        "limits in force: 900 s a submission (ag.zip), 5 s a cell",
    ]
    with Gradebook(tmp_path / "out" / "gradebook.sqlite") as book:
        settings = book.run_settings(book.latest_autograder())
    assert settings["limits"]["cell_timeout"] == 120.0 and settings["mode"] == "warm"


def test_grade_sends_the_files_beside_and_names_a_script_as_one(tmp_path, engines, class_folder):
    summary = grade([class_folder], zip_with(tmp_path), tmp_path / "out", engine="local")
    (engine,) = engines
    by_name = {c["name"]: c["files"] for c in engine.calls}
    assert set(by_name) == {"hw.ipynb", "bob.py"}
    assert {k: v.read_text() for k, v in by_name["hw.ipynb"].items()} == {
        "data/points.csv": "1,2\n"
    }
    assert by_name["bob.py"] == {}
    assert summary.stopped == 2
    # The script is kept as the one-cell notebook Otter grades, for hand grading.
    import nbformat

    kept = [nbformat.read(p, as_version=4) for p in (tmp_path / "out" / "submissions").iterdir()]
    assert sorted(nb.cells[0].source for nb in kept) == ["def f(x):\n    return x\n", "x = 1"]


@pytest.mark.parametrize(
    ("config", "because"),
    [
        ({"plugins": ["otter.plugins.builtin.GoogleSheetsGradeOverride"]},
         "Otter plugins (otter.plugins.builtin.GoogleSheetsGradeOverride)"),
        ({"grade_from_log": True}, "grade_from_log"),
    ],
)  # fmt: skip
def test_an_assignment_otter_must_grade_goes_to_otter_run(tmp_path, config, because):
    info = info_of(tmp_path, **config)
    line = f"ag.zip: graded by otter run in the sandbox: {because}"
    assert choose_mode(info, None) == ("otter", line)
    assert choose_mode(info, "otter") == ("otter", line)
    assert choose_mode(info, "fresh") == (
        "otter",
        f"{line} (not --mode fresh: the warm engine cannot honour them)",
    )
    assert choose_mode(info_of(tmp_path / "plain"), None) == ("warm", "")
    assert choose_mode(info_of(tmp_path / "plain"), "fresh") == ("fresh", "")


def test_the_command_line_says_why_and_the_gradebook_and_report_keep_it(
    tmp_path, engines, class_folder, capsys
):
    zip_path = zip_with(tmp_path, plugins=["otter.plugins.builtin.GoogleSheetsGradeOverride"])
    out = tmp_path / "out"
    code = main(["grade", "-a", str(zip_path), "-o", str(out), "--engine", "local",
                 "--mode", "warm", "--cell-timeout", "7", str(class_folder)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    (engine,) = engines
    assert engine.name == "stand-in-otter"  # the mode the engine was asked for
    assert {c["limits"].cell_timeout for c in engine.calls} == {7.0}
    assert (
        "ag.zip: graded by otter run in the sandbox: Otter plugins"
        " (otter.plugins.builtin.GoogleSheetsGradeOverride) (not --mode warm: the warm engine"
        " cannot honour them)" in printed
    )
    assert "limits in force: 7 s a cell\n" in printed
    assert "2 submissions had cells stopped by a limit: see the report" in printed
    with Gradebook(out / "gradebook.sqlite") as book:
        sha = book.latest_autograder()
        assert book.run_settings(sha)["mode"] == "otter"
        facts = grading_facts(book, sha, [])
    assert facts.notes == (
        "Graded by otter run in the sandbox: Otter plugins"
        " (otter.plugins.builtin.GoogleSheetsGradeOverride).",
        "Limits in force: 7 s a cell.",
    )


def test_totals_follow_otter_everywhere_but_final_grades_csv(tmp_path, engines, class_folder):
    """points_possible rescales what exports, the report and the feedback total; Otter's own
    final_grades.csv keeps otter grade's raw sums (otter/grade/utils.py: GradingResults.total)."""
    zip_path = zip_with(tmp_path, points_possible=20)
    out = tmp_path / "out"
    grade([class_folder], zip_path, out, engine="local")
    with open(out / "final_grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["total_points_earned"] == "4.0"
    assert {r["total_points_earned"] for r in rows[1:]} == {"3.0"}
    feedback = next((out / "feedback").glob("alice-*.txt")).read_text()
    assert "Autograded score: 15 / 20" in feedback
    assert "(questions: 3 / 4; the total is the question scores rescaled to 20 points" in feedback
    with Gradebook(out / "gradebook.sqlite") as book:
        info = recorded_autograder(book)
        grades, _ = compute_grades(book, QUESTIONS, autograder=info)
    assert {(g.raw_total, g.points_possible) for g in grades} == {(15.0, 20.0)}
    canvas.write(grades, None, assignment="hw", points_possible=20, path=tmp_path / "c.csv")


def test_score_threshold_totals_pass_or_fail(tmp_path, engines, class_folder):
    zip_path = zip_with(tmp_path, score_threshold=0.8)  # 3 of 4 is below it
    out = tmp_path / "out"
    grade([class_folder], zip_path, out, engine="local")
    feedback = next((out / "feedback").glob("alice-*.txt")).read_text()
    assert "Autograded score: 0 / 4" in feedback
    with Gradebook(out / "gradebook.sqlite") as book:
        grades, _ = compute_grades(book, QUESTIONS, autograder=recorded_autograder(book))
        plain, _ = compute_grades(book, QUESTIONS)
    assert {g.raw_total for g in grades} == {0.0} and {g.raw_total for g in plain} == {3.0}


def test_a_gradebook_without_a_recorded_autograder_reads_its_zip(tmp_path):
    """Runs recorded before the autograder was: its zip, if still there and unchanged."""
    zip_path = zip_with(tmp_path, points_possible=8)
    info = read_autograder(zip_path)
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        book.start_run(info.sha256, str(zip_path), "podman", None)
        assert recorded_autograder(book).possible == 8
        zip_path.unlink()
        assert recorded_autograder(book) is None


def test_feedback_and_final_grades_of_a_plain_assignment_are_unchanged(tmp_path):
    info = info_of(tmp_path)
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "grading.json").write_text(json.dumps({**OUTCOME, "stopped": []}))
    result = read_result(SandboxRun(False, 0, "", 1.0), tmp_path / "r", engine="e",
                         isolation="i", timeout=9)  # fmt: skip
    sub = Submission(Path("a.ipynb"), "a.ipynb", "a", "a" * 64, "notebook")
    text = feedback_text(sub, result, info)
    assert "Autograded score: 3 / 4\n" in text and "questions:" not in text
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        run = book.start_run(info.sha256, str(info.path), "e", None)
        book.record(sub, result, info.sha256, run)
        final_grades_csv(book, info, tmp_path / "final_grades.csv")
    rows = list(csv.reader((tmp_path / "final_grades.csv").open()))
    assert rows[2] == ["a.ipynb", "1.0", "2.0", "3.0", "0.75", "Completed"]
