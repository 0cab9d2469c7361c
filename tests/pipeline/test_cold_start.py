"""A cold `grade`: the grading service started before the command's imports and found by its
`connect` (never a second one), a start's failure told to whoever waits, the first worker
started ahead of the first submission, and podman's `info` kept while nothing it depends on
changes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from grading import service_start, warm_cli
from grading.autograder import _needs_otter_run
from grading.sandbox import containers
from grading.sandbox.containers import ContainerEngine, EngineError
from grading.sandbox.limits import Limits
from grading.sandbox.service import Service, ask, connect, running, stop_all
from grading.sandbox.warm import WarmEngine
from grading.sandbox.worker import END_OF_LOG

ZIP = Path("dist/derivatives/autograder/derivatives-autograder.zip")


@pytest.fixture
def runtime(monkeypatch) -> Path:
    """A private runtime folder: services started here are this test's alone (a short path:
    a socket's is at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="cold-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    stop_all()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def spawned(monkeypatch) -> list[str]:
    """The engines of the services started (the real start, counted)."""
    engines: list[str] = []
    real = service_start._spawn

    def counted(fd, engine, *args):
        engines.append(engine)
        real(fd, engine, *args)

    monkeypatch.setattr(service_start, "_spawn", counted)
    return engines


def test_a_service_started_before_the_imports_is_the_one_connect_uses(runtime, spawned):
    assert service_start.start("local", "a-base", 30) is True
    engine = connect("local", "a-base", 30)  # while it starts: no second one
    assert engine.name == "local-warm" and spawned == ["local"]
    assert service_start.start("local", "a-base", 30) is False
    assert [address for address, _ in running()] == [engine.address]


def test_commands_that_start_together_start_one_service(runtime, spawned):
    started: list[bool] = []
    starters = [
        threading.Thread(target=lambda: started.append(service_start.start("local", "b", 30)))
        for _ in range(4)
    ]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join()
    assert sorted(started) == [False, False, False, True] and spawned == ["local"]
    assert connect("local", "b", 30).name == "local-warm"


def test_a_start_that_fails_is_told_to_the_command_waiting_for_it(runtime, spawned):
    with pytest.raises(EngineError, match="unknown engine 'bogus'"):
        connect("bogus", "c", 30)
    assert spawned == ["bogus"] and not running()


def test_a_killed_services_socket_is_replaced(runtime, spawned):
    address = service_start.address_of("local", "d")
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(address))  # bound, never listening: what a killed service leaves
    assert connect("local", "d", 30).name == "local-warm" and spawned == ["local"]


class FakeEngine:
    name, isolation, image_engine = "fake", "none", None


def test_a_starting_service_answers_at_once_and_says_when_it_is_ready(tmp_path):
    address = tmp_path / "service.sock"
    service = Service(address, None, None, idle=60)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    try:
        assert ask(address, {"op": "hello"}, timeout=10)["starting"] is True
        answers: list[dict] = []
        waiting = threading.Thread(
            target=lambda: answers.append(ask(address, {"op": "ready"}, timeout=10))
        )
        waiting.start()
        service.ready(FakeEngine(), "an-image")
        waiting.join()
        assert answers[0]["name"] == "fake" and answers[0]["image"] == "an-image"
        assert "starting" not in ask(address, {"op": "hello"}, timeout=10)
    finally:
        service.shutdown()
        service.server_close()


def test_a_stopping_service_leaves_the_socket_of_its_successor(tmp_path):
    address = tmp_path / "service.sock"
    old = Service(address, FakeEngine(), None, idle=60)
    old.forget_address()
    assert not address.exists()
    new = Service(address, FakeEngine(), None, idle=60)  # may get the same inode number
    try:
        old.forget_address()
        assert address.exists()
    finally:
        old.server_close()
        new.server_close()


# -- which command lines start the service before their imports ---------------------------------


def grade(*args: str) -> list[str]:
    return ["grade", "-a", str(ZIP), "-o", "out", *args, "a.ipynb"]


def test_a_grade_starts_the_service_it_will_grade_through():
    assert warm_cli._service_of(grade())[:3] == ("auto", service_start.DEBIAN_BASE, None)
    wanted = ["--engine", "podman", "--base=x", "--keep-warm", "30", "--mode", "warm"]
    assert warm_cli._service_of(grade(*wanted))[:3] == ("podman", "x", 30.0)
    assert warm_cli._service_of(["grade", f"-a{ZIP}", "b.ipynb"])[0] == "auto"


@pytest.mark.parametrize(
    "args",
    [
        ("--engine", "local"),  # no container engine: nothing slow to overlap
        ("--keep-warm", "0"),  # workers of this run only: no service
        ("--keep-warm=-1",),
        ("--mode", "fresh"),
        ("--eng", "podman"),  # argparse would expand it: left to argparse
        ("-h",),
    ],
)
def test_a_grade_without_a_service_or_unsure_starts_none(args):
    assert warm_cli._service_of(grade(*args)) is None


def test_other_commands_and_a_missing_zip_start_none():
    assert warm_cli._service_of(["report", "--gradebook", "g", "--out", "o"]) is None
    assert warm_cli._service_of(["grade", "-a", "no-such.zip", "a.ipynb"]) is None


@pytest.mark.parametrize(
    "config",
    [{}, {"plugins": []}, {"plugins": ["otter.plugins.builtin.GoogleSheetsGradeOverride"]},
     {"plugins": [{"x.Plugin": {}}]}, {"grade_from_log": True}, {"grade_from_log": False}],
)  # fmt: skip
def test_an_assignment_graded_by_otter_itself_starts_no_service(tmp_path, config):
    """The same reading of otter_config.json as ``autograder._needs_otter_run``."""
    zip_path = tmp_path / "autograder.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("otter_config.json", json.dumps(config))
    assert warm_cli._needs_otter_run(str(zip_path)) == bool(_needs_otter_run(config))
    expected = None if _needs_otter_run(config) else "auto"
    found = warm_cli._service_of(["grade", "-a", str(zip_path), "a.ipynb"])
    assert (found and found[0]) == expected


# -- podman info --------------------------------------------------------------------------------


@pytest.fixture
def fake_podman(tmp_path, monkeypatch) -> Path:
    """A `podman` that counts its `info` calls, a `runc`, one config file, a private cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "runc").write_text("#!/bin/sh\n")
    (bin_dir / "runc").chmod(0o755)
    write_podman(bin_dir / "podman", "crun")
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    config = tmp_path / "containers.conf"
    config.write_text("[engine]\n")
    monkeypatch.setattr(containers, "PODMAN_CONFIGS", (str(config),))
    monkeypatch.setattr(containers, "CGROUPS", tmp_path / "cgroup")
    return tmp_path


def write_podman(path: Path, runtime: str, code: int = 0) -> None:
    info = json.dumps({"host": {"ociRuntime": {"name": runtime}, "cgroupVersion": "v1"}})
    path.write_text(f"#!/bin/sh\necho >> {path.parent}/calls\necho '{info}'\nexit {code}\n")
    path.chmod(0o755)


def info_calls(folder: Path) -> int:
    calls = folder / "bin" / "calls"
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def test_podman_info_is_asked_again_only_when_what_it_depends_on_changes(fake_podman):
    runc = ("--runtime", "runc")  # crun on cgroup v1, runc installed
    assert ContainerEngine.find("podman").global_flags == runc and info_calls(fake_podman) == 1
    assert ContainerEngine.find("podman").global_flags == runc and info_calls(fake_podman) == 1

    (fake_podman / "containers.conf").write_text('[engine]\nruntime = "runc"\n')
    write_podman(fake_podman / "bin" / "podman", "runc")  # what that config makes it say
    assert ContainerEngine.find("podman").global_flags == () and info_calls(fake_podman) == 2

    (fake_podman / "cgroup").mkdir()
    (fake_podman / "cgroup" / "unified").mkdir()  # another cgroup layout
    ContainerEngine.find("podman")
    assert info_calls(fake_podman) == 3

    write_podman(fake_podman / "bin" / "podman", "crun", code=1)  # podman replaced: it fails
    assert ContainerEngine.find("podman") is None and info_calls(fake_podman) == 4
    assert ContainerEngine.find("podman") is None and info_calls(fake_podman) == 5  # no cache


# -- a worker started ahead of its first submission (``WarmEngine.prestart``) -------------------

FAKE_WORKER = r"""
import json, sys, time
first = json.loads(sys.stdin.readline())
if "fail" in sys.argv:
    sys.exit(3)
time.sleep(float(sys.argv[2]))  # its imports
json.loads(sys.stdin.readline())  # the autograder
for line in ('{"imported": true}', '{"ready": true}'):
    print(line, flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "result": {"worker": sys.argv[1]}}), flush=True)
    print(END_OF_LOG, request["id"], file=sys.stderr, flush=True)
""".replace("END_OF_LOG", repr(END_OF_LOG))


class CountingLauncher:
    """Workers that speak the protocol and grade nothing; every start and step recorded."""

    name, isolation, image_engine, workdir = "counting", "none", None, None

    def __init__(self, fail_first: bool = False, start_seconds: float = 0.0) -> None:
        self.started: list[str] = []
        self.events: list[str] = []
        self.fail_first, self.start_seconds = fail_first, start_seconds

    def lease_uid(self):
        from grading.sandbox.uids import UidLease

        return UidLease(uid=10_000, _fd=-1)

    def command(self, name, image, limits, owner, uid):
        self.started.append(name)
        fail = ["fail"] if self.fail_first and len(self.started) == 1 else []
        return [sys.executable, "-c", FAKE_WORKER, name, str(self.start_seconds), *fail], None

    def warmed_up(self, name, limits):
        self.events.append(f"warmed up {name}")

    def force_stop(self, name): ...

    def stopped(self, name):
        self.events.append(f"stopped {name}")

    def reap(self, owner):
        return 0


def graded_by(engine, zip_path: Path, tmp_path: Path, limits) -> str:
    notebook = tmp_path / "a.ipynb"
    notebook.write_text("{}")
    run = engine.run_submission(None, zip_path, notebook, tmp_path / "out", limits, "me")
    assert run.returncode == 0, run.log
    return json.loads((tmp_path / "out" / "grading.json").read_text())["worker"]


def test_a_prestarted_worker_grades_the_first_submission(tmp_path):
    launcher = CountingLauncher()
    engine = WarmEngine(launcher)
    engine.prestart(None, ZIP, Limits(), "me")
    assert launcher.started and launcher.events == [f"warmed up {launcher.started[0]}"]
    engine.prestart(None, ZIP, Limits(), "me")  # one is idle for that zip: no second
    assert graded_by(engine, ZIP, tmp_path, Limits()) == launcher.started[0]
    assert len(launcher.started) == 1
    engine.close()


def test_a_prestart_for_other_limits_idles_and_a_failed_one_is_replaced(tmp_path):
    launcher = CountingLauncher(fail_first=True)
    engine = WarmEngine(launcher)
    engine.prestart(None, ZIP, Limits(), "me")  # its worker exits at once
    assert graded_by(engine, ZIP, tmp_path, Limits()) == launcher.started[1]
    engine.prestart(None, ZIP, Limits(cell_timeout=5), "me")
    assert graded_by(engine, ZIP, tmp_path, Limits()) == launcher.started[1]  # the idle one
    assert len(launcher.started) == 3  # the one for other limits waits, idle, for its own
    engine.close()
    assert sorted(e for e in launcher.events if e.startswith("stopped")) == sorted(
        f"stopped {name}" for name in launcher.started
    )


def test_a_submission_waits_for_the_worker_being_prestarted_for_it(tmp_path):
    launcher = CountingLauncher(start_seconds=0.5)
    engine = WarmEngine(launcher)
    ahead = threading.Thread(target=engine.prestart, args=(None, ZIP, Limits(), "me"))
    ahead.start()
    while not launcher.started:  # the start has begun: the submission finds it starting
        time.sleep(0.001)
    assert graded_by(engine, ZIP, tmp_path, Limits()) == launcher.started[0]
    ahead.join()
    assert len(launcher.started) == 1
    engine.close()


@pytest.mark.parametrize(
    ("args", "hinted"),
    [((), True), (("--workers", "2"), True), (("--cell-timeout", "5"), False),
     (("--mem=100",), False), (("--pids", "9"), False), (("--time", "9"),  False)],
)  # fmt: skip
def test_a_cold_grade_asks_for_its_worker_unless_a_limit_flag_decides(
    runtime, monkeypatch, args, hinted
):
    told: list[dict] = []
    with socket.socket(socket.AF_UNIX) as listener:
        address = service_start.address_of("podman", "e")
        listener.bind(str(address))
        listener.listen(4)
        warm_cli._ask_for_a_worker(grade(*args), "podman", "e", str(ZIP))
        listener.settimeout(0.5)
        with contextlib.suppress(TimeoutError), listener.accept()[0] as sock:
            told.append(json.loads(sock.makefile().readline()))
    if hinted:
        assert told == [{"op": "warm", "autograder": str(ZIP.resolve()), "limits": {}}]
    else:
        assert told == []


def test_a_worker_that_ended_while_idle_is_let_go_and_replaced(tmp_path):
    launcher = CountingLauncher()
    engine = WarmEngine(launcher)
    first = graded_by(engine, ZIP, tmp_path, Limits())
    idle = engine._idle[next(iter(engine._idle))][0]
    idle.process.kill()
    idle.process.wait()
    assert graded_by(engine, ZIP, tmp_path, Limits()) == launcher.started[1] != first
    assert f"stopped {first}" in launcher.events  # its student uid is free again
    engine.close()
