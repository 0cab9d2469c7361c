"""Any Python master Otter Assign accepts reads and builds here, not only the one we wrote.

Masters are written in each test, in the forms Otter Assign 7 reads (``otter/assign/blocks.py``,
``question_config.py``, ``tests_manager.py``): nbformat 4.4 without cell ids, raw-cell and
```` ```otter ```` fenced delimiters, ``points`` as a number, a list or ``each``, questions
without tests or without a solution, ``files``, ``student_files``, ``seed``, ``export_cell``
and ``generate`` options. Masters Otter or this tool cannot use are refused with a message
naming the file, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading.assignments import MasterError, discover, read_master, read_questions
from grading.autograder import read_autograder
from grading.build import build
from grading.notebooks import answer_cell_ids, reference_answers
from grading.otter_run import otter_run

v4 = nbformat.v4
PYTHON = {"name": "python3", "display_name": "Python 3", "language": "python"}


def write_master(path: Path, cells: list, *, ids: bool = False, kernel=PYTHON) -> Path:
    """A master notebook as an instructor's Jupyter saves it: nbformat 4.4 without ids, or 4.5."""
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": kernel})
    if not ids:
        nb.nbformat_minor = 4
        for cell in nb.cells:
            cell.pop("id", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def question(config: str, *body) -> list:
    return [
        v4.new_raw_cell(f"# BEGIN QUESTION\n{config}"),
        *body,
        v4.new_raw_cell("# END QUESTION"),
    ]


def block(kind: str, *cells) -> list:
    return [v4.new_raw_cell(f"# BEGIN {kind}"), *cells, v4.new_raw_cell(f"# END {kind}")]


def ok_test_cell(source: str, output: str = "True", config: str = "") -> nbformat.NotebookNode:
    """An OK-format test cell with the output Otter keeps as its expected value."""
    if config:
        source = f'""" # BEGIN TEST CONFIG\n{config}\n""" # END TEST CONFIG\n{source}'
    cell = v4.new_code_cell(source)
    cell.outputs = [v4.new_output("execute_result", {"text/plain": output}, execution_count=1)]
    return cell


def fenced(text: str) -> nbformat.NotebookNode:
    return v4.new_markdown_cell(f"```otter\n{text}\n```")


# -- reading: questions, points and answer cells as Otter Assign reads them --------------------


def test_a_master_without_cell_ids_gets_ids_from_positions(tmp_path):
    path = write_master(
        tmp_path / "hw.ipynb",
        [
            v4.new_markdown_cell("# Homework"),
            *question(
                "name: q1\npoints: 2",
                v4.new_markdown_cell("Set `x`."),
                *block("SOLUTION", v4.new_code_cell("x = 2  # SOLUTION")),
                *block("TESTS", ok_test_cell("x == 2")),
            ),
        ],
    )
    nb = read_master(path)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert [c.id for c in nb.cells] == [f"cell-{n}" for n in range(1, 11)]
    (q1,) = read_questions(path)
    assert q1.solution_cell_ids == ("cell-5",)
    assert nb.cells[4].source == "x = 2  # SOLUTION"
    assert [c.id for c in read_master(path).cells] == [c.id for c in nb.cells]  # stable


def test_a_45_master_missing_ids_gets_the_same_ids_every_time(tmp_path):
    """nbformat would invent random ids for it (and a build would never be the same twice)."""
    path = write_master(tmp_path / "hw.ipynb", question("name: q1\nmanual: true\npoints: 1"))
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "nbformat_minor": 5}))  # 4.5, still without ids
    assert '"id"' not in path.read_text()
    assert [c.id for c in read_master(path).cells] == ["cell-1", "cell-2"]
    assert [c.id for c in read_master(path).cells] == ["cell-1", "cell-2"]


def test_fenced_otter_delimiters_read_like_raw_cells(tmp_path):
    """Otter Assign's Markdown form: ```otter blocks, several in one cell, text around them."""
    path = write_master(
        tmp_path / "hw.ipynb",
        [
            v4.new_markdown_cell(
                "```otter\n# BEGIN QUESTION\nname: q1\nmanual: true\npoints: 3\n```\n\n"
                "**Question 1.** Explain.\n\n```otter\n# BEGIN SOLUTION\n```"
            ),
            v4.new_markdown_cell("Because."),
            fenced("# END SOLUTION"),
            fenced("# END QUESTION"),
        ],
        ids=True,
    )
    first_id = nbformat.read(path, as_version=4).cells[0].id
    nb = read_master(path)
    assert [c.cell_type for c in nb.cells] == ["raw", "markdown", "raw", "markdown", "raw", "raw"]
    assert [c.id for c in nb.cells[:3]] == [f"{first_id}-1", f"{first_id}-2", f"{first_id}-3"]
    (q1,) = read_questions(path)
    assert (q1.name, q1.points, q1.manual) == ("q1", 3.0, True)
    assert q1.solution_cell_ids == (nb.cells[3].id,) and nb.cells[3].source == "Because."


def test_points_follow_otters_rules(tmp_path):
    def tests(n: int) -> list:
        return block("TESTS", *[ok_test_cell(f"x > {i}") for i in range(n)])

    solution = block("SOLUTION", v4.new_code_cell("x = 9  # SOLUTION"))
    path = write_master(
        tmp_path / "hw.ipynb",
        [
            *question("name: listed\npoints: [1, 2.5]", *solution, *tests(2)),
            *question("name: each\npoints:\n  each: 2", *solution, *tests(3)),
            *question("name: total\npoints: 6", *solution, *tests(3)),
            *question(
                "name: by_case",
                *solution,
                *block(
                    "TESTS",
                    ok_test_cell("x > 0", config="points: 4"),
                    ok_test_cell("x > 1", config="points: 1"),
                ),
            ),
            *question("name: untested", *solution),
            *question(
                "name: written\nmanual: true\npoints: 5",
                *block("PROMPT", v4.new_markdown_cell("_Your answer._")),
            ),
            *question("name: unscored\nmanual: true", *solution),
        ],
    )
    questions = {q.name: q for q in read_questions(path)}
    points = {name: q.points for name, q in questions.items()}
    # "untested": no test file, so `otter run` never scores it and nobody grades it by hand.
    assert points == {"listed": 3.5, "each": 6.0, "total": 6.0, "by_case": 5.0, "written": 5.0,
                      "unscored": 0.0}  # fmt: skip
    assert questions["written"].manual and not questions["listed"].manual
    prompt = read_master(path).cells
    (cell_id,) = questions["written"].solution_cell_ids  # no solution: the prompt is the answer
    assert next(c for c in prompt if c.id == cell_id).source == "_Your answer._"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (question("points: 1"), "cell 1 (BEGIN QUESTION): Question name not specified"),
        (question("name: [q1"), "cell 1 (BEGIN QUESTION): not YAML"),
        (question("- q1"), "cell 1 (BEGIN QUESTION): its config is not a YAML mapping"),
        (block("SOLUTION", v4.new_code_cell("x = 1")), "cell 1: BEGIN SOLUTION outside a question"),
        ([v4.new_raw_cell("# END QUESTION")], "cell 1: END QUESTION without its BEGIN"),
        (question("name: q1")[:-1], "a question block is never ended"),
        (question("name: q1", *question("name: q2")), "cell 2: BEGIN QUESTION inside a question"),
        ([*question("name: q1"), *question("name: q1\nmanual: true")], "names used twice: q1"),
        (question("name: q1\npoints: [1, 2]", *block("TESTS", ok_test_cell("True"))),
         "q1: Error in \"q1\" test cases: Points specified in test has different length"),
        ([v4.new_markdown_cell("```otter\n# BEGIN QUESTION\nname: q1")],
         'Unclosed "```otter" block'),
    ],
)  # fmt: skip
def test_a_master_otter_would_refuse_is_a_master_error_naming_it(tmp_path, cells, message):
    path = write_master(tmp_path / "hw.ipynb", cells)
    with pytest.raises(MasterError, match="^" + str(path)) as error:
        read_questions(path)
    assert message in str(error.value)


def test_r_masters_are_refused_with_a_clear_message(tmp_path):
    r_kernel = {"name": "ir", "display_name": "R", "language": "R"}
    write_master(tmp_path / "master" / "hw" / "hw.ipynb", question("name: q1"), kernel=r_kernel)
    (hw,) = discover(tmp_path / "master", tmp_path / "dist")
    with pytest.raises(MasterError, match="its kernel's language is R; only Python masters"):
        hw.questions()
    rmd = tmp_path / "rmaster" / "lab" / "lab.Rmd"
    rmd.parent.mkdir(parents=True)
    rmd.write_text("---\ntitle: lab\n---\n\n```{r}\nx <- 1\n```\n")
    with pytest.raises(MasterError, match=r"lab\.Rmd: an R Markdown or Quarto master"):
        discover(tmp_path / "rmaster", tmp_path / "dist")
    done = subprocess.run(
        [sys.executable, "-m", "grading", "build", "--master", str(tmp_path / "rmaster"),
         "--dist", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {rmd}: an R Markdown or Quarto master")


# -- building: Otter Assign on masters of every shape, reproducibly ---------------------------


def every_feature_master(folder: Path) -> Path:
    """A master using the features Otter's own example exercises, written for this test."""
    folder.mkdir(parents=True)
    (folder / "scores.csv").write_text("name,score\nada,3\ngrace,5\n")
    (folder / "notes.txt").write_text("a file students write and submit\n")
    (folder / "grading.yaml").write_text("cell_timeout: 90\nmemory_mb: 1024\n")  # our limits
    config = (
        "# ASSIGNMENT CONFIG\nname: features\nfiles:\n  - scores.csv\nstudent_files:\n"
        "  - notes.txt\nseed:\n  variable: seed\n  autograder_value: 7\n  student_value: 3\n"
        "export_cell:\n  pdf: false\n  instructions: Upload the zip.\ngenerate:\n"
        "  show_hidden: true\n  points_possible: 20\ncheck_all_cell: true\n"
        "show_question_points: true"
    )
    return write_master(
        folder / "features.ipynb",
        [
            fenced(config),
            v4.new_code_cell("import numpy as np\nseed = 7\nrng = np.random.default_rng(seed)"),
            *question(
                "name: q1\npoints: [1, 3]\nall_or_nothing: true",
                v4.new_markdown_cell("**Q1.** The highest score in `scores.csv`."),
                *block(
                    "SOLUTION",
                    v4.new_code_cell(
                        "with open('scores.csv') as f:\n"
                        "    rows = list(f)[1:]\n"
                        "best = max(int(row.split(',')[1]) for row in rows)  # SOLUTION"
                    ),
                ),
                *block(
                    "TESTS",
                    ok_test_cell("isinstance(best, int)"),
                    ok_test_cell("best", "5", config="hidden: true"),
                ),
            ),
            *question(
                "name: q2\nmanual: true\npoints: 2",
                v4.new_markdown_cell("**Q2.** Draw three numbers with `rng` and plot them."),
                *block(
                    "SOLUTION",
                    v4.new_code_cell(
                        "import matplotlib.pyplot as plt\n"
                        "plt.plot(rng.normal(size=3));  # SOLUTION NO PROMPT\n"
                        '""" # BEGIN PROMPT\nplt.plot(...);\n"""; # END PROMPT'
                    ),
                ),
            ),
            *question(
                "name: q3",
                v4.new_markdown_cell("**Q3.** Practice: assign `total`; no test grades it."),
                *block("SOLUTION", v4.new_code_cell("total = 8  # SOLUTION")),
            ),
            fenced("# BEGIN QUESTION\nname: q4\nmanual: true\npoints: 4"),
            v4.new_markdown_cell("**Q4.** Discuss."),
            *block("PROMPT", v4.new_markdown_cell("_Write here._")),
            fenced("# END QUESTION"),
        ],
    )


def files_of(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_master_with_every_feature_builds_reproducibly_and_grades_full(tmp_path):
    master = every_feature_master(tmp_path / "master" / "features")
    command = [sys.executable, "-m", "grading", "build", "--master", str(tmp_path / "master"),
               "--dist", str(tmp_path / "dist")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (features,) = discover(tmp_path / "master", tmp_path / "dist")
    first = files_of(features.dist_dir)
    build(features)
    assert files_of(features.dist_dir) == first, "a second build of the same master changed dist/"

    with zipfile.ZipFile(features.autograder_zip) as zf:
        names = set(zf.namelist())
        config = json.loads(zf.read("otter_config.json"))
    assert {"tests/q1.py", "files/scores.csv"} <= names and "files/notes.txt" not in names
    settings = dict(config["grading"])
    kept = settings.pop("keep_outputs")  # the answer cells of the manual question
    assert settings == {"cell_timeout": 90.0, "memory_mb": 1024}  # grading.yaml's
    assert read_autograder(features.autograder_zip).limits == settings
    student = nbformat.read(features.student_notebook, as_version=4)
    assert kept and set(kept) <= {cell.id for cell in student.cells}
    autograder = nbformat.read(features.autograder_notebook, as_version=4)
    assert (student.nbformat_minor, autograder.nbformat_minor) == (5, 5)
    assert "seed = 3" in student.cells[1].source  # Otter's student seed, the master's id kept
    assert student.cells[1].id == autograder.cells[1].id == read_master(master).cells[1].id

    questions = {q.name: q for q in features.questions()}
    assert {n: (q.points, q.manual) for n, q in questions.items()} == {
        "q1": (4.0, False), "q2": (2.0, True), "q4": (4.0, True),
    }  # fmt: skip
    student_ids = {c.id for c in student.cells}
    for name, q in questions.items():
        answers = answer_cell_ids(autograder, q.solution_cell_ids)
        assert answers and set(answers) <= student_ids, name
    assert set(answer_cell_ids(autograder, questions["q1"].solution_cell_ids)) <= set(
        reference_answers(autograder)
    )
    assert otter_run(features.autograder_notebook, features.autograder_zip) == {"q1": 4.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cell_timeout: [1]", "cell_timeout must be a positive number of seconds"),
        ("cells: 3", "unknown key 'cells'"),
        ("cell_timeout: : :", "not readable YAML"),
    ],
)
def test_a_bad_limits_file_is_a_master_error_before_otter_runs(tmp_path, text, message):
    write_master(tmp_path / "master" / "hw" / "hw.ipynb", question("name: q1\nmanual: true"))
    (tmp_path / "master" / "hw" / "grading.yaml").write_text(text)
    (hw,) = discover(tmp_path / "master", tmp_path / "dist")
    with pytest.raises(MasterError, match=message):
        build(hw)
    assert not hw.dist_dir.exists()


@pytest.mark.slow
def test_a_master_whose_solution_fails_its_tests_is_refused_by_name(tmp_path):
    master = write_master(
        tmp_path / "master" / "hw" / "hw.ipynb",
        question(
            "name: q1",
            *block("SOLUTION", v4.new_code_cell("x = 1  # SOLUTION")),
            *block("TESTS", ok_test_cell("x == 2")),
        ),
    )
    (hw,) = discover(tmp_path / "master", tmp_path / "dist")
    with pytest.raises(MasterError, match=f"^{master}: otter assign failed: RuntimeError"):
        build(hw)
    assert not hw.dist_dir.exists()
