"""Tests for helpers.check_submission: a small fake notebook, then the real distribution."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers import check_submission
from helpers.validate import NESTED_ENV, _failure_reason, _placeholder_lines, _read_check

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for Otter: grader.check prints what Otter prints, without needing a tests/ folder.
FAKE_OTTER = """
class _Result:
    def __init__(self, name, why=None):
        self.name, self.why = name, why

    def __repr__(self):
        if self.why is None:
            return f"{self.name} results: All test cases passed!"
        return (
            f"{self.name} results:\\n    {self.name} - 1 result:\\n"
            f"        \\u274c Test case failed\\n        Error at line 3 in test {self.name}:\\n"
            f"              assert ...\\n        AssertionError: {self.why}"
        )


class _Grader:
    def check(self, name):
        try:
            TESTS[name]()
        except Exception as e:
            return _Result(name, f"{e}")
        return _Result(name)

    def export(self):
        raise RuntimeError("grader.export must not run")


def _test_q1():
    assert double(2) == 4, "double(2) should be 4"


def _test_q2():
    assert total == 6, "total should be 6"


def _test_q3():
    assert True


TESTS = {"q1": _test_q1, "q2": _test_q2, "q3": _test_q3}
grader = _Grader()
with open("ran.txt", "w") as f:
    f.write("the run happens in a copy")
"""

UNANSWERED = {
    "q1": "def double(x):\n    ...",
    "q1b": "_Type your answer here, replacing this text._",
    "q2": "# use double\ntotal = ...",
}
ANSWERED = {
    "q1": "def double(x):\n    return 2 * x",
    "q1b": "Doubling is linear.",
    # Ellipsis in an index, a string or a comment is not a placeholder.
    "q2": (
        'import numpy as np\n\ns = "..."  # ...\ntotal = double(3) + np.zeros((2, 2))[..., 0].sum()'
    ),
}


def make_notebook(folder: Path, answers: dict[str, str], extra: list[str] = ()) -> Path:
    """Exercise 1 with parts (a) (code, check q1), (b) (written) and (c) (code, check q2)."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    tag = {"tags": ["otter_answer_cell"]}
    cells = [
        code(FAKE_OTTER),
        md("## Exercise 1 (★): Doubling"),
        md("**(a)** Define `double(x)`.\n\n_Points:_ 1"),
        code(answers["q1"], metadata=tag),
        code('grader.check("q1")'),
        md("<!-- BEGIN QUESTION -->\n\n**(b)** Why is doubling linear?\n\n_Points:_ 1"),
        md(answers["q1b"], metadata=tag),
        md("<!-- END QUESTION -->\n\n**(c)** Set `total` to `double(3)`."),
        code(answers["q2"], metadata=tag),
        code('grader.check("q2")'),
        *(code(source) for source in extra),
        # Would fail if run: check_submission must skip both.
        code("check_submission_is_not_defined_here = check_submission()"),
        code("# Save first!\ngrader.export()"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "derivatives.ipynb"
    nbformat.write(nb, path)
    return path


def test_placeholders_are_bare_ellipses_only():
    assert _placeholder_lines("def f(x):\n    ...") == ["..."]
    assert _placeholder_lines('d = {"x": ...}\ny = a[..., 0]') == ['d = {"x": ...}']
    assert _placeholder_lines('s = "..."  # ...\nt = a[1:, ...]') == []
    assert _placeholder_lines("%matplotlib inline\nx = ...") == ["x = ..."]
    assert _placeholder_lines("def f(:\n    ...") is None


def test_a_failing_otter_result_gives_its_error_line():
    text = (
        "q1b results:\n    q1b - 1 message: A public sanity check failed (details below).\n\n"
        "    q1b - 1 result:\n        ❌ Test case failed\n        Error at line 19 in test q1b:\n"
        "              assert np.isclose(value, numeric), 'g_prime(1.0) disagrees.'\n"
        "        AssertionError: g_prime(1.0) disagrees."
    )
    assert _failure_reason(text) == "AssertionError: g_prime(1.0) disagrees."
    cell = {"outputs": [{"output_type": "execute_result", "data": {"text/plain": text}}]}
    assert _read_check(cell) == ("failed", "AssertionError: g_prime(1.0) disagrees.")
    passed = {"output_type": "execute_result", "data": {"text/plain": "q1 results: All test "}}
    passed["data"]["text/plain"] += "cases passed!\nq1 - 1 message: ok"
    assert _read_check({"outputs": [passed]}) == ("passed", "")
    assert _read_check({"outputs": []})[0] == "not run"


def test_without_running_names_every_unanswered_part(tmp_path, monkeypatch, capsys):
    make_notebook(tmp_path, UNANSWERED)
    monkeypatch.chdir(tmp_path)
    assert check_submission(run=False) is False
    out = capsys.readouterr().out
    assert "3 answer(s) still to write" in out
    assert "q1 (Exercise 1 (a)): still contains the `...` placeholder" in out
    assert 'Exercise 1 (b): written answer still says "Type your answer here' in out
    assert "q2 (Exercise 1 (c)): still contains `...`: `total = ...`" in out
    assert "NOT READY" in out


def test_without_running_an_answered_notebook_passes(tmp_path, capsys):
    path = make_notebook(tmp_path, ANSWERED)
    assert check_submission(str(path), run=False) is True
    assert "Every question has an answer." in capsys.readouterr().out


def test_missing_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert check_submission() is False
    assert "derivatives.ipynb not found" in capsys.readouterr().out


def test_does_nothing_inside_its_own_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(NESTED_ENV, "1")
    assert check_submission(str(tmp_path / "nowhere.ipynb")) is True
    assert "skipped" in capsys.readouterr().out


@pytest.mark.slow
def test_run_of_an_answered_notebook_passes_and_touches_nothing(tmp_path, capsys):
    path = make_notebook(tmp_path / "hw", ANSWERED)
    # A public test whose grader.check cell was deleted is still checked.
    (tmp_path / "hw" / "tests").mkdir()
    (tmp_path / "hw" / "tests" / "q3.py").write_text("# a public test\n")
    before = path.read_bytes()
    assert check_submission(str(path), timeout=60) is True
    out = capsys.readouterr().out
    assert "All 3 public checks pass in a fresh kernel." in out
    assert "runs top to bottom without an error" in out
    assert "READY" in out and "NOT READY" not in out
    assert path.read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "hw").iterdir()) == ["derivatives.ipynb", "tests"]


@pytest.mark.slow
def test_run_names_failing_checks_and_the_first_failing_cell(tmp_path, capsys):
    answers = dict(ANSWERED, q1="def double(x):\n    return x + 3")
    answers["q2"] = "total = double(3) + not_defined"
    path = make_notebook(tmp_path, answers, extra=["import time\ntime.sleep(30)", "late = 1"])
    assert check_submission(str(path), timeout=3) is False
    out = capsys.readouterr().out
    assert "Every question has an answer." in out
    assert "2 of 2 public checks do not pass" in out
    assert "q1 fails: AssertionError: double(2) should be 4" in out
    assert "q2 fails: AssertionError: name 'total' is not defined" in out
    assert (
        "First failing cell: q2 (Exercise 1 (c)): NameError: name 'not_defined' is not defined"
        in out
    )
    assert "NOT READY" in out


@pytest.mark.slow
def test_run_reports_a_cell_that_hangs(tmp_path, capsys):
    path = make_notebook(tmp_path, ANSWERED, extra=["import time\ntime.sleep(30)"])
    assert check_submission(str(path), timeout=2) is False
    out = capsys.readouterr().out
    assert "All 2 public checks pass" in out
    assert (
        "First failing cell: cell 11, after q2 (Exercise 1 (c)): did not finish within 2 s" in out
    )


@pytest.fixture
def student_copy(tmp_path) -> Path:
    folder = tmp_path / "student"
    shutil.copytree(ROOT / "dist" / "derivatives" / "student", folder)
    return folder


def checks_in_notebook_order(folder: Path) -> list[str]:
    nb = nbformat.read(folder / "derivatives.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    found = [re.search(r'grader\.check\("(\w+)"\)', source) for source in code]
    return [m.group(1) for m in found if m]


@pytest.mark.slow
def test_the_untouched_student_notebook_is_not_ready(student_copy, monkeypatch, capsys):
    nb = nbformat.read(student_copy / "derivatives.ipynb", as_version=4)
    answer_cells = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    checks = sorted(p.stem for p in (student_copy / "tests").glob("q*.py"))
    assert sorted(checks_in_notebook_order(student_copy)) == checks
    monkeypatch.chdir(student_copy)
    assert check_submission() is False
    out = capsys.readouterr().out
    assert f"{len(answer_cells)} answer(s) still to write" in out
    for label in ["q1a (Exercise 1 (a))", "Exercise 3 (a)", "Exercise 4 (d, explanation)"]:
        assert f"      - {label}: " in out
    assert "Exercise 9, Derivation: written answer still says" in out
    assert "q10 (Exercise 10): still contains the `...` placeholder" in out
    assert f"{len(checks)} of {len(checks)} public checks do not pass" in out
    waiting = f"- {len(checks)} fail because they are not answered yet: "
    assert waiting in out
    listed = out.split(waiting, 1)[1].split("[ ]", 1)[0]
    assert [n.strip() for n in listed.split(",")] == checks_in_notebook_order(student_copy)
    # The self-check cell after q3d loops over its unanswered `...`.
    assert "after q3d (Exercise 3 (d)): TypeError" in out
    assert not list(student_copy.glob("*.zip"))  # the export cell did not run


@pytest.mark.slow
def test_the_strong_reference_submission_is_ready(student_copy, capsys):
    notebook = student_copy / "derivatives.ipynb"
    shutil.copyfile(ROOT / "master" / "derivatives" / "samples" / "strong.ipynb", notebook)
    assert check_submission(str(notebook)) is True
    out = capsys.readouterr().out
    assert "Every question has an answer." in out
    assert "public checks pass in a fresh kernel" in out
    assert "READY: everything is answered" in out
