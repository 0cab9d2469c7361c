"""The documentation says what the code does: links resolve, the README stays short, the
question table is the master's, and every case only a container stops is named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\((?!https?://|#)([^)#]+)(#[^)]*)?\)")


def test_the_readme_is_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) <= 8000


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc):
    text = doc.read_text(encoding="utf-8")
    missing = [m[1] for m in LINK.finditer(text) if not (doc.parent / m[1]).exists()]
    assert missing == []


def test_every_container_only_case_is_named_with_what_happens_instead():
    cases = yaml.safe_load((ROOT / "tests" / "hostile" / "cases.yaml").read_text())
    only = [name for group in cases.values() for name, case in group.items()
            if "container_only" in case]  # fmt: skip
    text = (ROOT / "docs" / "hostile.md").read_text(encoding="utf-8")
    assert only and all(f"**{name}**" in text for name in only)


def asserts_per_test(path: Path) -> tuple[list[int], list[int]]:
    """Assert counts of the public and of the hidden test functions of an Otter test file."""
    tree = ast.parse(path.read_text())
    public, hidden = [], []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            count = sum(isinstance(n, ast.Assert) for n in ast.walk(node))
            is_hidden = any(
                isinstance(k, ast.keyword) and k.arg == "hidden" and getattr(k.value, "value", 0)
                for d in node.decorator_list if isinstance(d, ast.Call) for k in d.keywords
            )  # fmt: skip
            (hidden if is_hidden else public).append(count)
    return public, hidden


def question_table(assignment) -> str:
    lines = ["| question | points | graded | public tests (asserts) | hidden tests (asserts) |",
             "|---|---:|---|---:|---:|"]  # fmt: skip
    for q in assignment.questions():
        if q.manual:
            lines.append(f"| {q.name} | {q.points:g} | by hand, from the PDF | – | – |")
            continue
        public, hidden = asserts_per_test(assignment.dist_dir / "autograder/tests" / f"{q.name}.py")
        lines.append(f"| {q.name} | {q.points:g} | autograded | {len(public)} ({sum(public)}) |"
                     f" {len(hidden)} ({sum(hidden)}) |")  # fmt: skip
    return "\n".join(lines)


def test_the_question_table_is_the_masters(assignment):
    assert question_table(assignment) in (ROOT / "docs" / "assignments.md").read_text()
