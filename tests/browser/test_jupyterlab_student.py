"""A student's session in real JupyterLab, end to end: answer, check, plot, export, grade.

The student folder is served by `jupyter lab`; chromium (through Playwright) runs the Otter and
set-up cells, answers q1a correctly and q1b wrongly, runs their `grader.check` cells, draws a
plot, saves, runs `check_submission`, exports the zip (clicking Otter's "Continue export" since
no PDF can be made here) and the zip is graded by `python -m grading grade`. The scores must
agree with what the page showed. Screenshots of each step are kept (see `shots`).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grading.assignments import read_questions

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AUTOGRADER_ZIP = ROOT / "dist" / "derivatives" / "autograder" / "derivatives-autograder.zip"
MASTER = ROOT / "master" / "derivatives" / "derivatives.ipynb"

RIGHT_Q1A = "def f_prime(x):\n    return 12 * x**3 - 4 * x + 7"
WRONG_Q1B = "def g_prime(x):\n    return np.exp(x) / (2 * np.sqrt(x))"
PLOT = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1])\nplt.show()"
CHECK = "from helpers import check_submission\n\ncheck_submission();"

# Cell indices in the student notebook (asserted against its sources below).
INIT, SETUP, Q1A, Q1A_CHECK, Q1B, Q1B_CHECK = 0, 2, 5, 6, 8, 9
TIMEOUT_MS = 60_000


class Shots:
    """Numbered screenshots in the test's tmp folder, copied to $GRADING_ARTIFACTS if set."""

    def __init__(self, page, folder: Path) -> None:
        self.page, self.folder, self.paths = page, folder, []
        folder.mkdir(parents=True, exist_ok=True)
        artifacts = os.environ.get("GRADING_ARTIFACTS")
        self.artifacts = Path(artifacts) if artifacts else None

    def __call__(self, name: str, target=None, block: str = "center") -> Path:
        """Screenshot the page, scrolled so that ``target`` is at ``block`` of the view."""
        path = self.folder / f"{len(self.paths) + 1:02d}-{name}.png"
        if target is not None:
            target.evaluate("(e, block) => e.scrollIntoView({block})", block)
            time.sleep(0.3)  # let CodeMirror and MathJax paint what came into view
        self.page.screenshot(path=str(path))
        self.paths.append(path)
        if self.artifacts is not None:
            self.artifacts.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, self.artifacts / path.name)
        print(f"screenshot: {path}")
        return path


def cells(page):
    return page.locator(".jp-Notebook .jp-Cell")


def wait_idle(page, timeout: float = TIMEOUT_MS) -> None:
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=timeout)


def run_cell(page, cell) -> str:
    """Run one code cell with Shift+Enter and return its outputs' text once it has finished."""
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    prompt = cell.locator(".jp-InputArea-prompt")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not re.fullmatch(r"\[\d+\]:", prompt.inner_text().strip()):
        assert time.monotonic() < deadline, f"cell did not finish: {prompt.inner_text()!r}"
        time.sleep(0.1)
    wait_idle(page)
    return cell.locator(".jp-OutputArea").inner_text()


def set_source(page, cell, source: str) -> None:
    """Replace a code cell's text (CodeMirror 6): select all, insert (no auto-indent)."""
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    lines = cell.locator(".cm-content .cm-line").all_inner_texts()
    editor_text = "\n".join(line.rstrip("\n").replace("\xa0", " ") for line in lines)
    assert editor_text == source, editor_text


def add_cell_below(page, index: int, source: str):
    """Insert a code cell under cell ``index`` (command mode, key B) holding ``source``."""
    cells(page).nth(index).locator(".jp-InputArea-prompt").click()  # selects it
    page.keyboard.press("Escape")
    count = cells(page).count()
    page.keyboard.press("b")
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n + 1", arg=count
    )
    new = cells(page).nth(index + 1)
    assert "jp-mod-selected" in (new.get_attribute("class") or "")
    set_source(page, new, source)
    return new


def save_and_wait(page, root: Path, expect_text: str) -> None:
    """Ctrl+S, then wait until the file on disk has the expected text."""
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    path = root / "derivatives.ipynb"
    deadline = time.monotonic() + 30
    while expect_text not in path.read_text():
        assert time.monotonic() < deadline, "the notebook was not saved"
        time.sleep(0.2)


def grade(zip_path: Path, out: Path) -> dict[str, tuple[float, float]]:
    command = [
        sys.executable, "-m", "grading", "grade", "--engine", "local",
        "--autograder", str(AUTOGRADER_ZIP), "--out", str(out), str(zip_path),
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        rows = db.execute("SELECT question, score, possible FROM question_results").fetchall()
    return {q: (score, possible) for q, score, possible in rows}


def test_student_session_in_jupyterlab(lab, browser, tmp_path):
    student = nbformat.read(lab.root / "derivatives.ipynb", as_version=4)
    assert "otter.Notebook" in student.cells[INIT].source
    assert "Set-up complete" in student.cells[SETUP].source
    assert student.cells[Q1A].source.startswith("def f_prime(x):")
    assert student.cells[Q1A_CHECK].source == 'grader.check("q1a")'
    assert student.cells[Q1B].source.startswith("def g_prime(x):")
    assert student.cells[Q1B_CHECK].source == 'grader.check("q1b")'

    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    shots = Shots(page, tmp_path / "screenshots")
    try:
        page.goto(f"{lab.url}/lab/tree/derivatives.ipynb?token={lab.token}")
        cells(page).nth(len(student.cells) - 1).wait_for(state="attached")
        wait_idle(page)
        shots("notebook-open")

        # 1. Otter and the set-up cell.
        init_out = run_cell(page, cells(page).nth(INIT))
        setup_out = run_cell(page, cells(page).nth(SETUP))
        assert "Set-up complete." in setup_out
        for out in (init_out, setup_out):
            assert "Error" not in out and "Traceback" not in out, out
        shots("setup-run", cells(page).nth(SETUP).locator(".jp-OutputArea"))

        # 2. A right answer to q1a and a wrong one to q1b, each checked.
        set_source(page, cells(page).nth(Q1A), RIGHT_Q1A)
        assert run_cell(page, cells(page).nth(Q1A)).strip() == ""
        q1a_out = run_cell(page, cells(page).nth(Q1A_CHECK))
        set_source(page, cells(page).nth(Q1B), WRONG_Q1B)
        assert run_cell(page, cells(page).nth(Q1B)).strip() == ""
        q1b_out = run_cell(page, cells(page).nth(Q1B_CHECK))
        shots("q1a-passes", cells(page).nth(Q1A), "start")
        shots("q1b-fails", cells(page).nth(Q1B_CHECK), "end")

        assert "q1a passed!" in q1a_out, q1a_out
        assert "hidden tests run after you submit" in q1a_out, q1a_out
        assert "q1b results" in q1b_out and "passed!" not in q1b_out, q1b_out
        assert "disagrees with a centered difference" in q1b_out, q1b_out
        assert "hidden tests that run after you submit are stricter" in q1b_out, q1b_out
        page_text = page.locator(".jp-Notebook").text_content()
        assert "test_q1b_hidden" not in page_text and "hidden=True" not in page_text
        assert "2.25" not in page_text  # an expected value of q1b's hidden test

        # 3. Plots show inline.
        plot_cell = add_cell_below(page, Q1B_CHECK, PLOT)
        plot_out = run_cell(page, plot_cell)
        assert "Error" not in plot_out, plot_out
        plot_cell.locator(".jp-OutputArea-output img").wait_for()
        shots("inline-plot", plot_cell, "start")

        # 4. Save, then check the saved notebook with check_submission.
        save_and_wait(page, lab.root, "12 * x**3 - 4 * x + 7")
        check_cell = add_cell_below(page, Q1B_CHECK + 1, CHECK)
        report = run_cell(page, check_cell)
        shots("check-submission-top", check_cell, "start")
        shots("check-submission-end", check_cell, "end")
        assert "Submission check: derivatives.ipynb" in report, report
        assert "q1a" not in report  # answered, and its check passes
        assert "q1b (Exercise 1 (b))" not in report  # answered, though wrongly
        assert "q1c (Exercise 1 (c)): still contains the `...` placeholder" in report
        assert "q1b fails: AssertionError: g_prime(1.0) disagrees" in report
        assert "NOT READY" in report
        # The scratch check cell is not part of the submission.
        check_cell.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Escape")
        count = cells(page).count()
        page.keyboard.press("d")
        page.keyboard.press("d")
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n - 1", arg=count
        )

        # 5. Save and export; no PDF can be made here, so Otter asks to continue without one.
        save_and_wait(page, lab.root, "plt.plot([0, 1], [0, 1])")
        saved = nbformat.read(lab.root / "derivatives.ipynb", as_version=4)
        # Only the notebook's own check cell remains (tagged otter_ignore: never graded).
        own = [c for c in saved.cells if "check_submission" in c.source]
        assert len(own) == 1 and "otter_ignore" in own[0].metadata.get("tags", [])
        export_cell = cells(page).filter(has_text="grader.export()")
        assert export_cell.count() == 1
        export_cell.scroll_into_view_if_needed()
        export_cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        button = export_cell.get_by_role("button", name="Continue export")
        button.wait_for()
        message = export_cell.get_by_text("A PDF of your written answers could not be made")
        shots("export-message", message, "start")
        shots("export-asks-to-continue", button, "end")
        button.click()
        exported = export_cell.get_by_text("Your submission has been exported")
        exported.wait_for()
        shots("exported", exported, "end")
        deadline = time.monotonic() + 30
        while not (zips := sorted(lab.root.glob("derivatives_*.zip"))):
            assert time.monotonic() < deadline, "no zip was written"
            time.sleep(0.2)
        assert len(zips) == 1
    finally:
        page.close()

    # 6. Grade the zip as an instructor does: q1a full marks, q1b and everything else 0.
    scores = grade(zips[0], tmp_path / "graded")
    autograded = [q.name for q in read_questions(MASTER) if not q.manual]
    print("graded:", {q: scores[q][0] for q in autograded})
    assert set(autograded) <= set(scores)
    score, possible = scores["q1a"]
    assert possible == 1 and score == possible
    for name in autograded:
        if name != "q1a":
            assert scores[name][0] == 0, (name, scores[name])
    print("screenshots:\n" + "\n".join(str(p) for p in shots.paths))
