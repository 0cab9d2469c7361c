"""How fast hand grading is for a large class: ``python -m grading.web.benchmark``.

Builds a synthetic class (default 500 students: the strong, typical and weak samples in turn,
each answer made unique, each with a figure in its plot cells; half of the question already marked),
starts ``python -m grading mark`` on it and times, as medians over several runs:

* server: the app's own time (its ``Server-Timing`` header) to show an answer page, first
  view and again, and to apply a rubric item, plus the client's round trip;
* browser (Debian's Chromium through Playwright, when both are there): navigation to an
  answer page until its math is rendered, and a key press until the re-scored panel shows.

It prints its numbers; nothing here is a test. Aim: under 100 ms of server time for either.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import http.cookiejar
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from ..assignments import Assignment, discover
from ..gradebook import Gradebook, RubricItem
from ..manual import Answers
from ..model import GRADED, GradeResult, QuestionScore, Submission
from .chromium import CHROMIUM, CHROMIUM_ARGS

AUTOGRADER = "b" * 64


def figure_png() -> str:
    """A plot like a student's (three panels), as a notebook stores it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    x = np.linspace(-0.5, 2.5, 200)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.5))
    for ax, y, title in zip(
        axes, [(x - 1) ** 4, 4 * (x - 1) ** 3, 12 * (x - 1) ** 2], ["f", "f'", "f''"], strict=True
    ):
        ax.plot(x, y)
        ax.axvline(1, ls="--", color="r")
        ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def synthetic_class(assignment: Assignment, out: Path, students: int) -> list[str]:
    """A grade folder with ``students`` graded submissions; returns the student keys."""
    answers = Answers(assignment)
    png = figure_png()
    plots = {i for q in ("q5e_plot", "q8d_plot") for i in answers.answer_ids[q]}
    written = {i for q, ids in answers.answer_ids.items() for i in ids} - plots
    base = [
        json.loads((assignment.samples_dir / f"{name}.ipynb").read_text())
        for name in ("strong", "typical", "weak")
    ]
    points = {q.name: q.points for q in assignment.questions()}
    keys = []
    with Gradebook(out / "gradebook.sqlite") as book:
        run = book.start_run(AUTOGRADER, "autograder.zip", "synthetic", None)
        for index in range(students):
            notebook = copy.deepcopy(base[index % len(base)])
            for cell in notebook["cells"]:
                if cell.get("id") in written:
                    source = "".join(cell["source"]) if isinstance(cell["source"], list) else ""
                    cell["source"] = f"{source}\n\nStudent {index} adds $x_{{{index}}}$."
                if cell.get("id") in plots:
                    data = {"image/png": png, "text/plain": "<Figure>"}
                    cell["outputs"] = [
                        {"output_type": "display_data", "metadata": {}, "data": data}
                    ]
            text = json.dumps(notebook)
            sha = hashlib.sha256(text.encode()).hexdigest()
            path = out / "submissions" / f"{sha}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            key = f"student{index:04d}"
            result = GradeResult(
                GRADED,
                "synthetic",
                "container",
                [QuestionScore(q, p, p) for q, p in points.items()],
            )
            book.record(
                Submission(path, f"class/{key}.ipynb", key, sha, "notebook"),
                result,
                AUTOGRADER,
                run,
            )
            keys.append(key)
        book.finish_run(run)
    return keys


class App:
    """The mark server as a subprocess, and a client with the grader's cookies."""

    def __init__(self, out: Path, master: Path, dist: Path) -> None:
        self.log = out / "mark.log"
        command = [
            sys.executable,
            "-m",
            "grading",
            "mark",
            "--out",
            str(out),
            "--master",
            str(master),
            "--dist",
            str(dist),
        ]
        self.proc = subprocess.Popen(command, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not (
            found := re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\w+)", self.log.read_text())
        ):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"mark did not start:\n{self.log.read_text()}")
            time.sleep(0.1)
        self.url, self.base, self.token = (
            found.group(0),
            f"http://127.0.0.1:{found.group(1)}",
            found.group(2),
        )
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.call("/grader", urlencode({"name": "benchmark", "next": "/"}).encode())

    def call(
        self,
        path: str,
        data: bytes | None = None,
        content: str = "application/x-www-form-urlencoded",
    ):
        headers = {"Authorization": f"token {self.token}", "Content-Type": content}
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        started = time.perf_counter()
        with self.opener.open(request, timeout=60) as response:
            body = response.read()
            server = float(re.search(r"dur=([0-9.]+)", response.headers["Server-Timing"]).group(1))
        return body, server, (time.perf_counter() - started) * 1000

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def server_times(app: App, question: str, numbers: list[int], item: int) -> dict[str, list[float]]:
    names = (
        "page, first view",
        "page, again",
        "apply an item",
        "page, first view (client)",
        "apply an item (client)",
    )
    times: dict[str, list[float]] = {name: [] for name in names}
    for number in numbers:
        body, server, client = app.call(f"/q/{question}/{number}")
        times["page, first view"].append(server)
        times["page, first view (client)"].append(client)
        _, server, _ = app.call(f"/q/{question}/{number}")
        times["page, again"].append(server)
        state = json.loads(
            re.search(
                rb'<script type="application/json" id="state">(.*?)</script>', body, re.S
            ).group(1)
        )
        change = {"version": state["mark"]["version"], "apply": [item]}
        if item in state["mark"]["items"]:
            change = {"version": state["mark"]["version"], "remove": [item]}
        _, server, client = app.call(
            f"/api/q/{question}/{number}/mark", json.dumps(change).encode(), "application/json"
        )
        times["apply an item"].append(server)
        times["apply an item (client)"].append(client)
    return times


def rescore_times(app: App, question: str, item: RubricItem, runs: int) -> list[float]:
    """Editing the points of an item that half the class has: every one of them re-scored."""
    times, version = [], item.version
    for run in range(runs):
        points = item.points + (0.25 if run % 2 == 0 else 0)
        change = {
            "action": "edit",
            "item": item.id,
            "version": version,
            "points": points,
            "description": item.description,
        }
        _, server, _ = app.call(
            f"/api/q/{question}/rubric", json.dumps(change).encode(), "application/json"
        )
        times.append(server)
        version += 1
    return times


def browser_times(app: App, question: str, numbers: list[int]) -> dict[str, list[float]] | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    times: dict[str, list[float]] = {
        "page until math rendered": [],
        "key until re-scored": [],
        "key until re-scored (Playwright)": [],
    }
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.goto(app.url)
        page.fill("#grader-name", "benchmark-browser")
        page.keyboard.press("Enter")
        page.wait_for_selector("#questions")
        for number in numbers:
            page.goto(f"{app.base}/q/{question}/{number}")
            page.wait_for_selector("html[data-math-rendered]")
            rendered = page.evaluate("performance.getEntriesByName('math-rendered')[0].startTime")
            times["page until math rendered"].append(rendered)
            before = int(page.get_attribute("body", "data-version"))
            started = time.perf_counter()
            page.keyboard.press("2")
            page.wait_for_selector(f'body[data-version="{before + 1}"]')
            times["key until re-scored (Playwright)"].append((time.perf_counter() - started) * 1000)
            times["key until re-scored"].append(float(page.get_attribute("body", "data-change-ms")))
        context.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.web.benchmark", description=__doc__)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5, help="runs; each views --pages pages")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--question", default="q4a", help="e.g. q5e_plot: a page with a figure")
    parser.add_argument("--master", default="master")
    parser.add_argument("--dist", default="dist")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    (assignment,) = [
        a for a in discover(Path(args.master), Path(args.dist)) if a.name == "derivatives"
    ]
    with tempfile.TemporaryDirectory(prefix="mark-bench-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        keys = synthetic_class(assignment, out, args.students)
        print(f"synthetic class: {len(keys)} students in {time.perf_counter() - started:.1f} s")
        app = App(out, Path(args.master), Path(args.dist))
        try:
            question = args.question
            with Gradebook(out / "gradebook.sqlite") as book:
                rubric = book.rubric(question)
                first, item = rubric.items[0], rubric.items[1].id
                numbers = sorted(book.anonymous_numbers(keys).values())
                for key in keys[::2]:  # half the class already marked
                    book.change_mark(
                        key,
                        question,
                        "earlier",
                        book.mark(key, question).version,
                        apply=(first.id,),
                    )
            results: dict[str, list[float]] = {}
            for run in range(args.runs):
                chunk = numbers[run * args.pages * 2 :][: args.pages]  # unseen pages each run
                for name, values in server_times(app, question, chunk, item).items():
                    results.setdefault(f"server: {name}", []).append(statistics.median(values))
                if not args.no_browser:
                    pages = numbers[-(run + 1) * args.pages :][: args.pages]
                    shown = browser_times(app, question, pages)
                    for name, values in (shown or {}).items():
                        results.setdefault(f"browser: {name}", []).append(statistics.median(values))
            rescored = rescore_times(app, question, first, args.runs)
            results[f"server: edit an item's points ({len(keys[::2])} re-scored)"] = rescored
        finally:
            app.stop()
    print(
        f"\n{args.students} students, {args.runs} runs x {args.pages} answer pages of {question};"
        " ms, median of the runs' medians (min-max of the runs)"
    )
    for name, values in results.items():
        print(
            f"  {name:45s} {statistics.median(values):8.1f}   ({min(values):.1f}-{max(values):.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
