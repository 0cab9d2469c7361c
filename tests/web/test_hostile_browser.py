"""Hostile notebooks opened in the marking app: nothing a student wrote may run, load anything
from outside the app or change a score; the page still renders and shows the answer's text.

The class is built cheaply: the strong sample's graded row copied into a scratch gradebook once
per case (through Gradebook methods), each with its hostile notebook in DIR/submissions/. The
q4a answer carries the Markdown payload, the q5e_plot cell the output payloads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.gradebook import Gradebook

from .conftest import Watched, login, start_server, stop_server
from .hostile_cases import CASES, OUT, record_hostile_class

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile_out(graded_samples, assignment, tmp_path_factory) -> Path:
    _, graded = graded_samples
    return record_hostile_class(graded, assignment, tmp_path_factory.mktemp("hostile") / "graded")


@pytest.fixture(scope="module")
def hostile_server(hostile_out, rubric_copy, tmp_path_factory):
    log = tmp_path_factory.mktemp("hostile-log") / "mark.log"
    running = start_server(hostile_out, log, "--rubrics", str(rubric_copy))
    try:
        yield running
    finally:
        stop_server(running.proc)


def snapshot(out: Path) -> tuple:
    with Gradebook(out / "gradebook.sqlite") as book:
        rows = sorted((r.student, r.score, tuple(sorted(r.questions.items())))
                      for r in book.rows(book.latest_autograder()))  # fmt: skip
        return rows, book.manual_scores(), book.hand_grading_log(limit=1000)


PAGE_CHECK = """() => {
    const panel = document.getElementById('panel').getBoundingClientRect();
    const top = document.elementFromPoint(panel.left + panel.width / 2, panel.top + 20);
    const links = Array.from(document.querySelectorAll('a[href], [src]'));
    return {
        pwned: typeof window.__pwned,
        panelShown: panel.width > 100 && panel.height > 100 && !!top && !!top.closest('#panel'),
        scripts: Array.from(document.scripts).map(s => s.src || s.type),
        badUrls: links.map(e => e.getAttribute('href') || e.getAttribute('src') || '')
            .filter(u => !/^(\\/|#|https?:|mailto:|data:image\\/)/.test(u)),
        frames: Array.from(document.querySelectorAll('iframe'))
            .map(f => [f.getAttribute('sandbox'), f.hasAttribute('src')]),
    };
}"""


@pytest.mark.parametrize("question", ["q4a", "q5e_plot"])
def test_hostile_answers_do_nothing_but_show_their_text(
    hostile_server, hostile_out, new_context, shots, question
):
    before = snapshot(hostile_out)
    watched: Watched = new_context()
    page = login(watched, hostile_server, "careful")
    with Gradebook(hostile_out / "gradebook.sqlite") as book:
        numbers = book.anonymous_numbers([f"hostile-{c.name}" for c in CASES])
    errors = []
    for case in CASES:
        count = len(watched.errors)
        page.goto(f"{hostile_server.base}/q/{question}/{numbers[f'hostile-{case.name}']}")
        page.wait_for_selector("html[data-math-rendered]")
        page.wait_for_timeout(50)  # anything queued by a payload would run now
        seen = page.evaluate(PAGE_CHECK)
        assert seen["pwned"] == "undefined", case.name
        assert seen["panelShown"], case.name  # not hidden, not covered
        assert seen["badUrls"] == [], (case.name, seen["badUrls"])
        scripts = [s.split("?")[0].removeprefix(hostile_server.base) for s in seen["scripts"]]
        assert scripts == ["/static/katex/katex.min.js", "/static/math.js", "/static/mark.js",
                           "application/json"], (case.name, scripts)  # fmt: skip
        assert all(sandbox == "" and not src for sandbox, src in seen["frames"]), seen["frames"]
        answer = " ".join(page.inner_text("#answer").split())
        if question == "q4a" or case.outputs:
            assert case.visible in answer, case.name
        errors += [(case.name, e) for e in watched.errors[count:]]
        if question == "q4a" and case.name in ("style-hides-page", "math-macros", "external-media"):
            shots.take(page, f"09-hostile-{case.name}")
        if question == "q5e_plot" and case.name in ("output-html", "output-svg"):
            shots.take(page, f"10-hostile-{case.name}")
    assert watched.dialogs == []
    assert watched.outside == []  # blocked and recorded: none may even be attempted
    assert not any(OUT in url for url in watched.requests)
    assert errors == []  # no CSP violation either: the sanitiser removed everything
    assert snapshot(hostile_out) == before  # no score, mark or log entry changed


def test_math_macros_stay_inert(hostile_server, hostile_out, new_context):
    watched: Watched = new_context()
    page = login(watched, hostile_server, "careful")
    with Gradebook(hostile_out / "gradebook.sqlite") as book:
        number = book.anonymous_numbers(["hostile-math-macros"])["hostile-math-macros"]
    page.goto(f"{hostile_server.base}/q/q4a/{number}")
    page.wait_for_selector("html[data-math-rendered]")
    assert page.locator("#answer .katex").count() >= 4  # \href, \url, \includegraphics, \html*
    assert page.locator("#answer .math-error").count() >= 1  # the macro bomb: shown as text
    assert page.locator("#answer a").count() == 0  # \href and \url made no link
    assert page.locator("#answer img").count() == 0  # \includegraphics made no image
    assert page.locator("#answer [id='x']").count() == 0  # \htmlId did nothing
    box = page.locator("#answer").bounding_box()
    assert box is not None and box["height"] < 5000  # \rule{9999em} was capped
    assert watched.outside == [] and watched.dialogs == []
