"""What the student process gives up before it runs a line of student code, and the clean-up
after it: another user, resource limits, a private scratch folder, a scrubbed environment.

The network is cut by the container around the worker; the tests live in a folder only the
grader's user can read.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
SHARED_TEMP_DIRS = ("/tmp", "/dev/shm", "/var/tmp")


@dataclass(frozen=True)
class ChildLimits:
    memory_mb: int = 2048  # address space of the student process
    processes: int = 64  # processes and threads of the student's user
    file_mb: int = 256  # largest file it may write
    open_files: int = 256
    cpu_seconds: int = 600


def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def drop_privileges(uid: int, scratch: Path, limits: ChildLimits) -> None:
    """Become ``uid`` (when started as root), with limits, in a fresh scratch folder.

    Runs in the forked child; any failure here must stop the child, never run student code
    with more rights than intended.
    """
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the grader
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")  # the OOM killer takes us first
    os.setsid()
    if os.getuid() == 0 and uid != 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise PermissionError("could not drop to the student user")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    scratch.mkdir(mode=0o700)
    os.chdir(scratch)
    mb = 1024 * 1024
    for which, value in (
        (resource.RLIMIT_AS, limits.memory_mb * mb),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_mb * mb),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
    os.environ.clear()
    os.environ.update(keep)
    os.environ.update(
        HOME=str(scratch),
        TMPDIR=str(scratch),
        MPLCONFIGDIR=str(scratch / ".matplotlib"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYTHONDONTWRITEBYTECODE="1",
    )


def separate_user(uid: int) -> bool:
    """Whether the student process runs as a user of its own (the worker started as root)."""
    return os.getuid() == 0 and uid != 0


def clean_up_user(uid: int, scratch: Path) -> int:
    """Kill every process of ``uid`` and delete its files in the shared temporary folders.

    Returns the number of processes left (0 unless something refused to die).
    """
    if not separate_user(uid):
        shutil.rmtree(scratch, ignore_errors=True)
        return 0

    def kill_all_and_delete() -> None:
        _kill_all_but(uid, keep=None)
        _remove_owned(uid, scratch)

    return _as_user(uid, kill_all_and_delete)


def kill_strays(uid: int, keep: int) -> None:
    """Kill what a cell left running (a fork bomb's copies, a background process): every
    process of ``uid`` but the student process ``keep``. Cheap when there is none."""
    if separate_user(uid) and processes_of(uid, exclude=keep):
        _as_user(uid, lambda: _kill_all_but(uid, keep=keep))


def _as_user(uid: int, action) -> int:
    """Run ``action`` in a helper that becomes ``uid``: a process may always signal and delete
    its own, so the grader needs no extra right and nothing of another user can be touched.
    Returns how many processes of ``uid`` other than the helper are left."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the helper
        code = 0
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            action()
            code = min(len(processes_of(uid, exclude=os.getpid())), 100)
        except BaseException:
            code = 101
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _kill_all_but(uid: int, keep: int | None) -> None:
    """Stop, then kill, until none is left: a fork bomb's copies keep forking meanwhile."""
    helper = os.getpid()
    for _ in range(500):  # up to ~10 s
        if keep is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGSTOP)  # every process of this user but us: frozen,
                os.kill(-1, signal.SIGKILL)  # so none forks a new one while we kill
        else:
            strays = [p for p in processes_of(uid, exclude=helper) if p != keep]
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                for stray in strays:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(stray, sig)
        left = [p for p in processes_of(uid, exclude=helper) if p != keep]
        if not left:
            return
        time.sleep(0.02)


def _remove_owned(uid: int, scratch: Path) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    for folder in SHARED_TEMP_DIRS:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_uid != uid:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)


def processes_of(uid: int, exclude: int = -1) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        with contextlib.suppress(OSError):
            zombie = (entry / "stat").read_text().rpartition(")")[2].split()[0] == "Z"
            if entry.stat().st_uid == uid and not zombie:  # zombies wait for the grader to reap
                found.append(int(entry.name))
    return found


def reap_zombies() -> None:
    """As PID 1 of a container the grader inherits the orphans it killed: collect them."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
