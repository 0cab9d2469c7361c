"""Rubric files: ``master/<name>/rubrics.yaml``, written before the deadline and kept in git.

The gradebook holds the working copy (answers refer to its items); the file seeds a question's
rubric the first time the app opens a gradebook (a question the file does not list, or every
question when there is no file, starts from ``default_rubric``), and ``mark --write-rubrics``
(or the app's button) writes the working copy back so the next term starts from what grading
taught. A broken file stops the app before anything is written, naming each problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import GradingError
from ..gradebook import SCORINGS, Rubric
from ..outputs import atomic_write

FILE_NAME = "rubrics.yaml"
HEADER = """\
# Rubrics of the hand-graded questions, read by `python -m grading mark` (docs/hand-grading.md).
# Per question: scoring `positive` (applied items add to 0) or `negative` (they deduct from
# full marks), then its items: signed points and what the student did (the student sees it).
# The score is clamped to 0..the question's points. Comments here are lost on write-back.
"""


class RubricFileError(GradingError):
    """Every problem of a rubric file at once, so all can be fixed in one go."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s), nothing loaded:\n{listed}")


@dataclass(frozen=True)
class RubricSpec:
    scoring: str
    items: tuple[tuple[float, str], ...]


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load, except that a key given twice is an error instead of the last one winning."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def default_rubric(points: float) -> RubricSpec:
    """The rubric of a hand-graded question the rubric file does not cover, usable at once.

    Three levels, of which a grader applies one, the way a TA marks a short answer or a figure
    without a written rubric: all of it, about half, nothing. Positive scoring, because levels
    are what a grader picks (negative scoring would need a deduction of the whole question for
    a blank answer); the half mark is a start the grader edits, or adjusts a single mark from,
    and their own items go next to these.
    """
    return RubricSpec(
        "positive",
        (
            (float(points), "Complete and correct"),
            (points / 2, "Partly correct or incomplete"),
            (0.0, "No answer, or left as in the template"),
        ),
    )


def read_rubrics(path: Path, manual: dict[str, float]) -> dict[str, RubricSpec]:
    """The rubrics of ``path`` for the manual questions ``manual`` (name -> points).

    A missing file holds no rubric, and a question the file does not list has none: the caller
    starts those from ``default_rubric``.
    """
    if not path.is_file():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RubricFileError(path, [f"not readable YAML: {error}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RubricFileError(path, ["the file must map question names to rubrics"])
    problems: list[str] = []
    specs = {}
    for question, body in data.items():
        if question not in manual:
            problems.append(
                f"{question}: not a hand-graded question (those are {', '.join(manual)})"
            )
            continue
        spec = _read_one(str(question), body, problems)
        if spec is not None:
            specs[str(question)] = spec
    if problems:
        raise RubricFileError(path, problems)
    return specs


def _read_one(question: str, body: object, problems: list[str]) -> RubricSpec | None:
    if not isinstance(body, dict):
        problems.append(f"{question}: expected `scoring:` and `items:`, got {type(body).__name__}")
        return None
    unknown = sorted(set(body) - {"scoring", "items"})
    if unknown:
        problems.append(f"{question}: unknown key(s) {', '.join(map(str, unknown))}")
    scoring = body.get("scoring", "positive")
    if scoring not in SCORINGS:
        problems.append(f"{question}.scoring: {scoring!r} is not one of {', '.join(SCORINGS)}")
    raw_items = body.get("items") or []
    if not isinstance(raw_items, list):
        problems.append(f"{question}.items: expected a list of items")
        return None
    items = []
    for index, item in enumerate(raw_items, start=1):
        where = f"{question}.items[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected `points:` and `description:`")
            continue
        extra = sorted(set(item) - {"points", "description"})
        if extra:
            problems.append(f"{where}: unknown key(s) {', '.join(map(str, extra))}")
        points = item.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float):
            problems.append(f"{where}.points: {points!r} is not a number")
            continue
        if not math.isfinite(points):
            problems.append(f"{where}.points: {points!r} is not a finite number")
            continue
        description = item.get("description")
        if not isinstance(description, str) or not description.strip():
            problems.append(f"{where}.description: missing (the student sees it)")
            continue
        items.append((float(points), description.strip()))
    return RubricSpec(str(scoring), tuple(items))


def rubrics_yaml(rubrics: list[Rubric]) -> str:
    """The gradebook's rubrics as a rubric file (stable key order, one item a block)."""
    data = {
        r.question: {
            "scoring": r.scoring,
            "items": [{"points": _number(i.points), "description": i.description} for i in r.items],
        }
        for r in rubrics
    }
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    return HEADER + body


def _number(points: float) -> int | float:
    return int(points) if float(points).is_integer() else points


def write_rubrics(path: Path, rubrics: list[Rubric]) -> None:
    atomic_write(path, rubrics_yaml(rubrics))
