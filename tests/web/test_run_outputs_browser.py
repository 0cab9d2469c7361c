"""Figures from the grading run, as a hand grader sees them in Debian's Chromium (keyboard only),
and in the packets.

Four notebooks graded by `python -m grading grade` in podman: the strong sample as it is (it
saved no outputs), the same notebook saved after a run (its saved outputs are the grading run's),
that one with its outputs cleared, and one whose figure cell draws nothing but whose JSON holds a
pasted picture. The grading run's figure must show in the grading-run section (a label of ours,
outside the student's content), and the "differs" flag exactly where the saved outputs are not
what the grading run produced. Screenshots to $GRADING_ARTIFACTS/feedback/.
"""

from __future__ import annotations

import base64
import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grading.api import export_manual
from grading.gradebook import Gradebook
from grading.manual import manual_answer_cells

from .conftest import ROOT, Shots, login, start_server, stop_server

pytestmark = pytest.mark.slow
QUESTION = "q5e_plot"
PASTED_PNG = base64.b64decode(  # a 1x1 picture, pasted into the JSON by hand
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def grade(notebooks: Path, out: Path, assignment) -> None:
    command = [sys.executable, "-m", "grading", "grade", "--engine", "podman",
               "--autograder", str(assignment.autograder_zip), "--out", str(out),
               str(notebooks)]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]


def figure_cell(assignment) -> str:
    student = nbformat.read(assignment.student_notebook, as_version=4)
    code = {c.id for c in student.cells if c.cell_type == "code"}
    (cell,) = [c for c in manual_answer_cells(assignment) if c in code][:1]
    return cell


@pytest.fixture(scope="module")
def graded(assignment, podman, grading_image, tmp_path_factory) -> Path:
    """The strong sample graded first (its run's outputs are what "ran" saved), then the
    variants beside it."""
    folder = tmp_path_factory.mktemp("run-outputs")
    first, out = folder / "first", folder / "out"
    first.mkdir()
    strong = nbformat.read(assignment.samples_dir / "strong.ipynb", as_version=4)
    nbformat.write(strong, first / "strong.ipynb")
    grade(first, out, assignment)
    with Gradebook(out / "gradebook.sqlite") as book:
        (sha,) = [r.sha256 for r in book.rows(book.latest_autograder())]
        run = book.run_outputs(sha)
    cell_id = figure_cell(assignment)
    assert any("image/png" in o.get("data", {}) for o in run[cell_id])

    ran = copy.deepcopy(strong)
    for cell in ran.cells:
        if cell.get("id") in run:
            cell.outputs = nbformat.from_dict(run[cell.id])
    cleared = copy.deepcopy(ran)
    for cell in cleared.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    pasted = copy.deepcopy(strong)
    target = next(c for c in pasted.cells if c.get("id") == cell_id)
    target.source = "# the figure was drawn elsewhere"
    target.outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": base64.b64encode(PASTED_PNG).decode(),
                              "text/plain": "<Figure size 1500x400 with 3 Axes>"})]  # fmt: skip
    variants = folder / "variants"
    variants.mkdir()
    for name, nb in (("ran", ran), ("cleared", cleared), ("pasted", pasted)):
        nbformat.write(nb, variants / f"{name}.ipynb")
    grade(variants, out, assignment)
    return out


@pytest.fixture(scope="module")
def feedback_shots(tmp_path_factory) -> Shots:
    """Screenshots for $GRADING_ARTIFACTS/feedback/ (the issue's folder)."""
    shots = Shots(tmp_path_factory.mktemp("run-output-shots"))
    wanted = os.environ.get("GRADING_ARTIFACTS", "")
    if wanted:
        base = ROOT / "artifacts" if wanted.lower() in ("1", "true", "yes") else Path(wanted)
        shots.artifacts = base / "feedback"
    return shots


@pytest.fixture(scope="module")
def app(graded, tmp_path_factory):
    log = tmp_path_factory.mktemp("mark-log") / "mark.log"
    running = start_server(graded, log)
    try:
        yield running
    finally:
        stop_server(running.proc)


@pytest.fixture(scope="module")
def pages(app, new_context, graded):
    """The q5e_plot page of each notebook, reached from the start page by keyboard only."""
    watched = new_context()
    page = login(watched, app, "tess")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == QUESTION:
            break
    else:
        pytest.fail(f"{QUESTION} cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with Gradebook(graded / "gradebook.sqlite") as book:
        numbers = book.anonymous_numbers(["strong", "ran", "cleared", "pasted"])
    return watched, page, numbers


def go_to(page, number: int) -> None:
    """Move with j (next) / k (previous) until answer sheet ``number`` is shown."""
    page.wait_for_selector("#answer")
    for _ in range(10):
        current = int(page.url.split("?")[0].rsplit("/", 1)[1])
        if current == number:
            page.wait_for_selector("html[data-math-rendered]")
            return
        with page.expect_navigation():
            page.keyboard.press("j" if current < number else "k")
    pytest.fail(f"answer sheet #{number} not reached")


def run_figure(page) -> dict:
    """The first <img> of the grading-run section: decoded, its size, and where it sits."""
    return page.evaluate(
        """async () => {
        const img = document.querySelector('#answer section.run-outputs img');
        if (!img) return null;
        await img.decode();
        const section = img.closest('section.run-outputs');
        return {width: img.naturalWidth, height: img.naturalHeight,
                label: section.querySelector(':scope > h3.outputs-label').textContent,
                inSaved: !!img.closest('.saved-outputs'),
                inIframe: window.top !== window.self};
    }"""
    )


def test_the_strong_sample_shows_the_figure_of_the_grading_run(pages, feedback_shots):
    watched, page, numbers = pages
    go_to(page, numbers["strong"])
    figure = run_figure(page)
    assert figure is not None, "no figure in the grading-run section"
    assert figure["width"] > 100 and figure["height"] > 50
    assert figure["label"] == "From the grading run" and not figure["inSaved"]
    # It saved no outputs: the flag says so.
    assert "saved no outputs" in page.inner_text("#answer .differs")
    page.locator("#answer section.run-outputs").scroll_into_view_if_needed()
    feedback_shots.take(page, "run-outputs-01-strong-q5e")
    assert watched.outside == [] and watched.errors == [] and watched.dialogs == []


def test_saved_outputs_equal_to_the_run_raise_no_flag(pages):
    _, page, numbers = pages
    go_to(page, numbers["ran"])
    assert run_figure(page) is not None
    assert page.locator("#answer .saved-outputs img").count() >= 1
    assert page.locator("#answer .differs").count() == 0


def test_cleared_outputs_still_show_the_run_figure_and_the_flag(pages, feedback_shots):
    _, page, numbers = pages
    go_to(page, numbers["cleared"])
    figure = run_figure(page)
    assert figure is not None and figure["width"] > 100
    assert page.locator("#answer .saved-outputs img").count() == 0
    flag = page.locator("#answer .differs")
    assert flag.is_visible() and "saved no outputs" in flag.inner_text()
    page.locator("#answer .cell-compare").first.scroll_into_view_if_needed()
    feedback_shots.take(page, "run-outputs-02-cleared-q5e")


def test_a_pasted_picture_is_flagged(pages, feedback_shots):
    watched, page, numbers = pages
    go_to(page, numbers["pasted"])
    assert run_figure(page) is None  # its code draws nothing
    assert page.locator("#answer .saved-outputs img").count() == 1
    flag = page.locator("#answer .differs")
    assert flag.is_visible() and "1 figure(s) saved, 0 in the grading run" in flag.inner_text()
    page.locator("#answer .cell-compare").first.scroll_into_view_if_needed()
    feedback_shots.take(page, "run-outputs-03-pasted-q5e")
    assert watched.outside == [] and watched.errors == [] and watched.dialogs == []


def test_the_packets_hold_the_run_figure(graded, assignment, tmp_path):
    export_manual(graded / "gradebook.sqlite", assignment, tmp_path)
    strong = (tmp_path / "packets" / "strong.html").read_text()
    assert strong.count("<img") > 0  # `grep -c '<img'`, as the issue counts
    assert 'class="run-outputs"' in strong and "From the grading run" in strong
    pasted = (tmp_path / "packets" / "pasted.html").read_text()
    assert "1 figure(s) saved, 0 in the grading run" in pasted
