"""Where this user's grading service listens, and how it is started: once, by whoever first
wants it, and found by every command that wants it next.

The starter binds the service's socket itself and hands it to the new process (as systemd's
socket activation does): from that moment a client's connection waits in the socket's backlog
instead of being refused, so nobody starts a second service while the first one is still
importing, and a client learns that it is ready the moment it is, not at its next poll. Starters
take turns on a lock file beside the socket.

Standard library only: ``python -m grading grade`` starts the service from here before
importing anything (``warm_cli.start_service``), so that the service's own start (podman, the
grading image) overlaps the command's imports (~0.3 s).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from .user_folder import private_folder

DEBIAN_BASE = "localhost/grading-base:bookworm"  # the grading image's default base, made here
SANDBOX = Path(__file__).resolve().parent / "sandbox"


def code_version() -> str:
    """A hash of the code that grades (this package's sandbox and worker, the image recipe):
    a service started by other code is replaced, never asked."""
    digest = hashlib.sha256()
    files = sorted(SANDBOX.rglob("*.py")) + [
        SANDBOX.parent / "Containerfile",
        SANDBOX / "requirements.txt",
    ]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(SANDBOX.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def address_of(engine: str, base: str, version: str | None = None) -> Path:
    """The socket of the service for (engine, base) of this code: two clones of the tool at
    different versions each keep their own service instead of stopping each other's."""
    version = version or code_version()
    key = hashlib.sha256(f"{engine}\0{base}\0{version}".encode()).hexdigest()[:12]
    return private_folder() / f"{engine}-{key}.sock"


def accepts(address: Path) -> bool:
    """Whether a service (ready or still starting) takes connections at ``address``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(address))
        except OSError:
            return False
    return True


def tell(address: Path, request: dict) -> None:
    """Send the service a request that has no answer (``warm``); one gone meanwhile is not
    asked, and nobody waits for it."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10.0)
        sock.connect(str(address))
        sock.sendall(json.dumps(request).encode() + b"\n")


def start(
    engine: str, base: str, idle: float | None = None, *, unless=accepts, version: str | None = None
) -> bool:
    """Start the service for (engine, base) unless ``unless(address)`` (by default: one takes
    connections there already); True if this call started it."""
    address = address_of(engine, base, version)
    with open(address.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one starter at a time; the next one finds it
        if unless(address):
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            address.unlink(missing_ok=True)  # a killed service's socket
            listener.bind(str(address))
            os.chmod(address, 0o600)
            listener.listen(64)
            _spawn(listener.fileno(), engine, base, address, idle)
    return True


def _spawn(fd: int, engine: str, base: str, address: Path, idle: float | None) -> None:
    log = open(address.with_suffix(".log"), "ab")  # noqa: SIM115 - handed to the child
    command = [sys.executable, "-m", "grading.sandbox.service", "--engine", engine,
               "--base", base, "--socket", str(address), "--listen-fd", str(fd),
               *(["--idle", str(idle)] if idle is not None else [])]  # fmt: skip
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,
        cwd="/",
        pass_fds=(fd,),
    )
    log.close()
