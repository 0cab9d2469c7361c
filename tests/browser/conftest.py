"""Fixtures for the browser tests: a JupyterLab server on a copy of the student folder, and
Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "dist" / "derivatives" / "student"


# JupyterLab user settings: no news or update checks (they would reach the network) and no
# prompt asking about them over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": (
        '{"fetchNews": "false", "checkForUpdates": false}'
    ),
}


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: the browser tests must run in CI")
    pytest.skip(why)


@dataclass
class Lab:
    """A running JupyterLab: its base URL, token, served folder and log file."""

    url: str
    token: str
    root: Path
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's whole process group (server and kernels), then kill it."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # kernels left behind, if any
    proc.wait(timeout=15)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """JupyterLab serving a fresh copy of dist/derivatives/student, shut down in any case."""
    if importlib.util.find_spec("jupyterlab") is None:
        _unavailable("jupyterlab is not installed")
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "student"
    shutil.copytree(STUDENT, root)
    # The helpers as `make build` will ship them (check_submission included).
    shutil.copytree(ROOT / "src" / "helpers", root / "helpers", dirs_exist_ok=True)
    home = base / "home"
    settings = home / "lab-settings"
    for rel, text in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(text)
    env = dict(
        os.environ,
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
    )
    env.pop("MPLBACKEND", None)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    if os.geteuid() == 0:  # containers and CI runners
        command.append("--allow-root")
    log = base / "jupyterlab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{lab.log_tail()}")
            try:
                status = f"{lab.url}/api/status?token={token}"
                with urllib.request.urlopen(status, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within 60 s:\n{lab.log_tail()}")
            time.sleep(0.3)
        yield lab
    finally:
        _stop(proc)
