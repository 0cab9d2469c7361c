"""Rubric files: the committed one is sound, a broken one is refused naming each problem, and
what grading changed is written back so that the file reads back the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.gradebook import Gradebook
from grading.web.marking import Marking
from grading.web.rubrics import (
    RubricFileError,
    default_rubric,
    read_rubrics,
    rubrics_yaml,
    write_rubrics,
)


@pytest.fixture(scope="module")
def manual(questions) -> dict[str, float]:
    return {q.name: q.points for q in questions if q.manual}


def test_committed_rubrics_cover_every_hand_graded_question(assignment, manual):
    specs = read_rubrics(assignment.master_dir / "rubrics.yaml", manual)
    assert set(specs) == set(manual)
    for name, spec in specs.items():
        gains = sum(p for p, _ in spec.items if p > 0)
        losses = -sum(p for p, _ in spec.items if p < 0)
        if spec.scoring == "positive":
            assert gains == pytest.approx(manual[name]), name  # full marks are reachable
        else:
            assert gains == 0 and losses >= manual[name], name  # and so is zero
        assert len(spec.items) >= 3, name
        assert len({d for _, d in spec.items}) == len(spec.items), name


def test_broken_file_lists_every_problem(tmp_path, manual):
    path = tmp_path / "rubrics.yaml"
    path.write_text(
        "q4a:\n  scoring: sideways\n  items:\n  - points: abc\n    description: x\n"
        "  - points: 1\n  - {points: .nan, description: y}\n  - {points: 1, description: z,"
        " colour: red}\n"
        "q1a:\n  items: []\n"
        "q3a: [1, 2]\n"
    )
    with pytest.raises(RubricFileError) as error:
        read_rubrics(path, manual)
    message = str(error.value)
    assert message.startswith(f"{path}: 7 problem(s), nothing loaded:")
    for problem in (
        "q4a.scoring: 'sideways' is not one of positive, negative",
        "q4a.items[1].points: 'abc' is not a number",
        "q4a.items[2].description: missing",
        "q4a.items[3].points: nan is not a finite number",
        "q4a.items[4]: unknown key(s) colour",
        "q1a: not a hand-graded question",
        "q3a: expected `scoring:` and `items:`, got list",
    ):
        assert problem in message, problem


def test_not_yaml_and_twice_given_keys_are_refused(tmp_path, manual):
    path = tmp_path / "rubrics.yaml"
    path.write_text("q4a: {scoring: positive\n")
    with pytest.raises(RubricFileError, match="not readable YAML"):
        read_rubrics(path, manual)
    path.write_text("q4a: {scoring: positive}\nq4a: {scoring: negative}\n")
    with pytest.raises(RubricFileError, match="'q4a' appears twice"):
        read_rubrics(path, manual)
    assert read_rubrics(tmp_path / "missing.yaml", manual) == {}


def test_written_back_rubrics_read_back_the_same(assignment, manual, tmp_path):
    specs = read_rubrics(assignment.master_dir / "rubrics.yaml", manual)
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        for name, spec in specs.items():
            book.ensure_rubric(name, manual[name], spec.scoring, list(spec.items), "test")
        item = book.rubric("q4a").items[0]
        book.edit_rubric_item(item.id, item.version, "test", points=0.75,
                              description="Quotient rule: $u = 1$ and it's 'quoted'")  # fmt: skip
        rubrics = [book.rubric(name) for name in manual]
    out: Path = tmp_path / "rubrics.yaml"
    write_rubrics(out, rubrics)
    again = read_rubrics(out, manual)
    assert again["q4a"].items[0] == (0.75, "Quotient rule: $u = 1$ and it's 'quoted'")
    assert {k: v for k, v in again.items() if k != "q4a"} == {
        k: v for k, v in specs.items() if k != "q4a"
    }
    assert rubrics_yaml(rubrics) == out.read_text()


def open_marking(folder: Path, assignment, rubric_file: Path) -> Marking:
    """The app's data layer on a gradebook that has a grading run and no mark yet."""
    if not (folder / "gradebook.sqlite").exists():
        with Gradebook(folder / "gradebook.sqlite") as book:
            book.start_run("a" * 64, "ag.zip", "podman", None)
    return Marking(folder, assignment, rubric_file)


def test_a_question_the_rubric_file_leaves_out_starts_from_the_default(
    assignment, manual, tmp_path
):
    """Full marks, half, none: a grader can mark at once; the file's own rubrics are kept."""
    listed, *left_out = manual
    path = tmp_path / "rubrics.yaml"
    path.write_text(
        f"{listed}:\n  scoring: negative\n  items:\n  - points: -1\n    description: Blank\n"
    )
    marking = open_marking(tmp_path, assignment, path)
    try:
        assert marking.rubric(listed).scoring == "negative"
        for name in left_out:
            rubric = marking.rubric(name)
            expected = default_rubric(manual[name])
            assert rubric.scoring == expected.scoring == "positive"
            assert [(i.points, i.description) for i in rubric.items] == list(expected.items)
            assert [i.points for i in rubric.items] == [manual[name], manual[name] / 2, 0]
        assert marking.notices == []
        question = left_out[0]
        full, half, _ = marking.rubric(question).items
        mark, _ = marking.book.change_mark("ada", question, "ta", 0, apply=(half.id,))
        assert mark.score == pytest.approx(manual[question] / 2)
        mark, _ = marking.book.change_mark("ada", question, "ta", mark.version,
                                           apply=(full.id,), remove=(half.id,))  # fmt: skip
        assert mark.score == pytest.approx(manual[question])
        written = marking.write_rubrics()
    finally:
        marking.close()
    assert set(read_rubrics(written, manual)) == set(manual)  # the defaults go into the file


def test_without_a_rubric_file_every_question_gets_the_default_once(assignment, manual, tmp_path):
    missing = tmp_path / "none.yaml"
    marking = open_marking(tmp_path, assignment, missing)
    try:
        question = next(iter(manual))
        first = marking.rubric(question).items[0]
        marking.book.edit_rubric_item(
            first.id, first.version, "ta", points=manual[question] - 0.5, description="All of it"
        )
    finally:
        marking.close()
    again = open_marking(tmp_path, assignment, missing)  # the grader's edit is kept, unremarked
    try:
        assert again.rubric(question).items[0].points == manual[question] - 0.5
        assert again.notices == []
        assert all(again.rubric(q).items for q in manual)
    finally:
        again.close()
    assert not missing.exists()
