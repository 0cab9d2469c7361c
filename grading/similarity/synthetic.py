"""A made-up class, for the similarity tests and the benchmark: honest students and copiers.

Honest students answer each question with one of its correct alternatives, chosen at random:
the answer corpus's ``ok-*.py`` for autograded questions, written answers (a YAML file a person
wrote) for hand-graded ones. Copiers take another student's whole notebook and disguise it the
ways copiers do: rename variables, reorder functions, add comments and prints, change
whitespace and the formatting of numbers. Edits that need a person (a helper inlined, a
derivation reworded) come as text. Everything is deterministic given a seed.

The class is written as a ``grade`` output folder (gradebook and kept notebooks) without
grading anything: the similarity report only reads answers.
"""

from __future__ import annotations

import ast
import hashlib
import io
import itertools
import random
import re
import textwrap
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat

from ..assignments import Assignment
from ..gradebook import Gradebook
from ..model import GRADED, GradeResult, Submission, sha256_file
from ..notebooks import fill_answers
from .answers import CODE, QuestionCells, question_cells

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class SyntheticStudent:
    name: str
    answers: dict[str, str]  # question -> answer cell text
    copied_from: str | None = None  # a student's name, or the reference solution
    disguises: tuple[str, ...] = ()


@dataclass
class Alternatives:
    """Correct answers per question (to choose from) and known mistakes (to copy one wrong)."""

    correct: dict[str, list[str]] = field(default_factory=dict)
    mistakes: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)  # question -> name of each correct


def load_alternatives(
    assignment: Assignment, written: Mapping[str, Mapping[str, str]]
) -> Alternatives:
    """The answer corpus's alternatives, and ``written[question][label]`` for the others."""
    found = Alternatives()
    corpus = assignment.master_dir / "corpus"
    for question in question_cells(assignment):
        folder = corpus / question.name
        ok = sorted(folder.glob("ok-*.py")) if folder.is_dir() else []
        if ok:
            found.correct[question.name] = [p.read_text() for p in ok]
            found.labels[question.name] = [p.stem for p in ok]
        elif question.name in written:
            found.correct[question.name] = list(written[question.name].values())
            found.labels[question.name] = list(written[question.name])
        else:
            raise ValueError(f"{question.name}: no ok-*.py in {folder} and no written answers")
        found.mistakes[question.name] = [p.read_text() for p in sorted(folder.glob("bug-*.py"))]
    return found


def honest_students(
    alternatives: Alternatives, count: int, rng: random.Random, prefix: str = "student"
) -> list[SyntheticStudent]:
    """``count`` students who each chose their own alternative for every question."""
    return [
        SyntheticStudent(
            f"{prefix}{number:04d}",
            {q: rng.choice(options) for q, options in alternatives.correct.items()},
        )
        for number in range(1, count + 1)
    ]


# -- disguises ----------------------------------------------------------------------------------

Disguise = Callable[[str, QuestionCells, random.Random], str]


def _splice(source: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace the character ranges ``(start, end)`` of ``source`` (non-overlapping)."""
    out, position = [], 0
    for start, end, text in sorted(edits):
        out += [source[position:start], text]
        position = end
    return "".join(out) + source[position:]


def _offsets(source: str) -> list[int]:
    starts = [0, 0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _given_names(skeleton: str) -> set[str]:
    """Names the skeleton defines at the top level: the graded names, never renamed."""
    try:
        tree = ast.parse(skeleton)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            names.add(node.name)
        for target in getattr(node, "targets", []):
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


_NEW_NAMES = ["val", "tmp", "res", "arr", "aux", "out", "z", "t", "u", "q", "acc", "step"]


def rename_variables(source: str, question: QuestionCells, rng: random.Random) -> str:
    """Every variable, parameter and own function the answer binds gets another name."""
    tree = ast.parse(source)
    nodes = list(ast.walk(tree))
    mine = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    mine |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    mine |= {n.name for n in nodes if isinstance(n, _DEFINITIONS)}
    mine -= _given_names(question.skeleton)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | mine
    renames = {}
    for name in sorted(mine):
        for _ in range(100):
            new = f"{rng.choice(_NEW_NAMES)}{rng.randint(1, 9)}"
            if new not in taken:
                break
        renames[name] = new
        taken.add(new)
    starts = _offsets(source)
    edits, previous, brackets = [], [], []
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)]
    for index, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            opener = previous[-1] if previous else None
            is_call = opener is not None and (opener.type == tokenize.NAME or opener.string in ")]")
            is_def = len(previous) > 1 and previous[-2].string == "def"
            brackets.append("call" if is_call and not is_def else "other")
        elif tok.type == tokenize.OP and tok.string in ")]}" and brackets:
            brackets.pop()
        if tok.type == tokenize.NAME and tok.string in renames:
            after = tokens[index + 1].string if index + 1 < len(tokens) else ""
            keyword_argument = bool(brackets) and brackets[-1] == "call" and after == "="
            attribute = bool(previous) and previous[-1].string == "."
            if not keyword_argument and not attribute:
                start = starts[tok.start[0]] + tok.start[1]
                edits.append((start, start + len(tok.string), renames[tok.string]))
        if tok.type not in (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE):
            previous.append(tok)
    return _splice(source, edits)


def _first_line(node: ast.stmt) -> int:
    """Where a statement starts, its decorators included."""
    return min([node, *getattr(node, "decorator_list", [])], key=lambda d: d.lineno).lineno


def reorder_functions(source: str, question: QuestionCells, rng: random.Random) -> str:
    """The top-level definitions in reverse order; everything else stays where it was."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    firsts = [_first_line(node) for node in tree.body]
    if sum(isinstance(n, _DEFINITIONS) for n in tree.body) < 2:
        return source
    prefix = "".join(lines[: firsts[0] - 1])
    bounds = [*firsts, len(lines) + 1]
    chunks = ["".join(lines[a - 1 : b - 1]).rstrip() for a, b in itertools.pairwise(bounds)]
    where = [i for i, n in enumerate(tree.body) if isinstance(n, _DEFINITIONS)]
    reordered = list(chunks)
    for slot, chunk in zip(where, reversed([chunks[i] for i in where]), strict=True):
        reordered[slot] = chunk
    return prefix + "\n\n\n".join(reordered) + "\n"


_COMMENTS = ["# my solution", "# worked this out on paper first", "# TODO double-check", "# step"]


def add_comments_and_prints(source: str, question: QuestionCells, rng: random.Random) -> str:
    """A comment before every top-level statement, prints before returns and after assignments."""
    tree = ast.parse(source)
    lines = source.splitlines()
    inserts: list[tuple[int, str]] = []  # (index of the line to insert before, text)
    for node in tree.body:
        first = min([node, *getattr(node, "decorator_list", [])], key=lambda d: d.lineno)
        inserts.append((first.lineno - 1, " " * first.col_offset + rng.choice(_COMMENTS)))
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            inserts.append((node.end_lineno or node.lineno, f"print({name!r}, {name})"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Return):
            line = lines[node.lineno - 1]
            if line.lstrip().startswith("return"):
                indent = line[: len(line) - len(line.lstrip())]
                inserts.append((node.lineno - 1, f'{indent}print("computing the result")'))
    for index, text in sorted(inserts, reverse=True):
        lines.insert(index, text)
    return "\n".join(lines) + "\n"


_SPACED = {"+", "-", "*", "/", "**", "//", "%", "@", "=", "==", "<", ">", "<=", ">=", "!="}


def change_whitespace(source: str, question: QuestionCells, rng: random.Random) -> str:
    """Spaces around every operator, two-space indents, other blank lines, ``.5`` for ``0.5``."""
    starts = _offsets(source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits = []
    for before, tok in zip(tokens, tokens[1:], strict=False):
        same_line = before.end[0] == tok.start[0] and before.type != tokenize.INDENT
        if same_line and (tok.string in _SPACED or before.string in _SPACED):
            a, b = starts[before.end[0]] + before.end[1], starts[tok.start[0]] + tok.start[1]
            edits.append((a, b, " "))
        if tok.type == tokenize.NUMBER and re.fullmatch(r"0\.\d+", tok.string):
            a = starts[tok.start[0]] + tok.start[1]
            edits.append((a, a + 1, ""))
    spaced = _splice(source, edits)
    out = []
    for line in spaced.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip():
            continue  # blank lines go; one comes back after each block below
        out.append(" " * (indent // 2) + line.lstrip(" ") if indent % 4 == 0 else line)
        if line.lstrip().startswith("return"):
            out.append("")
    return "\n".join(out) + "\n"


def reflow_prose(text: str, question: QuestionCells, rng: random.Random) -> str:
    """Other line breaks and spacing in a written answer; the words stay."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    width = rng.randint(50, 90)
    return (
        "\n\n".join(
            p if p.lstrip().startswith("$$") else textwrap.fill(" ".join(p.split()), width)
            for p in paragraphs
        )
        + "\n"
    )


CODE_DISGUISES: dict[str, Disguise] = {
    "renamed variables": rename_variables,
    "reordered functions": reorder_functions,
    "comments and prints": add_comments_and_prints,
    "changed whitespace": change_whitespace,
}
PROSE_DISGUISES: dict[str, Disguise] = {"changed whitespace": reflow_prose}
ALL_DISGUISES = tuple(CODE_DISGUISES)


def disguise(
    original: SyntheticStudent,
    name: str,
    disguises: tuple[str, ...],
    questions: list[QuestionCells],
    rng: random.Random,
    *,
    replaced: Mapping[str, str] | None = None,
    label: tuple[str, ...] = (),
) -> SyntheticStudent:
    """A copy of ``original``'s notebook with the named disguises on every answer.

    ``replaced`` answers (a helper inlined, a mistake, a reworded derivation) are taken as they
    are, before the automatic disguises apply to them too.
    """
    answers = dict(original.answers)
    answers.update(replaced or {})
    for question in questions:
        text = answers.get(question.name, "")
        table = CODE_DISGUISES if question.kind == CODE else PROSE_DISGUISES
        for kind in disguises:
            if kind in table and text.strip():
                text = table[kind](text, question, rng)
        answers[question.name] = text
    return SyntheticStudent(name, answers, original.name, (*disguises, *label))


# -- a grade folder ---------------------------------------------------------------------------


def write_grade_folder(
    out_dir: Path, assignment: Assignment, students: list[SyntheticStudent]
) -> dict[str, str]:
    """The class as ``python -m grading grade`` would leave it; returns sha256 per student.

    Notebooks go to ``submissions/<sha256>.ipynb`` and every submission is recorded in the
    gradebook as graded (with no question scores: the report reads answers, not scores).
    """
    questions = question_cells(assignment)
    student_nb = nbformat.read(assignment.student_notebook, as_version=4)
    folder = out_dir / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    autograder = sha256_file(assignment.autograder_zip)
    hashes = {}
    with Gradebook(out_dir / "gradebook.sqlite") as book:
        run = book.start_run(autograder, str(assignment.autograder_zip), "synthetic", None)
        for number, student in enumerate(students):
            filled = fill_answers(
                student_nb,
                {i: student.answers.get(q.name, "") for q in questions for i in q.cell_ids[:1]},
            )
            data = nbformat.writes(filled).encode()
            sha = hashlib.sha256(data).hexdigest()
            path = folder / f"{sha}.ipynb"
            path.write_bytes(data)
            submission = Submission(
                path=path, origin=f"{student.name}.ipynb", student=student.name, sha256=sha,
                source_format="notebook",
                submitted_at=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=number),
            )  # fmt: skip
            result = GradeResult(status=GRADED, engine="synthetic", isolation="none")
            book.record(submission, result, autograder, run)
            hashes[student.name] = sha
        book.finish_run(run)
    return hashes
