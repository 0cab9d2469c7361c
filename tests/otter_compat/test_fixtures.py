"""The fixtures themselves: notebooks written the same byte for byte, answers where they belong,
and a README whose table names fixtures that exist."""

from __future__ import annotations

import re
import tempfile
import tomllib
from pathlib import Path

import nbformat
import pytest

from .notebooks import cells_from_text, notebook_from_text
from .suites import HERE, HOSTILE, SUITES, SUITES_DIR, AssignedSuite, answer_cells
from .variants import submission_files


def test_percent_text_gives_cells_with_kinds_and_metadata():
    text = (
        '# notebook: {"otter": {"assignment_name": "hw"}}\n'
        "# %%\nx = 1\n"
        "# %% [markdown]\nSome *text*\n"
        '# %% {"tags": ["otter_ignore"]}\ny = 2\n'
        "# %% [raw]\n# BEGIN QUESTION\n"
    )
    cells, metadata = cells_from_text(text)
    assert [(c.cell_type, c.source) for c in cells] == [
        ("code", "x = 1"),
        ("markdown", "Some *text*"),
        ("code", "y = 2"),
        ("raw", "# BEGIN QUESTION"),
    ]
    assert cells[2].metadata == {"tags": ["otter_ignore"]}
    assert metadata == {"otter": {"assignment_name": "hw"}}
    nb = notebook_from_text(text)
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1", "cell-2", "cell-3"]
    nbformat.validate(nb)


def test_percent_text_refuses_code_before_the_first_cell():
    with pytest.raises(ValueError, match="before the first"):
        cells_from_text("x = 1\n# %%\ny = 2\n", "f.nb.py")


def test_a_fresh_build_gives_the_same_bytes(built_suites):
    """The reference keys hash submission bytes: Otter Assign's output must not vary."""
    suite = SUITES["matrix_ok"]
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        suite.compile(staging, staging / "autograder.zip")
        fresh = {s.name: s.data for s in suite.make_submissions(staging)}
    assert fresh == {name: s.data for name, s in built_suites["matrix_ok"].submissions.items()}


@pytest.mark.parametrize("suite", [n for n, s in SUITES.items() if isinstance(s, AssignedSuite)])
def test_answers_fill_the_answer_cell_of_their_question(suite, built_suites):
    built = built_suites[suite]
    stem = built.suite.master.removesuffix(".ipynb")
    correct = nbformat.reads(built.submissions[f"{stem}-correct.ipynb"].data.decode(), 4)
    blank = nbformat.reads(built.submissions[f"{stem}-blank.ipynb"].data.decode(), 4)
    cells = answer_cells(blank)
    assert set(cells) == {p.name for p in built.suite.answers.iterdir() if p.is_dir()}
    for question, index in cells.items():
        answer = (built.suite.answers / question / "correct.py").read_text().rstrip("\n")
        assert correct.cells[index].source == answer
    changed = [i for i, (a, b) in enumerate(zip(correct.cells, blank.cells, strict=True)) if a != b]
    assert sorted(changed) == sorted(cells.values())
    hostile = [s for s in built.submissions.values() if s.expect == HOSTILE]
    assert all(s.base in built.submissions for s in hostile) and len(hostile) >= len(cells)


def test_the_readme_names_fixtures_that_exist():
    readme = (HERE / "README.md").read_text()
    named = set(re.findall(r"`(suites/[^`]+)`", readme))
    assert len(named) > 20
    missing = sorted(p for p in named if not _fixture_exists(p))
    assert missing == []
    for suite in SUITES:
        assert f"`{suite}`" in readme, f"the README does not describe the suite {suite}"


def _fixture_exists(relative: str) -> bool:
    """A file or folder of the tree, or a submission its folder's variants.yaml describes."""
    if (SUITES_DIR.parent / relative).exists():
        return True
    suite, _, name = relative.partition("/submissions/")
    return bool(name) and name in submission_files(SUITES_DIR.parent / suite / "submissions")


def test_the_extras_requirements_are_pinned_as_the_host_runs_them():
    """`otter run` grades the extras suite on this host: its pins are the dev extra's."""
    project = tomllib.loads((HERE.parents[1] / "pyproject.toml").read_text())["project"]
    dev = set(project["optional-dependencies"]["dev"])
    required = (SUITES_DIR / "extras" / "master" / "requirements.txt").read_text().split()
    assert required and set(required) <= dev
