"""Rubrics and marks in the gradebook (schema 2): scores follow the rubric, every change is
kept, a stale change is refused whole, and a schema-1 gradebook opens with its scores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grading import gradebook as gb
from grading.assignments import Question
from grading.errors import GradingError
from grading.gradebook import Gradebook, MarkConflict, UnknownRecord
from grading.outputs import HAND_GRADED_HEADER, hand_graded_section, with_hand_graded_section

Q = "w1"


@pytest.fixture
def book(tmp_path) -> Gradebook:
    with Gradebook(tmp_path / "gradebook.sqlite") as opened:
        opened.ensure_rubric(Q, 4.0, "positive", [(1.0, "setup"), (2.0, "chain rule")], "file")
        yield opened


def items(book: Gradebook) -> list[int]:
    rubric = book.rubric(Q)
    assert rubric is not None
    return [i.id for i in rubric.items]


def test_schema_1_gradebook_is_migrated_and_keeps_its_scores(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    old = sqlite3.connect(path)
    old.executescript(gb.SCHEMA)  # what version 1 created, no more
    old.execute("PRAGMA user_version=1")
    old.execute("INSERT INTO manual_scores VALUES ('ada', 'w1', 3.5, '2026-01-01', 'old.csv')")
    old.commit()
    old.close()
    with Gradebook(path) as book:
        assert book.db.execute("PRAGMA user_version").fetchone()[0] == gb.SCHEMA_VERSION == 4
        assert book.manual_scores() == {"ada": {"w1": 3.5}}
        assert book.marks(Q)["ada"].score == 3.5 and book.marks(Q)["ada"].version == 0
        assert book.ensure_rubric(Q, 4.0, "negative", [(-1.0, "slip")], "file")
        assert book.manual_scores() == {"ada": {"w1": 3.5}}  # a rubric does not move scores
    with Gradebook(path) as book:  # opening again changes nothing
        assert book.manual_scores() == {"ada": {"w1": 3.5}}


def test_newer_schema_is_refused_with_its_number(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(ValueError, match="gradebook schema 99, this tool reads 4"):
        Gradebook(path)


def test_items_make_the_score_and_editing_an_item_rescores_everyone(book):
    setup, chain = items(book)
    for student in ("ada", "bob", "cy"):
        book.change_mark(student, Q, "alice", 0, apply=(setup, chain))
    book.change_mark("dee", Q, "alice", 0, apply=(setup,))
    assert {s: v[Q] for s, v in book.manual_scores().items()} == {
        "ada": 3.0, "bob": 3.0, "cy": 3.0, "dee": 1.0
    }  # fmt: skip
    item = book.rubric_item(chain)
    edited, changes = book.edit_rubric_item(chain, item.version, "bob", points=1.5,
                                            description="chain rule, both factors")  # fmt: skip
    assert edited.points == 1.5 and edited.version == item.version + 1
    assert sorted((c.student, c.old, c.new) for c in changes) == [
        ("ada", 3.0, 2.5), ("bob", 3.0, 2.5), ("cy", 3.0, 2.5)
    ]  # fmt: skip
    assert book.manual_scores()["dee"][Q] == 1.0
    history = book.db.execute(
        "SELECT student, old_score, new_score, source FROM manual_score_changes"
        " WHERE source = 'rubric: bob' ORDER BY student"
    ).fetchall()
    assert history == [("ada", 3.0, 2.5, "rubric: bob"), ("bob", 3.0, 2.5, "rubric: bob"),
                       ("cy", 3.0, 2.5, "rubric: bob")]  # fmt: skip
    assert book.rubric_item_counts(Q) == {setup: 4, chain: 3}


def test_stale_mark_is_refused_and_says_who_changed_what(book):
    setup, chain = items(book)
    mark, _ = book.change_mark("ada", Q, "alice", 0, apply=(setup,))
    with pytest.raises(MarkConflict) as conflict:
        book.change_mark("ada", Q, "bob", 0, apply=(chain,))  # bob saw version 0
    message = str(conflict.value)
    assert "alice changed this answer" in message and "applied 'setup'" in message
    assert "not saved" in message
    assert conflict.value.current.version == mark.version
    assert book.mark("ada", Q).items == {setup} and book.manual_scores()["ada"][Q] == 1.0
    again, _ = book.change_mark("ada", Q, "bob", mark.version, apply=(chain,))
    assert again.items == {setup, chain} and again.score == 3.0


def test_stale_item_edit_is_refused(book):
    setup, _ = items(book)
    version = book.rubric_item(setup).version
    book.edit_rubric_item(setup, version, "alice", points=0.5, description="setup")
    with pytest.raises(MarkConflict, match="alice changed the item 'setup'"):
        book.edit_rubric_item(setup, version, "bob", points=2.0, description="setup")
    assert book.rubric_item(setup).points == 0.5


def test_negative_scoring_clamps_and_deleting_an_item_rescores(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        book.ensure_rubric(Q, 2.0, "negative", [(-1.5, "no sigma"), (-1.0, "sign")], "file")
        rubric = book.rubric(Q)
        assert rubric is not None and rubric.base == 2.0
        slip, sign = (i.id for i in rubric.items)
        mark, change = book.change_mark("ada", Q, "alice", 0)  # accepted as it is: full marks
        assert mark.score == 2.0 and change is not None and change.old is None
        mark, _ = book.change_mark("ada", Q, "alice", mark.version, apply=(slip, sign))
        assert mark.score == 0.0  # 2 - 2.5, clamped
        changes = book.delete_rubric_item(sign, book.rubric_item(sign).version, "alice")
        assert [(c.old, c.new) for c in changes] == [(0.0, 0.5)]
        assert [i.id for i in book.rubric(Q).items] == [slip]
        with pytest.raises(UnknownRecord):
            book.rubric_item(sign)
        with pytest.raises(GradingError, match="scoring can only change before grading"):
            book.set_rubric_scoring(Q, "positive", book.rubric(Q).version, "alice")


def test_adjustment_needs_a_reason_and_comment_is_kept(book):
    with pytest.raises(GradingError, match="needs a reason"):
        book.change_mark("ada", Q, "alice", 0, adjustment=0.5, reason=" ")
    assert book.mark("ada", Q).version == 0 and book.manual_scores() == {}
    mark, _ = book.change_mark("ada", Q, "alice", 0, adjustment=0.5, reason="neat",
                               comment="see me")  # fmt: skip
    assert (mark.score, mark.comment, mark.reason) == (0.5, "see me", "neat")


def test_unknown_item_is_refused(book):
    with pytest.raises(UnknownRecord, match="has no rubric item 999"):
        book.change_mark("ada", Q, "alice", 0, apply=(999,))
    with pytest.raises(UnknownRecord):
        book.change_mark("ada", "nope", "alice", 0)


def test_moving_items_changes_their_order(book):
    setup, chain = items(book)
    rubric = book.move_rubric_item(chain, -1, "alice")
    assert [i.id for i in rubric.items] == [chain, setup]
    assert [i.id for i in book.move_rubric_item(chain, -1, "alice").items] == [chain, setup]


def test_a_csv_import_becomes_the_marks_adjustment(book):
    setup, _ = items(book)
    changes = book.set_manual_scores([("ada", Q, 2.5)], source="manual.csv")
    assert [(c.old, c.new) for c in changes] == [(None, 2.5)]
    mark = book.mark("ada", Q)
    assert (mark.score, mark.adjustment, mark.reason) == (2.5, 2.5, "set to 2.5 by manual.csv")
    mark, _ = book.change_mark("ada", Q, "alice", mark.version, apply=(setup,))
    assert mark.score == 3.5  # the grader's item on top of the imported score
    log = book.hand_grading_log(Q, "ada")
    assert [e.action for e in log] == ["marked", "score set"]


def test_anonymous_numbers_are_stable_and_new_students_come_after(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        first = book.anonymous_numbers(["ada", "bob", "cy"])
        assert sorted(first.values()) == [1, 2, 3]
        again = book.anonymous_numbers(["cy", "dee", "ada", "bob"])
        assert {s: again[s] for s in first} == first and again["dee"] == 4


def test_feedback_section_lists_items_adjustment_and_comment(book):
    setup, chain = items(book)
    book.change_mark("ada", Q, "alice", 0, apply=(chain,), adjustment=-0.5, reason="sloppy",
                     comment="Good.\nSee p. 2")  # fmt: skip
    questions = [Question(Q, 4.0, True, ()), Question("w2", 1.0, True, ())]
    section = hand_graded_section(
        questions, {Q: book.mark("ada", Q), "w2": None}, {Q: book.rubric(Q)}
    )
    assert section.splitlines() == [
        HAND_GRADED_HEADER,
        "w1: 1.5 / 4",
        "    +2  chain rule",
        "    -0.5  adjustment: sloppy",
        "    comment:",
        "        Good.",
        "        See p. 2",
        "w2: not graded yet / 1",
        "Graded by hand so far: 1.5 / 5",
    ]
    original = "Feedback for ada\nq1: 1 / 1\n"
    once = with_hand_graded_section(original, section)
    assert once == original + "\n" + section
    assert with_hand_graded_section(once, section) == once  # written again: replaced
    assert "alice" not in section  # students see decisions, not graders


def test_gradebook_file_is_untouched_on_a_refused_change(tmp_path):
    path: Path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        book.ensure_rubric(Q, 4.0, "positive", [(1.0, "setup")], "file")
        before = book.db.execute("SELECT count(*) FROM hand_grading_log").fetchone()
        with pytest.raises(GradingError):
            book.add_rubric_item(Q, float("nan"), "bad", "alice")
        with pytest.raises(GradingError):
            book.add_rubric_item(Q, 1.0, "   ", "alice")
        assert book.db.execute("SELECT count(*) FROM hand_grading_log").fetchone() == before
        assert book.integrity_ok()
