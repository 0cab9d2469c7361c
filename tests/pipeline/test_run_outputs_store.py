"""The outputs of the grading run on their way to the gradebook: read from ``grading.json`` or
from ``otter run``'s executed notebook the same way, stored per result (schema 4), read back by
``Gradebook.run_outputs``, and a schema-3 gradebook migrated with its results intact."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import nbformat

from grading import gradebook as gb
from grading.gradebook import Gradebook
from grading.model import Submission
from grading.notebooks import outputs_differ
from grading.render import run_outputs_html
from grading.results import executed_outputs, read_result
from grading.sandbox import SandboxRun
from grading.sandbox.worker.outputs import PNG_SIGNATURE, is_note, note

PNG = base64.b64encode(
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
).decode()
FIGURE_TEXT = "<Figure size 640x480 with 1 Axes>"
FIGURE = {"output_type": "display_data", "metadata": {},
          "data": {"image/png": PNG, "text/plain": FIGURE_TEXT}}  # fmt: skip
PRINTED = {"output_type": "stream", "name": "stdout", "text": "slope 2.0\n"}
RUN = SandboxRun(timed_out=False, returncode=0, log="", seconds=1.0)
GRADED = {"status": "graded", "reason": "", "questions": [{"name": "q1", "score": 1,
          "possible": 1}], "tests": []}  # fmt: skip


def result_with(tmp_path: Path, outputs: object):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "grading.json").write_text(json.dumps({**GRADED, "outputs": outputs}))
    return read_result(RUN, tmp_path, engine="podman-warm", isolation="container", timeout=60)


def submission(sha: str = "a" * 64) -> Submission:
    return Submission(Path("ada.ipynb"), "ada.ipynb", "ada", sha, "notebook")


def test_grading_json_outputs_are_checked_again_on_the_host(tmp_path):
    hostile = {
        "cell-1": [PRINTED, FIGURE, note("[grading run: 2 outputs cut]"),
                   {"output_type": "display_data", "data": {"image/png": "PHN2Zz4="}}],
        "../x": [FIGURE],
        "cell-2": "not a list",
    }  # fmt: skip
    result = result_with(tmp_path, hostile)
    assert set(result.outputs) == {"cell-1", "cell-2"}
    kept = result.outputs["cell-1"]
    assert [o["output_type"] for o in kept if not is_note(o)] == ["stream", "display_data"]
    texts = [o["data"]["text/plain"] for o in kept if is_note(o)]
    assert "[grading run: 2 outputs cut]" in texts  # the worker's own note
    assert any("not a PNG" in t for t in texts)  # and the host's
    assert result.outputs["cell-2"] == []
    assert result.score == 1.0  # outputs never touch the score


def test_outputs_are_stored_per_result_and_read_back_for_the_latest_autograder(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        first = book.start_run("y" * 64, "old.zip", "podman-warm", None)
        book.record(submission(), result_with(tmp_path / "1", {"c1": [PRINTED]}), "y" * 64, first)
        second = book.start_run("z" * 64, "new.zip", "podman-warm", None)
        book.record(submission(), result_with(tmp_path / "2", {"c1": [FIGURE], "c2": []}),
                    "z" * 64, second)  # fmt: skip
        got = book.run_outputs("a" * 64)
        assert got == {"c1": [FIGURE], "c2": []}
        assert base64.b64decode(got["c1"][0]["data"]["image/png"]).startswith(PNG_SIGNATURE)
        assert book.run_outputs("b" * 64) == {}
        # Regraded under the same zip without outputs: none left behind.
        book.record(submission(), result_with(tmp_path / "3", {}), "z" * 64, second)
        assert book.run_outputs("a" * 64) == {}


def schema_3_gradebook(path: Path) -> None:
    """A gradebook as schema 3 left it (before outputs were kept), with one result."""
    db = sqlite3.connect(path)
    db.executescript(gb.SCHEMA + gb.HAND_GRADING_SCHEMA)
    gb._engine_report(db)
    db.execute("PRAGMA user_version=3")
    db.execute("INSERT INTO runs VALUES (1, '2026-01-01', NULL, ?, 'ag.zip', 'podman', NULL, '{}')",
               ("z" * 64,))  # fmt: skip
    db.execute("INSERT INTO students VALUES ('bob', NULL, NULL, NULL, NULL)")
    db.execute("INSERT INTO submissions VALUES (1, 'bob', 'bob.ipynb', ?, 'notebook', NULL, 0, 0,"
               " 1)", ("b" * 64,))  # fmt: skip
    db.execute("INSERT INTO results VALUES (?, ?, 'graded', 1, 1, '', 'podman', 'container', 1,"
               " 0, NULL, NULL, '2026-01-01', 1)", ("b" * 64, "z" * 64))  # fmt: skip
    db.commit()
    db.close()


def test_a_schema_3_gradebook_is_migrated_and_keeps_its_results(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    schema_3_gradebook(path)
    with Gradebook(path) as book:
        assert book.db.execute("PRAGMA user_version").fetchone()[0] == gb.SCHEMA_VERSION == 4
        (row,) = book.rows("z" * 64)
        assert (row.student, row.score) == ("bob", 1.0)
        assert book.run_outputs("b" * 64) == {}  # graded before: none kept
        run = book.start_run("z" * 64, "ag.zip", "podman-warm", None)
        book.record(submission(), result_with(tmp_path / "r", {"c1": [FIGURE]}), "z" * 64, run)
    with Gradebook(path) as book:  # opening again changes nothing
        assert book.run_outputs("a" * 64) == {"c1": [FIGURE]}
        assert book.integrity_ok()


def test_otter_runs_executed_notebook_gives_the_same_cells_bounded_the_same_way(tmp_path):
    cells = [
        nbformat.v4.new_code_cell("plot()", id="c1", outputs=[nbformat.from_dict(FIGURE)]),
        nbformat.v4.new_code_cell("print(2)", id="c2", outputs=[nbformat.from_dict(PRINTED)]),
        nbformat.v4.new_code_cell(
            "x",
            id="c3",
            outputs=[
                nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"})
            ],
        ),  # fmt: skip
    ]
    executed = tmp_path / "executed.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), executed)
    got = executed_outputs(executed, ["c1", "c3"])
    assert got["c1"] == [FIGURE] and "c2" not in got
    assert all(is_note(o) for o in got["c3"])  # the script is named, never kept
    # Without a master: Otter's regions of the submitted notebook.
    submitted = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("<!-- BEGIN QUESTION -->\n(a)"), cells[1],
        nbformat.v4.new_markdown_cell("<!-- END QUESTION -->")])  # fmt: skip
    nbformat.write(submitted, tmp_path / "submitted.ipynb")
    assert executed_outputs(executed, None, tmp_path / "submitted.ipynb") == {"c2": [PRINTED]}
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert executed_outputs(tmp_path / "broken.ipynb", ["c1"]) == {}


def test_the_differs_flag_names_what_differs_and_ignores_image_bytes():
    other_bytes = {**FIGURE, "data": {**FIGURE["data"], "image/png": PNG + "AAAA"}}
    assert outputs_differ([other_bytes], [FIGURE]) == []  # another machine's PNG: alike
    address = {"output_type": "execute_result", "execution_count": 3, "metadata": {},
               "data": {"text/plain": "[<matplotlib.lines.Line2D at 0x7f00aa>]"}}  # fmt: skip
    here = {**address, "data": {"text/plain": "[<matplotlib.lines.Line2D at 0x7e11bb>]"}}
    assert outputs_differ([address, FIGURE], [here, FIGURE]) == []
    assert outputs_differ([], [FIGURE]) == ["the submitted notebook saved no outputs for this cell",
                                            "0 figure(s) saved, 1 in the grading run"]  # fmt: skip
    assert "1 figure(s) saved, 0 in the grading run" in outputs_differ([FIGURE], [])
    assert "the text of the outputs differs" in outputs_differ(
        [{**PRINTED, "text": "slope 3.0\n"}], [PRINTED]
    )
    kinds = outputs_differ([PRINTED, FIGURE], [FIGURE])
    assert any(k.startswith("saved outputs: stdout, figure; grading run: figure") for k in kinds)
    assert outputs_differ([FIGURE], [FIGURE, note("[grading run: cut]")]) == []


def test_the_run_outputs_render_the_figure_and_our_notes_only_as_notes():
    html = run_outputs_html([FIGURE, note("[grading run: <b>3</b> outputs cut]")])
    assert f'src="data:image/png;base64,{PNG}"' in html
    assert '<p class="note cut">[grading run: &lt;b&gt;3&lt;/b&gt; outputs cut]</p>' in html
    forged = {"output_type": "display_data", "metadata": {"grading_note": "yes"},
              "data": {"text/plain": "[grading run: fine]"}}  # fmt: skip
    assert 'class="note' not in run_outputs_html([forged])
