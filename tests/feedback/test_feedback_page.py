"""The feedback files' content, from a real gradebook (the session's graded samples, hand-graded
on three questions and flagged late): points, tests as show_hidden allows, rubric items,
comments, adjustment reasons, the late penalty and the total, and the text file's first line."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

from grading.feedback import page_html, refresh_feedback, standing
from grading.gradebook import Gradebook
from grading.lms.grades import compute_grades, recorded_autograder
from grading.render import tex_mathml

from ..html_tags import parse
from ..web.hostile_cases import CASES
from .conftest import COMMENT, POLICY, REASON, ROOT


def text_of(fragment: str) -> str:
    return " ".join(" ".join(parse(fragment).text).split())


def section(page: str, question: str) -> str:
    start = page.index(f'id="q-{question}"')
    return page[start : page.index("</section>", start)]


def expected(out: Path, assignment, student: str):
    with Gradebook(out / "gradebook.sqlite") as book:
        info = recorded_autograder(book)
        grades, _ = compute_grades(book, assignment.questions(), policy=POLICY, autograder=info)
        row = next(r for r in book.rows(book.latest_autograder()) if r.student == student)
        marks = {q.name: book.mark(student, q.name) for q in assignment.questions() if q.manual}
    grade = next(g for g in grades if student in g.gradebook_keys)
    return info, grade, row, marks


def files(out: Path, student: str) -> tuple[str, str]:
    (text,) = (out / "feedback").glob(f"{student}-*.txt")
    return text.read_text(), text.with_suffix(".html").read_text()


def test_the_page_shows_points_rubric_comments_adjustments_late_penalty_and_total(
    feedback_class, assignment
):
    info, grade, row, marks = expected(feedback_class.out, assignment, "strong")
    _, page = files(feedback_class.out, "strong")
    assert grade.penalty_fraction == 0.1 and grade.manual["q4a"] is not None
    for name, possible in info.questions.items():  # every autograded question's points
        assert f"{row.questions[name]:g} / {possible:g}" in text_of(section(page, name))
    for question, (points, text) in feedback_class.items.items():
        shown = text_of(section(page, question))
        assert f"{grade.manual[question]:g} / " in shown
        assert f"{points:+g} {text}" in shown  # the item applied, its text escaped, not run
    assert "<script>correctly" not in page and "&lt;script&gt;correctly" in page
    q4a = text_of(section(page, "q4a"))
    assert f"+0.5 adjustment: {REASON}" in q4a
    plot = section(page, "q5e_plot")
    assert " ".join(COMMENT.split()) in text_of(plot) and "<b>next time" not in plot
    assert "not graded yet" in text_of(section(page, "q6a"))  # no mark: said so
    total = text_of(page[page.index('id="total"') :])
    assert "Late penalty -10%" in total
    assert f"Grade {grade.final_total:g} / {grade.points_possible:g}" in total
    by_hand = sum(v for v in grade.manual.values() if v is not None)
    assert f"Autograded {grade.raw_total - by_hand:g}" in total
    assert f"Graded by hand {by_hand:g} (so far)" in total
    header = text_of(page[: page.index("<nav")])
    assert f"Grade: {grade.final_total:g} / {grade.points_possible:g}" in header
    pending = [q for q, v in grade.manual.items() if v is None]
    assert f"hand grading pending for {len(pending)} question(s)" in header


def test_hidden_tests_are_shown_only_as_show_hidden_allows(feedback_class, assignment):
    info, grade, row, marks = expected(feedback_class.out, assignment, "strong")
    with Gradebook(feedback_class.out / "gradebook.sqlite") as book:
        result = book.result(row.sha256, book.latest_autograder())
    hidden = [t for t in result.tests if t.hidden]
    assert hidden and any(not t.hidden for t in result.tests)
    pages = {}
    for show in (True, False):
        shown = dataclasses.replace(info, show_hidden=show)
        pages[show] = page_html(
            title="derivatives", student="strong", origin=row.origin, result=result, info=shown,
            grade=standing(grade, row, shown, [], True), manual=[], marks={}, rubrics={},
            answers=None, notebook=None, outputs={}, log=None,
        )  # fmt: skip
    for test in result.tests:
        listed = f"hidden test {test.name}" if test.hidden else f"public test {test.name}"
        assert listed in text_of(pages[True])
        assert (listed in text_of(pages[False])) == (not test.hidden)
    assert "Hidden test results are not shown" in pages[False]
    assert "Hidden test results are not shown" not in pages[True]


def test_the_text_file_opens_with_the_grade_as_it_stands(feedback_class, assignment):
    _, grade, _, _ = expected(feedback_class.out, assignment, "strong")
    text, _ = files(feedback_class.out, "strong")
    first, second, *_ = text.splitlines()
    pending = [q for q, v in grade.manual.items() if v is None]
    assert first.startswith(f"Grade: {grade.final_total:g} / {grade.points_possible:g} (")
    assert "late penalty -10%" in first and f"pending for {len(pending)} question(s)" in first
    assert second.startswith("Feedback for strong")  # then the rest as before
    assert "Autograded score:" in text and "== Graded by hand ==" in text
    for points, item in feedback_class.items.values():
        assert f"{points:+g}  {item}" in text
    weak, _ = files(feedback_class.out, "weak")
    manual = [q for q in assignment.questions() if q.manual]
    assert f"pending for {len(manual)} question(s)" in weak.splitlines()[0]


def test_refreshing_again_changes_nothing_and_touches_no_score(feedback_class, tmp_path):
    out = shutil.copytree(feedback_class.out, tmp_path / "graded")

    def state():
        with Gradebook(out / "gradebook.sqlite") as book:
            rows = sorted(
                (r.sha256, r.score, r.status) for r in book.rows(book.latest_autograder())
            )
            return rows, book.manual_scores(), book.hand_grading_log(limit=1000)

    before = state()
    feedback = {p.name: p.read_bytes() for p in (out / "feedback").iterdir()}
    assert refresh_feedback(out, assignment_of(), policy=POLICY) == 7
    again = {p.name: p.read_bytes() for p in (out / "feedback").iterdir()}
    assert again == feedback and state() == before


def assignment_of():
    from grading.assignments import discover

    return next(a for a in discover(ROOT / "master", ROOT / "dist") if a.name == "derivatives")


def test_mark_write_feedback_rewrites_both_files(feedback_class, tmp_path):
    out = shutil.copytree(feedback_class.out, tmp_path / "graded")
    for path in (out / "feedback").glob("strong-*"):
        path.write_text("Feedback for strong\nstale\n")
    command = [sys.executable, "-m", "grading", "mark", "--out", str(out), "--write-feedback",
               "--master", str(ROOT / "master"), "--dist", str(ROOT / "dist")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "feedback of 7 submission(s)" in done.stdout
    text, page = files(out, "strong")
    assert text.startswith("Grade: ") and "stale" not in text and "late penalty" not in text
    assert "Late penalty" in page and "none" in text_of(page[page.index('id="total"') :])
    late = subprocess.run([*command, "--deadline", "2026-03-01T00:00:00+00:00"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip
    assert late.returncode == 0, late.stderr
    assert "late penalty -10%" in files(out, "strong")[0].splitlines()[0]


def test_grading_writes_an_html_page_beside_each_text_file(graded_samples):
    _, out = graded_samples
    texts = sorted(p.stem for p in (out / "feedback").glob("*.txt"))
    pages = sorted(p.stem for p in (out / "feedback").glob("*.html"))
    assert texts and pages == texts
    text, page = files(out, "strong")
    # `grade` knows the autograder zip only: the autograded part, saying the rest is to come
    assert text.splitlines()[0].endswith("any hand-graded questions are not included yet")
    assert "hand-graded questions are not included yet" in page and 'id="q-q5e_plot"' not in page


def test_hostile_answers_are_sanitised_in_the_files(hostile_feedback):
    for case in CASES:
        page = (hostile_feedback / "feedback" / f"hostile-{case.name}.html").read_text()
        tags = parse(page).tags
        assert [t for t, _ in tags if t in ("script", "object", "embed", "svg", "link")] == []
        assert all(not name.startswith("on") for _, attrs in tags for name in attrs), case.name
        frames = [attrs for tag, attrs in tags if tag == "iframe"]
        assert all(a.get("sandbox") == "" and "src" not in a for a in frames), case.name
        sources = [a.get("src", "") for t, a in tags if t == "img"]
        assert all(s.startswith("data:image/") for s in sources), (case.name, sources)
        assert case.visible in text_of(section(page, "q4a")), case.name


def test_hostile_tex_becomes_inert_mathml_or_stays_tex():
    converted = tex_mathml(
        r"\text{<script>alert(1)</script>}\href{javascript:x}{y}\style{color:red}{z}", False
    )
    assert converted is not None and converted.startswith("<math")
    assert not re.search(r"script|href|style|javascript", converted)
    assert tex_mathml("{" * 5000, False) is None  # too long, shown as TeX
    assert tex_mathml("{" * 3000, False) is None  # too deep for the converter: shown as TeX
    assert "<mfrac>" in tex_mathml(r"\frac{dy}{dx}", True)
