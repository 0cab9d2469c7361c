"""Hand grading as graders do it, in Debian's Chromium: keyboard only, rubric items made and
re-pointed while grading, two graders at once, then the LMS export, the CSV template, the
feedback files and the packets must all agree with what the pages showed.

One `mark` server on a copy of the graded samples; the tests run in order and build on each
other's marks, as a grading session does. Every request leaving 127.0.0.1 is blocked and
recorded (none may be attempted), every dialog and console error recorded (none may happen).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest
import yaml

from grading.gradebook import Gradebook

from .conftest import ROOT, Watched, login

pytestmark = pytest.mark.slow
CANVAS_COLUMN = "derivatives (40101)"
SAMPLES = ["ex3-raises", "reordered", "skipped", "strong", "typical", "untouched", "weak"]


@pytest.fixture(scope="module")
def numbers(server) -> dict[str, int]:
    """The anonymous number of each sample (what a grader never needs to know)."""
    with Gradebook(server.out / "gradebook.sqlite") as book:
        return book.anonymous_numbers(SAMPLES)


@pytest.fixture(scope="module")
def alice(new_context, server) -> tuple[Watched, object]:
    watched = new_context()
    return watched, login(watched, server, "alice")


def scores(server, question: str) -> dict[str, float]:
    with Gradebook(server.out / "gradebook.sqlite") as book:
        return {s: v[question] for s, v in book.manual_scores().items() if question in v}


def version(page) -> int:
    return int(page.get_attribute("body", "data-version"))


def press_and_wait(page, key: str) -> None:
    """Press a key that changes the mark, and wait until the server's answer is shown."""
    before = version(page)
    page.keyboard.press(key)
    page.wait_for_selector(f'body[data-version="{before + 1}"]')


def open_answer(page, server, question: str, number: int) -> None:
    page.goto(f"{server.base}/q/{question}/{number}")
    page.wait_for_selector("html[data-math-rendered]")


def clean(watched: Watched, expected: str = "\0") -> None:
    """Nothing left 127.0.0.1, no dialog, no error but the ``expected`` one."""
    assert watched.outside == [], watched.outside
    assert watched.dialogs == [], watched.dialogs
    assert [e for e in watched.errors if expected not in e] == [], watched.errors


def test_keyboard_only_grading_of_q4a(alice, server, numbers, shots):
    watched, page = alice
    shots.take(page, "01-start")
    for _ in range(40):  # Tab to the question, as a person does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "q4a":
            break
    else:
        pytest.fail("q4a cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("html[data-math-rendered]")
    graded = {}
    for _ in SAMPLES:
        number = int(page.url.rsplit("/", 1)[1])
        answer = page.inner_text("#answer")
        blank = "Type your answer here" in answer
        for key in ("5",) if blank else ("1", "2", "3", "4"):
            press_and_wait(page, key)
        graded[number] = float(page.get_attribute("#score", "data-score"))
        if number == numbers["strong"]:
            shots.take(page, "02-q4a-strong-graded")
        with page.expect_navigation():
            page.keyboard.press("n")
    assert "done=1" in page.url  # nothing left ungraded: the overview
    shots.take(page, "03-q4a-all-graded", full_page=True)
    expected = {s: (0.0 if s == "untouched" else 2.0) for s in SAMPLES}
    assert {s: graded[numbers[s]] for s in SAMPLES} == expected
    assert scores(server, "q4a") == expected
    shown = {
        int(row.get_attribute("data-number")): float(row.get_attribute("data-score"))
        for row in page.query_selector_all("#answers tbody tr")
    }
    assert shown == {numbers[s]: v for s, v in expected.items()}
    clean(watched)


def test_math_is_rendered_not_raw(alice, server, numbers, shots):
    watched, page = alice
    open_answer(page, server, "q4a", numbers["strong"])
    assert page.locator("#answer .katex").count() >= 4
    raw = page.evaluate(
        """() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (node.parentElement.closest('.katex-mathml, script')) continue;
            if (/\\\\frac|\\\\sigma|\\$/.test(node.textContent)) out.push(node.textContent);
        }
        return out;
    }"""
    )
    assert raw == []
    assert page.locator(".prompt .katex").count() >= 2  # the prompt's math too
    shots.take(page, "04-q4a-math")
    clean(watched)


def test_new_item_applied_to_three_then_its_points_change(alice, server, numbers, shots):
    watched, page = alice
    order = sorted(numbers.values())[:3]
    open_answer(page, server, "q6a", order[0])
    before = page.locator("#items li").count()
    page.keyboard.press("i")
    page.keyboard.type("0.25")
    page.keyboard.press("Tab")
    page.keyboard.type("States the MVT's hypotheses: $\\sin$ is differentiable")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#items li:nth-child({before + 1}) button.item")
    key = str(before + 1)
    assert page.locator("#message").inner_text().startswith(f"item {before + 1} added")
    for index, number in enumerate(order):
        if index:
            with page.expect_navigation():
                page.keyboard.press("j")
            page.wait_for_selector("html[data-math-rendered]")
            assert page.url.endswith(f"/q/q6a/{number}")
        press_and_wait(page, key)
    with Gradebook(server.out / "gradebook.sqlite") as book:
        students = {n: s for s, n in book.anonymous_numbers(SAMPLES).items()}
    assert scores(server, "q6a") == {students[n]: 0.25 for n in order}
    assert page.locator(f"#items li:nth-child({before + 1}) .count").inner_text() == "3"
    page.keyboard.press("e")  # edit the rubric: Tab to the new item's points, as a person
    for _ in range(60):
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        if label == f"points of item {before + 1}":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the new item's points cannot be reached with Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    page.wait_for_selector("#message:has-text('re-scored')")
    shots.take(page, "05-rubric-item-edited")
    assert scores(server, "q6a") == {students[n]: 1.0 for n in order}
    page.keyboard.press("Escape")
    page.goto(f"{server.base}/q/q6a")
    shown = {
        int(r.get_attribute("data-number")): r.get_attribute("data-score")
        for r in page.query_selector_all("#answers tbody tr")
    }
    assert {n: shown[n] for n in order} == {n: "1.0" for n in order}
    clean(watched)


def test_two_graders_at_once_lose_nothing_and_a_clash_is_told(
    alice, new_context, server, numbers, shots
):
    watched_a, page_a = alice
    watched_b = new_context()
    page_b = login(watched_b, server, "bob")
    order = sorted(numbers.values())
    for first, second in zip(order[0::2], order[1::2] + [None], strict=True):
        open_answer(page_a, server, "q8a", first)
        if second is not None:
            open_answer(page_b, server, "q8a", second)
        page_a.keyboard.press("1")
        if second is not None:
            page_b.keyboard.press("3")
            page_b.wait_for_selector('body[data-version="1"]')
        page_a.wait_for_selector('body[data-version="1"]')
    expected = dict.fromkeys(order, 1.0)  # item 1 (alice) and item 3 (bob) are both +1
    with Gradebook(server.out / "gradebook.sqlite") as book:
        marks = book.marks("q8a")
        by_number = {book.anonymous_numbers([s])[s]: m for s, m in marks.items()}
        log = book.hand_grading_log("q8a", limit=100)
    assert {n: m.score for n, m in by_number.items()} == expected  # every mark landed
    assert {n: m.updated_by for n, m in by_number.items()} == {
        n: ("alice" if i % 2 == 0 else "bob") for i, n in enumerate(order)
    }
    marked = [e.grader for e in log if e.action == "marked"]  # one history entry per mark
    assert sorted(marked) == sorted(m.updated_by for m in marks.values())

    # Both open the same answer; alice applies an item first, bob's change then clashes.
    target = order[0]
    open_answer(page_a, server, "q8b", target)
    open_answer(page_b, server, "q8b", target)
    press_and_wait(page_a, "1")
    page_b.keyboard.press("2")
    page_b.wait_for_selector("#message.conflict")
    message = page_b.inner_text("#message")
    assert "alice changed this answer" in message and "not saved" in message
    assert page_b.get_attribute("#items li:nth-child(1) button", "aria-pressed") == "true"
    shots.take(page_b, "06-conflict-told")
    press_and_wait(page_b, "2")  # now on the current version: lands
    with Gradebook(server.out / "gradebook.sqlite") as book:
        student = next(s for s, n in numbers.items() if n == target)
        assert book.mark(student, "q8b").score == 2.0  # items 1 (+1) and 2 (+1)
    clean(watched_a)
    clean(watched_b, expected="status of 409 (Conflict)")  # the clash, told on the page


def test_names_are_hidden_until_asked_for(alice, server, numbers):
    watched, page = alice
    open_answer(page, server, "q4a", numbers["weak"])
    assert page.inner_text("#student-name") == ""
    assert "weak" not in page.inner_text("main")
    with page.expect_navigation():
        page.keyboard.press("s")
    page.wait_for_selector("html[data-math-rendered]")
    assert page.inner_text("#student-name").startswith("weak (")
    with page.expect_navigation():
        page.keyboard.press("s")
    assert page.inner_text("#student-name") == ""
    clean(watched)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grading", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)  # fmt: skip


def test_canvas_export_has_the_hand_graded_points(server, assignment, tmp_path):
    out = tmp_path / "canvas.csv"
    book = str(server.out / "gradebook.sqlite")
    roster = assignment.samples_dir / "roster-canvas.csv"
    done = cli("export", "--gradebook", book, "--format", "canvas", "--roster", str(roster),
               "--out", str(out), "--column", CANVAS_COLUMN)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {r["SIS Login ID"]: r for r in csv.DictReader(out.open(newline=""))}
    with Gradebook(server.out / "gradebook.sqlite") as gb:
        auto = {r.student: r.score for r in gb.rows(gb.latest_autograder())}
        manual = gb.manual_scores()
    for student in ("strong", "typical", "weak"):
        expected = auto[student] + sum(manual[student].values())
        assert float(rows[student][CANVAS_COLUMN]) == pytest.approx(expected), student
        assert manual[student]["q4a"] == 2.0


def test_csv_template_and_import_agree_with_the_app(alice, server, numbers, tmp_path):
    watched, page = alice
    book = str(server.out / "gradebook.sqlite")
    done = cli("manual", "export", "--gradebook", book, "--out", str(tmp_path / "manual"))
    assert done.returncode == 0, done.stderr
    template = tmp_path / "manual" / "derivatives-manual-grades.csv"
    rows = list(csv.reader(io.StringIO(template.read_text())))
    column = rows[0].index("q4a (max 2)")
    assert {r[0]: r[column] for r in rows[1:]} == {
        s: ("0" if s == "untouched" else "2") for s in SAMPLES
    }
    q3a = rows[0].index("q3a (max 1.5)")
    for row in rows[1:]:
        if row[0] == "typical":
            row[q3a] = "1.25"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    template.write_text(buffer.getvalue())
    done = cli("manual", "import", str(template), "--gradebook", book)
    assert done.returncode == 0, done.stderr
    assert "typical q3a: ungraded -> 1.25" in done.stdout
    open_answer(page, server, "q3a", numbers["typical"])
    assert page.get_attribute("#score", "data-score") == "1.25"
    assert page.input_value("#adjust-reason") == "set to 1.25 by derivatives-manual-grades.csv"
    press_and_wait(page, "1")  # an item on top of the imported score
    assert page.get_attribute("#score", "data-score") == "1.5"  # 1.25 + 0.5, clamped at 1.5
    clean(watched)


def test_files_are_written_from_the_start_page(alice, server, rubric_copy, shots):
    watched, page = alice
    page.goto(server.base + "/")
    for what, expected in (("rubrics", "wrote"), ("feedback", "feedback files of 7")):
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == f"write-{what}":
                break
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#message:has-text('{expected}')")
    shots.take(page, "07-files-written")
    written = yaml.safe_load(rubric_copy.read_text())["q6a"]["items"]
    assert written[-1] == {
        "points": 1, "description": "States the MVT's hypotheses: $\\sin$ is differentiable"
    }  # fmt: skip
    with Gradebook(server.out / "gradebook.sqlite") as book:
        autograder = book.latest_autograder()
        paths = book.feedback_paths(autograder)
        strong = next(r.sha256 for r in book.rows(autograder) if r.student == "strong")
    text = (server.out / paths[strong]).read_text()
    assert text.startswith("Grade: ") and "\nFeedback for strong" in text  # the grade first
    page = (server.out / paths[strong]).with_suffix(".html").read_text()
    assert "Quotient rule set up with" in page  # the page says what the text file says
    section = text.split("== Graded by hand ==\n", 1)[1]
    assert "q4a: 2 / 2\n    +0.5  Quotient rule set up with $u = 1$, $v = 1 + e^{-x}$" in section
    assert "q5e_plot: not graded yet / 1" in section
    clean(watched)


def test_packets_render_math_from_their_own_assets(alice, server, tmp_path, shots):
    watched, _ = alice
    done = cli("manual", "export", "--gradebook", str(server.out / "gradebook.sqlite"),
               "--out", str(tmp_path / "manual"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    packet = tmp_path / "manual" / "packets" / "strong.html"
    # No CDN named anywhere but inside the figures' base64 (where any 3 letters may occur).
    assert (
        "cdn"
        not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", packet.read_text()).lower()
    )
    page = watched.page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(packet.as_uri())
    page.wait_for_selector("html[data-math-rendered]")
    assert int(page.get_attribute("html", "data-math-rendered")) >= 40
    assert page.locator('[data-question="q4a"] .katex').count() >= 4
    assert "\\frac" not in page.inner_text('[data-question="q4a"] .katex-html >> nth=0')
    assert requests and all(u.startswith("file://") for u in requests), requests
    shots.take(page, "08-packet")
    clean(watched)
