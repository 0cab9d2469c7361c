"""An assignment's tests as Otter reads them, wherever Otter Assign put them.

Otter Assign writes a question's tests as files (``tests: files: true``) or into the notebook's
metadata (its default), in OK format (its default: doctests) or as exception-based functions.
The autograder zip always holds every test, hidden ones included, as ``tests/<question>.py``;
students get the public ones in ``student/tests/`` or in their notebook's metadata. The checks
of this folder read them all through Otter's own ``create_test_file``, then look at each case's
source: the code it runs and, for a doctest, the output it expects.
"""

from __future__ import annotations

import ast
import doctest
import pprint
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import TestFile, create_test_file
from otter.test_files.ok_test import OKTestFile

from grading.assignments import Assignment


@dataclass(frozen=True)
class Case:
    """One test case as source."""

    hidden: bool
    code: str  # the Python the case runs
    want: str  # a doctest's expected output ('' for an exception-based case)


@dataclass(frozen=True)
class QuestionTests:
    """One question's test file: Otter's reading of it, and its cases as source."""

    file: TestFile
    cases: tuple[Case, ...]


def autograder_tests(assignment: Assignment) -> dict[str, QuestionTests]:
    """Every test the autograder runs, hidden ones included, from the autograder zip."""
    with zipfile.ZipFile(assignment.autograder_zip) as zf:
        texts = {
            Path(name).stem: zf.read(name).decode()
            for name in zf.namelist()
            if name.startswith("tests/") and name.endswith(".py")
        }
    return _read(texts)


def student_tests(assignment: Assignment) -> dict[str, QuestionTests]:
    """The tests students get: ``student/tests/*.py``, or their notebook's metadata."""
    folder = assignment.dist_dir / "student" / "tests"
    if folder.is_dir():
        return _read({path.stem: path.read_text() for path in sorted(folder.glob("*.py"))})
    metadata = nbformat.read(assignment.student_notebook, as_version=4).metadata.get("otter", {})
    config = NBMetadataConfig(metadata)
    texts = {}
    for name, spec in (config.tests or {}).items():
        # An OK test in the metadata is the dict an OK test file assigns to ``test``.
        ok = isinstance(spec, dict)
        texts[name] = f"OK_FORMAT = True\ntest = {pprint.pformat(spec)}\n" if ok else spec
    return _read(texts)


def _read(texts: dict[str, str]) -> dict[str, QuestionTests]:
    found = {}
    with tempfile.TemporaryDirectory(prefix="otter-tests-") as tmp:
        for name, text in sorted(texts.items()):
            path = Path(tmp) / f"{name}.py"
            path.write_text(text)
            test_file = create_test_file(str(path), NBMetadataConfig())
            found[name] = QuestionTests(test_file, tuple(_cases(test_file, text)))
    return found


def _cases(test_file: TestFile, text: str) -> list[Case]:
    if isinstance(test_file, OKTestFile):
        cases = []
        for tc in test_file.test_cases:
            examples = doctest.DocTestParser().get_examples(tc.body)
            code = "\n".join(example.source for example in examples)
            want = "\n".join(example.want for example in examples)
            cases.append(Case(bool(tc.hidden), code, want))
        return cases
    cases = []
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            flags = [
                kw.value.value
                for d in node.decorator_list
                if isinstance(d, ast.Call)
                for kw in d.keywords
                if kw.arg == "hidden"
            ]
            cases.append(Case(bool(flags and flags[0]), ast.get_source_segment(text, node), ""))
    return cases
