"""Hostile answers: what a student may put in a notebook to attack the grader who opens it.

Used three times: rendered by ``grading.render`` in test_render.py, opened in the marking app in
test_hostile_browser.py, and in the students' feedback files (tests/feedback); the last two
grade them cheaply with ``record_hostile_class``. Each answer carries a sentence (``visible``)
that must still show.
``198.51.100.7`` is a documentation address: the browser tests block and record any request
to it (none may be attempted), so nothing ever leaves the machine.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from grading.assignments import Assignment
from grading.gradebook import Gradebook
from grading.manual import Answers
from grading.model import GRADED, GradeResult, QuestionScore, Submission

OUT = "http://198.51.100.7"


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    markdown: str = ""  # the q4a answer (a markdown cell)
    outputs: list[dict] = field(default_factory=list)  # outputs of the q5e_plot code cell

    @property
    def visible(self) -> str:
        return f"Visible text of case {self.name}."


def _md(name: str, what: str, body: str) -> Case:
    return Case(name, what, markdown=f"Visible text of case {name}.\n\n{body}\n")


def _out(name: str, what: str, *outputs: dict) -> Case:
    text = {"output_type": "stream", "name": "stdout", "text": f"Visible text of case {name}.\n"}
    return Case(name, what, markdown=f"Visible text of case {name}.", outputs=[text, *outputs])


SVG_SCRIPT = (
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
    f'<image href="{OUT}/svg.png" width="10" height="10"/><rect width="10" height="10"/></svg>'
)

CASES = [
    _md("script", "<script> in Markdown", "<script>alert('script'); window.__pwned = 1</script>"),
    _md("img-onerror", "<img onerror>", "<img src=x onerror=\"alert('onerror')\">"),
    _md(
        "javascript-link",
        "javascript: links (Markdown and HTML)",
        "[click](javascript:alert('link')) <a href=\"javascript:alert('a')\">a</a>"
        " <a href=\" JaVaScRiPt:alert('b')\">b</a>",
    ),
    _md(
        "data-link",
        "data: links and a data: SVG image",
        "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"
        " ![s](data:image/svg+xml;base64," + base64.b64encode(SVG_SCRIPT.encode()).decode() + ")",
    ),
    _md("svg-script", "inline SVG with script and onload", SVG_SCRIPT),
    _md(
        "iframe",
        "<iframe> and <object>",
        f'<iframe src="{OUT}/frame"></iframe>'
        f'<object data="{OUT}/obj"></object><embed src="{OUT}/embed">',
    ),  # fmt: skip
    _md(
        "style-hides-page",
        "<style> and style= that hide the page",
        "<style>body, main, .panel { display: none !important }</style>"
        '<div style="position:fixed;inset:0;background:#fff;z-index:99999">cover</div>',
    ),
    _md(
        "math-macros",
        "TeX: \\href/\\url with javascript:, \\includegraphics, \\html*, macro bomb, huge rule",
        "$\\href{javascript:alert('href')}{click}$ $\\url{javascript:alert('url')}$ "
        f"$\\includegraphics{{{OUT}/tex.png}}$ $\\htmlId{{x}}{{y}}$ "
        "$\\htmlStyle{position:fixed;inset:0}{z}$ $\\def\\a{\\a\\a}\\a$ $\\rule{9999em}{9999em}$",
    ),
    _md("long", "300,000 characters of Markdown", "word " * 60_000),
    _md("nested", "deeply nested Markdown", "> " * 3000 + "deep\n\n" + "- " * 1000 + "[" * 8000),
    _md(
        "external-media",
        "external image (a tracking beacon), stylesheet, video, audio",
        f'![beacon]({OUT}/beacon.png) <link rel=stylesheet href="{OUT}/x.css">'
        f'<video src="{OUT}/v.mp4" autoplay></video><audio src="{OUT}/a.mp3" autoplay></audio>'
        f'<img srcset="{OUT}/s.png 1x"> <form action="/api/write/rubrics" method="post">'
        "<button>go</button></form>",
    ),
    _out(
        "output-html",
        "text/html output with script, handlers, iframe, external image, meta refresh",
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "text/html": "<b onclick=alert(1)>html output</b><script>alert('html')</script>"
                f'<img src="{OUT}/h.png" onerror="alert(3)"><iframe src="{OUT}/f"></iframe>'
                f'<meta http-equiv="refresh" content="0;url={OUT}/">',
                "text/plain": "<IPython.core.display.HTML object>",
            },
        },
    ),
    _out(
        "output-svg",
        "image/svg+xml output with script and an external image",
        {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": SVG_SCRIPT}},
    ),
    _out(
        "output-javascript",
        "application/javascript output",
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "application/javascript": "alert('js'); window.__pwned = 1",
                "text/plain": "<IPython.core.display.Javascript object>",
            },
        },
    ),
    _out(
        "output-markdown",
        "text/markdown output with raw HTML and an external image",
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/markdown": f"<script>alert('md')</script> ![x]({OUT}/m.png)"},
        },
    ),
]


def record_hostile_class(
    graded: Path, assignment: Assignment, out: Path, *, for_feedback: bool = False
) -> Path:
    """A gradebook in ``out`` with one submission per case: the strong sample of the graded
    class ``graded`` (its scores copied through Gradebook methods), the case's Markdown payload
    in its q4a answer and its output payload saved in the q5e_plot cell. ``for_feedback``: the
    run keeps the graded class's settings, each result its feedback file's path, and the output
    payload is also the grading run's (stored unchecked: a page must hold even what the
    worker's checks would have stopped)."""
    answers = Answers(assignment)
    (q4a,) = answers.answer_ids["q4a"]
    (plot,) = answers.answer_ids["q5e_plot"]
    points = {q.name: q.points for q in assignment.questions()}
    with Gradebook(graded / "gradebook.sqlite") as source:
        autograder = source.latest_autograder()
        strong = next(r for r in source.rows(autograder) if r.student == "strong")
        settings = source.run_settings(autograder)
    notebook = json.loads((graded / "submissions" / f"{strong.sha256}.ipynb").read_text())
    with Gradebook(out / "gradebook.sqlite") as book:
        if for_feedback:
            run = book.start_run(autograder, settings["autograder_path"], "podman", None,
                                 autograder=settings.get("autograder"))  # fmt: skip
        else:
            run = book.start_run(autograder, "autograder.zip", "podman", None)
        for case in CASES:
            hostile = copy.deepcopy(notebook)
            for cell in hostile["cells"]:
                if cell.get("id") == q4a:
                    cell["source"] = case.markdown
                if cell.get("id") == plot:
                    cell["outputs"] = case.outputs
            text = json.dumps(hostile)
            sha = hashlib.sha256(text.encode()).hexdigest()
            path = out / "submissions" / f"{sha}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            submission = Submission(path, f"hostile/{case.name}.ipynb", f"hostile-{case.name}",
                                    sha, "notebook")  # fmt: skip
            scores = [QuestionScore(q, s, points[q]) for q, s in strong.questions.items()]
            if for_feedback:
                result = GradeResult(GRADED, "podman", "container", scores,
                                     outputs={plot: case.outputs})  # fmt: skip
                book.record(submission, result, autograder, run,
                            feedback_path=f"feedback/hostile-{case.name}.txt")  # fmt: skip
            else:
                book.record(submission, GradeResult(GRADED, "podman", "container", scores),
                            autograder, run)  # fmt: skip
        book.finish_run(run)
    return out
