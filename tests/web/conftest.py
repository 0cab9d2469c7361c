"""Fixtures for the hand-grading app: a `mark` server per graded folder, browser contexts
that record every request, dialog and error, and screenshots for $GRADING_ARTIFACTS."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]+)")


@dataclass
class Server:
    """A running `python -m grading mark`: its URL with the token, and the folder it serves."""

    url: str
    token: str
    port: int
    out: Path
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def start_server(out: Path, log: Path, *extra: str) -> Server:
    command = [sys.executable, "-m", "grading", "mark", "--out", str(out),
               "--master", str(ROOT / "master"), "--dist", str(ROOT / "dist"), *extra]  # fmt: skip
    with log.open("w") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT,
                                start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = URL.search(log.read_text(errors="replace"))
        if match:
            port, token = int(match.group(1)), match.group(2)
            return Server(match.group(0), token, port, out, proc, log)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stop_server(proc)
    pytest.fail(f"`grading mark` did not print its URL:\n{log.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def copy_graded(source: Path, target: Path) -> Path:
    """A grade folder to change freely (the shared graded samples stay as graded)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("work"))
    return target


@pytest.fixture(scope="module")
def graded_copy(graded_samples, tmp_path_factory) -> Path:
    _, out = graded_samples
    return copy_graded(out, tmp_path_factory.mktemp("marking") / "graded")


@pytest.fixture(scope="module")
def rubric_copy(tmp_path_factory) -> Path:
    """The committed rubrics, copied: writing back must not touch the repository."""
    copy = tmp_path_factory.mktemp("rubrics") / "rubrics.yaml"
    shutil.copyfile(ROOT / "master" / "derivatives" / "rubrics.yaml", copy)
    return copy


@pytest.fixture(scope="module")
def server(graded_copy, rubric_copy, tmp_path_factory):
    log = tmp_path_factory.mktemp("mark-log") / "mark.log"
    running = start_server(graded_copy, log, "--rubrics", str(rubric_copy))
    try:
        yield running
    finally:
        stop_server(running.proc)


@dataclass
class Watched:
    """A browser context whose requests leaving 127.0.0.1 are blocked and recorded."""

    context: object
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def page(self):
        page = self.context.new_page()
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        return page

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        host = urlparse(url).hostname
        if url.startswith(("data:", "about:", "blob:", "file:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture(scope="module")
def new_context(browser):
    """Fresh, isolated browser contexts (own cookies: one per grader) on the session's Chromium."""
    made = []

    def make() -> Watched:
        context = browser.browser.new_context(viewport={"width": 1280, "height": 900})
        watched = Watched(context)
        context.route("**/*", watched._route)
        made.append(context)
        return watched

    yield make
    for context in made:
        context.close()


def login(watched: Watched, server: Server, grader: str):
    """Open the printed URL, give a name: the start page, as a grader first sees it."""
    page = watched.page()
    page.goto(server.url)
    page.wait_for_selector("#grader-name")
    page.keyboard.type(grader)
    page.keyboard.press("Enter")
    page.wait_for_selector("#questions")
    return page


class Shots:
    """Screenshots in the test's folder, copied to $GRADING_ARTIFACTS when set."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        wanted = os.environ.get("GRADING_ARTIFACTS", "")
        default = ROOT / "artifacts" / "hand-grading"  # /artifacts/ is ignored by git
        if not wanted:
            self.artifacts = None
        else:
            self.artifacts = default if wanted.lower() in ("1", "true", "yes") else Path(wanted)
        self.paths: list[Path] = []

    def take(self, page, name: str, *, full_page: bool = False) -> Path:
        path = self.folder / f"mark-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.paths.append(path)
        if self.artifacts is not None:
            self.artifacts.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, self.artifacts / path.name)
        return path


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Shots:
    return Shots(tmp_path_factory.mktemp("screenshots"))
