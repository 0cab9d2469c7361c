"""What the student process gives up before it runs a line of student code, and the clean-up
after it: another user, resource limits, the lowest CPU priority, a private scratch folder, a
scrubbed environment.

The network is cut by the container around the worker; the tests live in a folder only the
grader's user can read.

Why the clean-up freezes before it kills: a fork bomb's copies fork faster than anyone can list
and kill them one by one, so every process of the student user is first stopped with one
``kill(-1, SIGSTOP)`` issued *as that user* (the kernel walks its process table; nothing is
missed and a stopped process cannot fork), then the copies are killed. The student processes run
under ``SCHED_IDLE``, so within the container's CPU share the grader, and the helper doing this,
always run first: a bomb cannot starve the code that stops it.
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
# The OOM killer's preference (higher goes first): the student process before the grader, and
# what it forks before the student process itself (see ``student.run_child``).
STUDENT_OOM_SCORE = 500
FORKED_OOM_SCORE = 1000
FREEZE_SECONDS = 5.0  # to stop every process of the student user; then it is all killed
KILL_SECONDS = 5.0  # for the stopped copies to be gone


@dataclass(frozen=True)
class ChildLimits:
    memory_mb: int  # address space of the student process (the host's Limits.memory_mb)
    processes: int  # processes and threads of the student's user (the host's Limits.pids)
    file_mb: int = 256  # largest file it may write
    open_files: int = 256
    cpu_seconds: int = 600
    # "idle": SCHED_IDLE, the grader always runs first (in a container, whose CPU share is its
    # own); "normal" on a shared host, where SCHED_IDLE would let any other load starve it
    priority: str = "idle"


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
        Path("/proc/self/oom_score_adj").write_text(str(STUDENT_OOM_SCORE))
    if limits.priority == "idle":  # inherited by all it forks; RLIMIT_NICE 0: no way back
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    os.setsid()
    processes = limits.processes
    if not separate_user(uid):  # the limit counts every task of the user: ours come on top
        processes += tasks_of(os.getuid())
    else:
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
        (resource.RLIMIT_NPROC, processes),
        (resource.RLIMIT_FSIZE, limits.file_mb * mb),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NICE, 0),  # no way back from SCHED_IDLE
    ):
        _, hard = resource.getrlimit(which)  # an unprivileged worker cannot go above its own
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
    os.environ.clear()
    os.environ.update(keep)
    os.environ.update(
        HOME=str(scratch),
        TMPDIR=str(scratch),
        USER="grader",  # the student uid may have no passwd entry (one uid per worker)
        LOGNAME="grader",
        MPLCONFIGDIR=str(scratch / ".matplotlib"),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
        PYTHONDONTWRITEBYTECODE="1",
    )


def separate_user(uid: int) -> bool:
    """Whether the student process runs as a user of its own (the worker started as root)."""
    return os.getuid() == 0 and uid != 0


def clean_up_user(uid: int, scratch: Path, student: int | None = None) -> int:
    """Kill every process of ``uid`` and delete its files in the shared temporary folders.

    Where the student runs as the worker's own user (no uid to drop to), only what is left of
    the session of the student process ``student`` is killed: ``kill(-1)`` would hit the grader.

    Returns the number of processes left (0 unless something refused to die).
    """
    if not separate_user(uid):
        left = _kill_session(session=student, keep=None) if student else 0
        shutil.rmtree(scratch, ignore_errors=True)
        return left

    def kill_all_and_delete() -> int:
        left = _freeze_and_kill(keep=None)
        _remove_owned(uid, scratch)
        return left

    return _as_user(uid, kill_all_and_delete)


def kill_strays(uid: int, keep: int) -> bool:
    """Kill what a cell left running (a fork bomb's copies, a background process): every
    process of ``uid`` but the student process ``keep``. Cheap when there is none.

    False if the copies could not all be stopped in time: everything of ``uid``, ``keep``
    included, is then killed, and the cell counts as one that lost the student process.
    """
    if not separate_user(uid):
        return _kill_session(session=keep, keep=keep) == 0
    if not processes_of(uid, exclude=keep):
        return True
    return _as_user(uid, lambda: _freeze_and_kill(keep=keep)) == 0


def _as_user(uid: int, action) -> int:
    """Run ``action`` in a helper that becomes ``uid``: a process may always signal and delete
    its own, so the grader needs no extra right and nothing of another user can be touched.
    Returns ``action``'s result, a count of processes left (101 if the helper failed)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the helper
        code = 101
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            code = min(int(action()), 100)
        except BaseException:  # noqa: BLE001 - any failure is reported by the exit code
            pass
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _freeze_and_kill(keep: int | None) -> int:
    """In a helper running as the student user: stop all of that user's processes, kill all but
    ``keep``, then let ``keep`` go on. Returns 0 on success, else how many are left (at least 1
    when ``keep`` had to be killed too, because something would not stop)."""
    me = os.getpid()
    deadline = time.monotonic() + FREEZE_SECONDS
    failed = False
    try:
        while True:  # until nothing runs: a process caught mid-fork may hand over a new one
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGSTOP)  # every process of this user but the helper
            states = process_states(os.getuid(), exclude=me)
            if all(state in "Tt" for state in states.values()):
                break
            if time.monotonic() > deadline:  # something will not stop: end all of it
                failed, keep = keep is not None, None
                break
            # A process already killed is exiting, not stopping; at SCHED_IDLE it only gets the
            # CPU while this helper waits, so a busy loop here would keep it dying for long.
            time.sleep(0.0005)
        if keep is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
        for pid in states:
            if pid != keep:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + KILL_SECONDS
        while True:
            left = [pid for pid in process_states(os.getuid(), exclude=me) if pid != keep]
            if not left or time.monotonic() > deadline:
                return max(len(left), int(failed))
            time.sleep(0.005)
    finally:
        if keep is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(keep, signal.SIGCONT)


def _kill_session(session: int, keep: int | None) -> int:
    """Freeze, then kill, the processes of the student's session but ``keep`` (the student
    process called ``setsid``). Best effort: a copy that starts a session of its own escapes;
    the tiers that run student code as the worker's own user say so."""
    me = os.getpid()
    deadline = time.monotonic() + FREEZE_SECONDS + KILL_SECONDS
    while time.monotonic() < deadline:
        members = process_states(os.getuid(), exclude=me, session=session)
        members.pop(keep, None)
        if not members:
            return 0
        frozen = all(state in "Tt" for state in members.values())
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL if frozen else signal.SIGSTOP)
        time.sleep(0.002)
    members = process_states(os.getuid(), exclude=me, session=session)
    members.pop(keep, None)
    return len(members)


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


def process_states(
    uid: int, exclude: int = -1, zombies: bool = False, session: int | None = None
) -> dict[int, str]:
    """pid -> state letter (``/proc/PID/stat``) of every live process of ``uid`` (and of the
    ``session`` when given).

    Zombies and dead processes run nothing and wait for a parent to reap them: left out unless
    ``zombies`` (they still count against the user's process limit).
    """
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        with contextlib.suppress(OSError, IndexError):
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
            state = fields[0].decode()
            if session is not None and int(fields[3]) != session:
                continue
            if zombies or state not in "ZXx":
                found[int(entry.name)] = state
    return found


def tasks_of(uid: int) -> int:
    """Processes and threads of ``uid`` (what RLIMIT_NPROC counts), zombies included."""
    count = 0
    for pid in process_states(uid, zombies=True):
        with contextlib.suppress(OSError):
            count += len(os.listdir(f"/proc/{pid}/task"))
    return count


def processes_of(uid: int, exclude: int = -1) -> list[int]:
    return list(process_states(uid, exclude))


def reap_zombies() -> None:
    """Collect the grader's own children that have ended (the helpers, dead student processes)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
