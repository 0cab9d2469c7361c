"""Warm workers on this host, for machines without podman or docker (a shared server, a
JupyterHub): the same worker as in the grading image, in the strongest sandbox the host allows.

Isolation tiers, recorded with every result:

- ``strong``: run as root: new network, PID and mount namespaces (``unshare``), a private root
  holding only the system folders and the Python environment, read-only, wherever it lives
  (``worker.hostroot``), student code as a uid of its own with rlimits. Short of a container:
  no memory or pids cgroup (rlimits are per process) and no seccomp filter.
- ``namespaces``: unprivileged user namespaces: the same namespaces and private root, but student
  code runs as the worker's own (mapped) user, so it could signal or read what the grader's
  user owns inside the sandbox.
- ``process``: neither: a child process with rlimits and a scrubbed environment; student code
  runs as this user and sees this machine's files.

Whatever the tier, the tests run in the grader's process and never in the student's, so a
notebook that patches numpy or Otter still gets its honest score.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .containers import EngineError
from .limits import Limits
from .uids import UidLease, lease_student_uid
from .warm import worker_args

WORKER_HOME = Path(__file__).resolve().parent  # holds the ``worker`` package
TIERS = ("strong", "namespaces", "process")
NAMESPACES = ["--net", "--pid", "--mount", "--fork", "--kill-child", "--mount-proc"]
USER_NAMESPACE = ["--user", "--map-root-user"]


def _unshare_works(extra: list[str]) -> bool:
    if shutil.which("unshare") is None:
        return False
    command = ["unshare", *extra, *NAMESPACES, "--", "true"]
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        return subprocess.run(command, capture_output=True, timeout=20).returncode == 0
    return False


@cache
def strongest_tier() -> str:
    """The best isolation this host grants this process."""
    if os.geteuid() == 0 and _unshare_works([]):
        return "strong"
    if _unshare_works(USER_NAMESPACE):
        return "namespaces"
    return "process"


@dataclass
class HostLauncher:
    """Starts worker processes on this host at one isolation tier."""

    isolation: str = field(default_factory=strongest_tier)
    python: str = sys.executable  # the interpreter whose environment the workers run in
    name: str = "local"
    image_engine: None = None
    workdir: None = None
    _folders: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.isolation not in TIERS:
            raise EngineError(f"unknown isolation {self.isolation!r}; choose from {TIERS}")
        if self.isolation == "strong" and os.geteuid() != 0:
            raise EngineError("strong isolation on the host needs root (or use a container)")

    def lease_uid(self) -> UidLease:
        if self.isolation == "strong":
            return lease_student_uid()
        return UidLease(0 if self.isolation == "namespaces" else os.getuid(), -1)

    def command(
        self, name: str, image: str | None, limits: Limits, owner: str, uid: int
    ) -> tuple[list[str], dict[str, str]]:
        folder = Path(tempfile.mkdtemp(prefix="grading-worker-"))
        self._folders[name] = folder
        python = image or self.python  # the assignment's venv (``environment``), if it has one
        worker = [python, "-P", "-m", "worker", "serve", *worker_args(limits, uid),
                  "--student-priority", "normal"]  # fmt: skip
        if self.isolation == "process":
            (folder / "private").mkdir(mode=0o700)
            (folder / "scratch").mkdir(mode=0o700)
            worker += ["--private", str(folder / "private"), "--scratch", str(folder / "scratch")]
            prefix: list[str] = []
        else:
            worker += ["--private", "/grading", "--private-root", str(folder),
                       "--keep", str(WORKER_HOME)]  # fmt: skip
            prefix = ["unshare", *(USER_NAMESPACE if self.isolation == "namespaces" else []),
                      *NAMESPACES, "--"]  # fmt: skip
        home = "/tmp" if self.isolation != "process" else str(folder / "scratch")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "PYTHONPATH": str(WORKER_HOME),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HOME": home,
            "MPLCONFIGDIR": f"{home}/.matplotlib",
            "XDG_CACHE_HOME": f"{home}/.cache",
        }
        return [*prefix, *worker], env

    def force_stop(self, name: str) -> None:
        """Nothing beyond killing the process: ``--kill-child`` takes its namespace with it."""

    def warmed_up(self, name: str, limits: Limits) -> None:
        """Nothing to lower: a host worker gets no CPU quota, only the rlimits it sets itself."""

    def stopped(self, name: str) -> None:
        folder = self._folders.pop(name, None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def reap(self, owner: str) -> int:
        """Workers die with the grading process (``--kill-child``, a parent-death signal)."""
        return 0
