"""The outputs of hand-graded cells kept from the grading run: the right cells only, checked and
bounded whatever the student process sends, and without touching the score.

The checks of ``outputs`` run on crafted payloads (what a hostile student process could send
over the channel: it holds the channel and may write anything to it); the notebooks are graded
in-process by the worker's own grader (``in_process_grader`` of ``test_worker_units``).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

import nbformat
import pytest

from grading.manual import manual_answer_cells
from grading.sandbox.worker import outputs
from grading.sandbox.worker.outputs import clean_cell, clean_cells, is_note, question_cells

PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def png_output(data: bytes = PNG_1x1) -> dict:
    encoded = base64.b64encode(data).decode()
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": encoded, "text/plain": "<Figure>"}}  # fmt: skip


def notes(kept: list[dict]) -> list[str]:
    return [o["data"]["text/plain"] for o in kept if is_note(o)]


# -- what the checks let through ------------------------------------------------------------


def test_a_real_png_text_html_streams_and_errors_are_kept_as_nbformat_outputs():
    raw = [
        {"output_type": "stream", "name": "stdout", "text": "a\n"},
        {"output_type": "stream", "name": "stdout", "text": "b\n"},
        png_output(),
        {"output_type": "display_data", "data": {"text/html": "<b>x</b>"}, "metadata": {}},
        {"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {},
         "execution_count": 7},
        {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["x"]},
    ]  # fmt: skip
    kept = clean_cell(raw, outputs.Budget())
    assert [o["output_type"] for o in kept] == [
        "stream", "display_data", "display_data", "execute_result", "error"
    ]  # fmt: skip
    assert kept[0]["text"] == "a\nb\n"  # consecutive streams merged, as Jupyter saves them
    assert base64.b64decode(kept[1]["data"]["image/png"]) == PNG_1x1
    assert kept[4]["traceback"] == []
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=kept)])
    nbformat.validate(notebook)  # well-formed nbformat v4


@pytest.mark.parametrize(
    "hostile, why",
    [
        (png_output(b"GIF89a" + b"\0" * 40), "not a PNG"),
        ({"output_type": "display_data", "metadata": {},
          "data": {"image/png": "not base64 at all!"}}, "not base64"),
        ({"output_type": "display_data", "metadata": {},
          "data": {"application/javascript": "alert(1)"}}, "application/javascript"),
        ({"output_type": "display_data", "metadata": {},
          "data": {"image/svg+xml": "<svg onload=alert(1)>"}}, "image/svg+xml"),
        ({"output_type": "update_display_data", "data": {}}, "update_display_data"),
        ("a string where an output belongs", "malformed"),
        ({"output_type": "stream", "name": "/etc/passwd", "text": "x"}, "malformed"),
        ({"output_type": "display_data", "data": {"text/plain": {"nested": "object"}}},
         "malformed"),
    ],
)  # fmt: skip
def test_what_is_not_an_allowed_well_formed_output_is_left_out_and_said(hostile, why):
    kept = clean_cell([hostile], outputs.Budget())
    shown = [o for o in kept if not is_note(o)]
    assert all(set(o.get("data", {})) <= {"text/plain"} for o in shown)  # its text at most
    assert any(why in text for text in notes(kept)), notes(kept)


def test_a_student_cannot_pass_a_note_of_ours_or_metadata_of_its_own():
    forged = outputs.note("[grading run: all fine, trust me]")
    forged["metadata"]["onload"] = "x"
    kept = clean_cell([forged, {**png_output(), "metadata": {"image/png": {"width": "1e9"},
                                                           "evil": "<script>"}}],
                      outputs.Budget())  # fmt: skip
    assert not any(is_note(o) for o in kept)  # a student's "note" is a plain output now
    assert kept[1]["metadata"] == {}
    assert clean_cell([forged], outputs.Budget(), notes_trusted=True)[0] == outputs.note(
        "[grading run: all fine, trust me]"
    )  # only the worker's grading.json keeps its notes


def test_huge_text_too_many_outputs_and_the_submission_budget_are_bounded_with_a_note():
    huge = [{"output_type": "stream", "name": "stdout", "text": "x" * 10_000_000}]
    kept = clean_cell(huge, outputs.Budget())
    assert len(kept[0]["text"]) == outputs.MAX_TEXT
    assert any("cut to" in t for t in notes(kept))
    many = [png_output() for _ in range(5000)]
    kept = clean_cell(many, outputs.Budget())
    assert len([o for o in kept if not is_note(o)]) == outputs.MAX_OUTPUTS
    assert any(f"first {outputs.MAX_OUTPUTS}" in t for t in notes(kept))
    big = {f"cell-{i}": [{"output_type": "stream", "name": "stdout", "text": "y" * 90_000}]
           for i in range(100)}  # fmt: skip
    cells = clean_cells(big)
    total = sum(len(o.get("text", "")) for kept in cells.values() for o in kept)
    assert total <= outputs.MAX_SUBMISSION
    assert any(notes(kept) for kept in cells.values())


def test_cell_ids_and_the_whole_payload_are_checked():
    assert clean_cells("not a dict") == {}
    assert clean_cells({"../../etc": [png_output()], "ok-1": [png_output()]}).keys() == {"ok-1"}
    assert clean_cells({"x" * 65: []}) == {}


def test_otters_question_regions_name_the_code_cells_between_begin_and_end(student_nb):
    def cell(kind: str, source: str, cell_id: str) -> dict:
        return {"cell_type": kind, "source": source, "id": cell_id, "metadata": {}}

    notebook = {"cells": [
        cell("code", "before = 1", "c0"),
        cell("markdown", "<!-- BEGIN QUESTION -->\n**(a)** plot", "m1"),
        cell("code", "plot()", "c1"),
        cell("markdown", "<!-- END QUESTION -->\n\n<!-- BEGIN QUESTION -->\n(b)", "m2"),
        cell("code", "explain()", "c2"),
        cell("markdown", "<!--END QUESTION-->", "m3"),
        cell("code", "after = 1", "c3"),
    ]}  # fmt: skip
    assert question_cells(notebook) == ["c1", "c2"]
    assert question_cells("garbage") == [] and question_cells({"cells": [1, None]}) == []
    # In the derivatives notebook Otter Assign's regions hold exactly the figure cells we name.
    code_ids = {c.id for c in student_nb.cells if c.cell_type == "code"}
    regions = set(question_cells(json.loads(nbformat.writes(student_nb))))
    assert regions and regions <= code_ids


# -- graded in the worker ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def grade(assignment):
    from grading.sandbox.worker.grader import Autograder, NotebookRun, Settings
    from grading.sandbox.worker.sandboxing import ChildLimits
    from grading.sandbox.worker.zygote import Zygote, preload

    preload()
    zygote = Zygote.start()
    autograder = Autograder(assignment.autograder_zip.read_bytes(), Path(tempfile.mkdtemp()))
    settings = Settings(uid=os.getuid(), cell_timeout=20, timeout=120,
                        limits=ChildLimits(memory_mb=2048, processes=64))  # fmt: skip

    def run(notebook: bytes, keep: list[str] | None) -> dict:
        return NotebookRun(autograder, zygote, settings).grade(notebook, "n.ipynb", None, keep)

    yield run
    zygote.stop()


def _figure_cells(assignment) -> list[str]:
    student = nbformat.read(assignment.student_notebook, as_version=4)
    code = {c.id for c in student.cells if c.cell_type == "code"}
    return [c for c in manual_answer_cells(assignment) if c in code]


def test_the_strong_sample_keeps_its_figures_for_the_named_cells_only(grade, assignment):
    notebook = (assignment.samples_dir / "strong.ipynb").read_bytes()
    figure_cells = _figure_cells(assignment)
    assert figure_cells, "derivatives has hand-graded figure cells"
    kept = grade(notebook, manual_answer_cells(assignment))
    assert kept["status"] == "graded"
    assert set(kept["outputs"]) == set(figure_cells)
    for cell in figure_cells:
        pngs = [o for o in kept["outputs"][cell] if "image/png" in o.get("data", {})]
        assert len(pngs) == 1
        assert base64.b64decode(pngs[0]["data"]["image/png"]).startswith(outputs.PNG_SIGNATURE)
    none = grade(notebook, [])
    assert none["outputs"] == {}
    assert {q["name"]: q["score"] for q in none["questions"]} == {
        q["name"]: q["score"] for q in kept["questions"]
    }
    # Without a master, Otter's regions of the notebook name the same cells.
    assert set(grade(notebook, None)["outputs"]) == set(figure_cells)


HOSTILE_CELL = r"""
import base64, json, sys
from IPython.display import HTML, display
print("p" * 3_000_000)
for i in range(3000):
    display({"image/png": base64.b64encode(b"\x89PNG fake").decode(), "text/plain": str(i)},
            raw=True)
display(HTML("<script>alert(1)</script><img src=x onerror=alert(2)>"))
import matplotlib.pyplot as plt
for i in range(40):
    plt.figure(); plt.plot([i, 1])
# Write to the channel directly: a forged reply full of bogus outputs.
student = [o for o in __import__("gc").get_objects() if type(o).__name__ == "Student"][0]
student.channel.send({"op": "ran", "ok": True, "errors": [], "exit": False,
                      "seq": 10**9, "outputs": [{"output_type": "bogus"}] * 10})
"""


def test_a_hostile_cell_gets_nothing_past_the_bounds_and_keeps_the_score(grade, assignment):
    reference = (assignment.samples_dir / "strong.ipynb").read_bytes()
    baseline = grade(reference, manual_answer_cells(assignment))
    nb = nbformat.reads(reference.decode(), as_version=4)
    (cell_id,) = _figure_cells(assignment)[:1]
    target = next(c for c in nb.cells if c.get("id") == cell_id)
    target.source = target.source + "\n" + HOSTILE_CELL
    outcome = grade(nbformat.writes(nb).encode(), manual_answer_cells(assignment))
    kept = outcome["outputs"].get(cell_id, [])
    # The forged reply broke the protocol: the worker stops that process, replays the notebook
    # without the cell, and every other answer keeps its score.
    scores = {q["name"]: q["score"] for q in outcome["questions"]}
    expected = {q["name"]: q["score"] for q in baseline["questions"]}
    assert {k: v for k, v in scores.items() if k != "q5e_plot"} == {
        k: v for k, v in expected.items() if k != "q5e_plot"
    }
    assert len(json.dumps(outcome["outputs"])) <= outputs.MAX_SUBMISSION + 100_000
    for output in kept:
        assert output["output_type"] in ("stream", "display_data", "execute_result", "error")
        for mime, value in output.get("data", {}).items():
            assert mime in outputs.MIME_TYPES
            if mime == "image/png":
                assert base64.b64decode(value).startswith(outputs.PNG_SIGNATURE)
    assert len([o for o in kept if not is_note(o)]) <= outputs.MAX_OUTPUTS


def test_a_hostile_cell_that_stays_in_protocol_is_bounded(grade, assignment):
    reference = (assignment.samples_dir / "strong.ipynb").read_bytes()
    nb = nbformat.reads(reference.decode(), as_version=4)
    (cell_id,) = _figure_cells(assignment)[:1]
    target = next(c for c in nb.cells if c.get("id") == cell_id)
    target.source = HOSTILE_CELL.split("# Write to the channel")[0]
    outcome = grade(nbformat.writes(nb).encode(), manual_answer_cells(assignment))
    assert outcome["status"] == "graded"
    kept = outcome["outputs"][cell_id]
    text = [o for o in kept if o["output_type"] == "stream"]
    assert text and len(text[0]["text"]) == outputs.MAX_TEXT
    figures = [o for o in kept if "image/png" in o.get("data", {})]
    assert all(base64.b64decode(f["data"]["image/png"]).startswith(outputs.PNG_SIGNATURE)
               for f in figures)  # fmt: skip
    assert not any(o.get("data", {}).get("text/plain", "").isdigit() and "image/png" in o["data"]
                   for o in kept)  # fmt: skip  # no fake PNG came through
    assert len([o for o in kept if not is_note(o)]) <= outputs.MAX_OUTPUTS
    assert any("not a PNG" in t for t in notes(kept))
    assert any("cut to" in t for t in notes(kept))
    scores = {q["name"]: q["score"] for q in outcome["questions"]}
    assert scores == {q["name"]: q["score"] for q in grade(reference, [])["questions"]}
