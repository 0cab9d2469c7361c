"""One student user id per worker, leased on this host.

Under rootful podman or docker a container's uid is the host's uid, and the kernel counts a
user's processes across the whole host. Were every worker's student code to run as the same uid,
a fork bomb in one container would use up the process limit that a student graded at the same
moment in another container needs. Each worker therefore gets a uid of its own, held with an
advisory lock (``flock``) for as long as the worker lives: two grading runs on one host never
hand out the same uid, and a crashed run's locks vanish with its process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .containers import EngineError

FIRST_STUDENT_UID = 10001  # the image's `grader` user; the next ones need no passwd entry
STUDENT_UIDS = 512


@dataclass
class UidLease:
    uid: int
    _fd: int

    def release(self) -> None:
        """Free the uid (a lease with no lock file, ``_fd`` -1, holds nothing)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)


def lock_folder() -> Path:
    root = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(root) / f"grading-student-uids-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def lease_student_uid() -> UidLease:
    """The first free student uid; held until ``release()`` or the end of this process."""
    folder = lock_folder()
    for uid in range(FIRST_STUDENT_UID, FIRST_STUDENT_UID + STUDENT_UIDS):
        fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return UidLease(uid, fd)
    raise EngineError(f"all {STUDENT_UIDS} student uids are in use on this host ({folder})")
