"""Submissions described as a change of a written one: each change applied as written, and a
change that would change nothing refused, naming the variant."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .suites import SUITES, GeneratedSuite
from .variants import VARIANTS_FILE, submission_files

BASE = """\
# notebook: {"otter": {"assignment_name": "hw"}}
# %%
import otter
# %%
x = 1
# %%
grader.check("q1")
# %%
y = 2
"""


def folder_with(tmp_path: Path, variants: dict) -> Path:
    (tmp_path / "base.nb.py").write_text(BASE)
    (tmp_path / VARIANTS_FILE).write_text(yaml.safe_dump(variants))
    return tmp_path


def text_of(tmp_path: Path, **entry) -> str:
    folder = folder_with(tmp_path, {"v.nb.py": {"base": "base.nb.py", "why": "w", **entry}})
    return submission_files(folder)["v.nb.py"].data.decode()


def test_a_variant_is_its_base_with_each_change_in_order(tmp_path):
    text = text_of(
        tmp_path,
        keep_cells=3,
        drop_cells=["grader.check("],
        replace=[["x = 1", "x = 3"], ['"hw"', '"other"']],
        append='# %% {"tags": ["otter_ignore"]}\nz = 0\n',
    )
    assert text == (
        '# notebook: {"otter": {"assignment_name": "other"}}\n'
        '# %%\nimport otter\n# %%\nx = 3\n# %% {"tags": ["otter_ignore"]}\nz = 0\n'
    )


def test_a_script_variant_of_a_notebook_is_its_cells_as_a_script(tmp_path):
    base = "# %%\nimport otter\n# %%\ndef f():\n    return 1\n"
    (tmp_path / "base.nb.py").write_text(base)
    entry = {"base": "base.nb.py", "why": "w", "replace": [["return 1", "return 2"]]}
    (tmp_path / VARIANTS_FILE).write_text(yaml.safe_dump({"s.script.py": entry}))
    files = submission_files(tmp_path)
    assert files["s.script.py"].data == b"import otter\n\ndef f():\n    return 2\n"
    assert files["s.script.py"].why == "w" and files["base.nb.py"].data == base.encode()


def test_a_variant_may_stand_for_a_file_of_a_zip_folder(tmp_path):
    folder = folder_with(tmp_path, {"z.zip/z.nb.py": {"base": "base.nb.py", "why": "w"}})
    assert submission_files(folder)["z.zip/z.nb.py"].data == BASE.encode()


@pytest.mark.parametrize(("old", "found"), [("x = 9", 0), ("# %%\n", 4)])
def test_a_replacement_not_found_exactly_once_fails_naming_the_variant(tmp_path, old, found):
    with pytest.raises(ValueError, match=rf"v\.nb\.py: replace: .* is found {found} times"):
        text_of(tmp_path, replace=[[old, "x"]])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"drop_cells": ["nowhere"]}, "drop_cells: no cell holds 'nowhere'"),
        ({"keep_cells": 4}, "keep_cells must be 1 to 3"),
        ({"replace": [["x = 1"]]}, r"replace takes \[old, new\] pairs"),
        ({"replce": [["x = 1", "x = 2"]]}, "needs 'base' and 'why', and only"),
        ({"why": ""}, "why takes non-empty texts"),
        ({"base": "absent.nb.py"}, "its base 'absent.nb.py' is no file written out"),
    ],
)
def test_a_change_that_cannot_apply_fails_naming_the_variant(tmp_path, entry, message):
    with pytest.raises(ValueError, match=rf"{VARIANTS_FILE}: v\.nb\.py: {message}"):
        text_of(tmp_path, **entry)


def test_a_variant_may_not_shadow_a_written_file_nor_make_a_notebook_of_a_script(tmp_path):
    (tmp_path / "base.script.py").write_text("x = 1\n")
    folder = folder_with(tmp_path, {"base.script.py": {"base": "base.nb.py", "why": "w"}})
    with pytest.raises(ValueError, match="a file of that name is written out too"):
        submission_files(folder)
    folder = folder_with(tmp_path, {"n.nb.py": {"base": "base.script.py", "why": "w"}})
    with pytest.raises(ValueError, match="a .script.py base cannot become a .nb.py file"):
        submission_files(folder)


@pytest.mark.parametrize("suite", [n for n, s in SUITES.items() if isinstance(s, GeneratedSuite)])
def test_no_two_submissions_of_a_suite_are_the_same(suite, built_suites):
    """Every variant changes its base into a submission of its own."""
    by_bytes: dict[str, list[str]] = {}
    for submission in built_suites[suite].submissions.values():
        by_bytes.setdefault(submission.sha256, []).append(submission.name)
    assert [names for names in by_bytes.values() if len(names) > 1] == []
