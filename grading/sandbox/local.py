"""The fallback engine where no container engine exists: a child process in new namespaces.

Each submission runs the same runner as the image, in fresh network, PID and mount namespaces
(``unshare``: no network but loopback) with rlimits on memory, file size, open files and CPU
time. It uses this machine's Python environment instead of the image's and shares its
filesystem, so every result it produces is marked as weaker isolation.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .containers import EngineError
from .image import RUNNER
from .limits import Limits
from .outcome import SandboxRun
from .staging import stage_submission


@dataclass
class LocalEngine:
    """``otter run`` in namespaces on this host: ``--engine local --mode otter``."""

    name: str = "local-otter"
    isolation: str = "weak"
    image_engine: None = None

    def close(self) -> None:
        """Nothing stays running between submissions."""

    def reap(self, owner: str) -> int:
        """Nothing to reap: children die with the grading process (PR_SET_PDEATHSIG)."""
        return 0

    @classmethod
    def find(cls) -> LocalEngine:
        if shutil.which("unshare") is None:
            raise EngineError("the local engine needs util-linux's unshare")
        return cls()

    def run_submission(
        self,
        image: str | None,
        autograder_zip: Path,
        submission: Path,
        out_dir: Path,
        limits: Limits,
        owner: str = "",
        files: Mapping[str, Path] | None = None,
        keep_outputs: Sequence[str] | None = None,  # otter run keeps the executed notebook
    ) -> SandboxRun:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="grading-local-") as scratch:
            root, inbox = Path(scratch) / "autograder", Path(scratch) / "in"
            stage_submission(inbox, submission, files)
            command = [
                *_unshare_prefix(),
                image or sys.executable, str(RUNNER), "--loopback",
                "--autograder-zip", str(autograder_zip.resolve()),
                "--submission-dir", str(inbox), "--root", str(root),
                "--out", str(out_dir.resolve()), "--cell-timeout", str(limits.cell_timeout),
                "--private-tmp", str(Path(scratch) / "grading"),
            ]  # fmt: skip
            env = {
                **os.environ,
                "HOME": scratch,
                "MPLCONFIGDIR": str(Path(scratch) / "matplotlib"),
                "TMPDIR": scratch,
            }
            return _run(command, env, scratch, limits)


def _unshare_prefix() -> list[str]:
    prefix = ["unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    return [*prefix, "--"]


def _die_with_parent() -> None:
    """Ask the kernel to kill this child if the grading process dies (even by SIGKILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def _run(command: list[str], env: dict[str, str], cwd: str, limits: Limits) -> SandboxRun:
    def apply_limits() -> None:
        _die_with_parent()
        mb = 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.scratch_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files,) * 2)
        cpu_seconds = int(limits.timeout * max(limits.cpus, 1)) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group to kill on timeout
        preexec_fn=apply_limits,  # noqa: PLW1509 (no threads are started before the fork)
    )
    try:
        output, _ = proc.communicate(timeout=limits.timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        timed_out = True
    return SandboxRun(
        timed_out=timed_out,
        returncode=None if timed_out else proc.returncode,
        log=output.decode("utf-8", "replace"),
        seconds=time.monotonic() - started,
    )
