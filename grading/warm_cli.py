"""``python -m grading grade`` answered by a pre-imported process: no import time per command.

With the grading service's workers warm, a one-notebook regrade spends as long starting the
command as grading: ~0.6 s importing (nbformat and jsonschema alone ~0.25 s) and ~0.1 s
compiling the notebook schema. While things are kept warm (``--keep-warm``), a small server of
this user keeps those imports done and forks one child per ``grade`` command, in the manner of
nailgun or Spring's preloader. The child takes the client's standard streams (passed over the
socket), directory, umask and environment, runs the ordinary ``cli.main`` and sends back the
exit status; the client forwards SIGINT, SIGTERM and SIGHUP, and the child's process group is
killed if the client goes away. So a forwarded command behaves as one run in-process, which is
what happens whenever no server of the same code and Python answers.

This module is imported before anything else by ``python -m grading``: standard library only,
and what only the server needs is imported there.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading

FORWARDED = ("grade",)  # the commands worth forwarding: the ones waited for
MAX_REQUEST = 1 << 20
PACKAGE = Path(__file__).resolve().parent


def private_folder() -> Path:
    """This user's private (0700) folder for the sockets of the service and of this server."""
    import tempfile

    root = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(root) / f"grading-service-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} must be a folder of yours that only you can open (0700)")
    return folder


def address() -> Path:
    """The socket of a server running this very code with this Python: any change to a module
    of the package (its size or time) gives another address, so stale code is never asked."""
    digest = hashlib.sha256(f"{sys.executable}\0{sys.prefix}".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        info = path.stat()
        digest.update(f"{path.relative_to(PACKAGE)}\0{info.st_mtime_ns}\0{info.st_size}\0".encode())
    return private_folder() / f"cli-{digest.hexdigest()[:12]}.sock"


# -- the client ------------------------------------------------------------------------------


def _keep_warm(argv: list[str]) -> float | None:
    """``--keep-warm`` as given (None if not): 0 asks for nothing left running, so no server."""
    value = None
    for i, token in enumerate(argv):
        if token == "--keep-warm":
            value = argv[i + 1] if i + 1 < len(argv) else ""
        elif token.startswith("--keep-warm="):
            value = token.partition("=")[2]
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:  # the full parser will say what is wrong
        return 0.0


def forward(argv: list[str]) -> int | None:
    """Run ``argv`` in a warm server's child; None if none answers (nothing was run then)."""
    keep_warm = _keep_warm(argv[1:]) if argv and argv[0] in FORWARDED else 0.0
    if keep_warm == 0:
        return None
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(address()))
    except OSError:
        return None
    with sock, sock.makefile("rb") as replies:
        request = {"op": "run", "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                   "umask": _umask(), "keep_warm": keep_warm}  # fmt: skip
        try:
            socket.send_fds(sock, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
            started = json.loads(replies.readline(MAX_REQUEST) or b"{}")
        except (OSError, ValueError):
            return None
        if "pid" not in started:
            return None
        child = int(started["pid"])
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, lambda sig, _frame: _signal(child, sig))
        try:
            ended = json.loads(replies.readline(MAX_REQUEST) or b"{}")
        except (OSError, ValueError):
            ended = {}
    if "exit" not in ended:
        print("error: the warm command ended without an exit status", file=sys.stderr)
        return 1
    return int(ended["exit"])


def _signal(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, number)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ensure_running(keep_warm: float) -> None:
    """Start a server in the background for the next commands, unless one answers."""
    import subprocess

    if keep_warm <= 0 or os.environ.get("GRADING_WARM_CLI_CHILD"):
        return
    target = address()
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as probe:
        probe.connect(str(target))
        return
    log = open(target.with_suffix(".log"), "ab")  # noqa: SIM115 - handed to the child
    command = [sys.executable, "-m", "grading.warm_cli", "--socket", str(target),
               "--idle", str(keep_warm)]  # fmt: skip
    subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, cwd="/"
    )
    log.close()


def running() -> list[Path]:
    """The sockets of this user's warm command-line servers that accept (of any code)."""
    found = []
    for path in sorted(private_folder().glob("cli-*.sock")):
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(path))
            found.append(path)
    return found


def stop_all() -> int:
    """Stop this user's warm command-line servers (of any code); returns how many."""
    stopped = 0
    for path in running():
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect(str(path))
            sock.sendall(b'{"op": "stop"}\n')
            sock.recv(1)
            stopped += 1
    return stopped


# -- the server ------------------------------------------------------------------------------


def _preload() -> None:
    """What every ``grade`` imports or compiles before its first notebook."""
    import nbformat
    import tqdm  # noqa: F401

    from . import api, cli  # noqa: F401

    nbformat.validate(nbformat.v4.new_notebook())  # compiles the schema's validator once


def serve(path: Path, idle: float) -> int:
    """Accept until ``idle`` seconds pass without a command; one forked child per command."""
    lock = open(path.with_suffix(".lock"), "w")  # noqa: SIM115 - held while serving
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # two commands started one each: the first one serves
        return 0
    _preload()
    from .sandbox.service import KEEP_WARM_SECONDS

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.unlink(missing_ok=True)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(16)
    listener.settimeout(1.0)
    children: set[int] = set()
    last = time.monotonic()
    try:
        while children or time.monotonic() - last < idle:
            children -= _reaped(children)
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                request, fds = _receive(conn)
                if request.get("op") == "stop":  # gone before it says so: no race with a probe
                    listener.close()
                    path.unlink(missing_ok=True)
                    conn.sendall(b"\n")
                    break
                if request.get("op") != "run" or len(fds) != 3:
                    continue
                idle = float(request.get("keep_warm") or KEEP_WARM_SECONDS)
                last = time.monotonic()
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child
                    code = 1
                    try:
                        listener.close()
                        lock.close()
                        code = _child(conn, fds, request)
                    except BaseException:  # noqa: BLE001 - never back into this loop
                        import traceback

                        traceback.print_exc()
                    finally:
                        os._exit(code)
                children.add(pid)
                for fd in fds:
                    os.close(fd)
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        lock.close()
    return 0


def _reaped(children: set[int]) -> set[int]:
    done = set()
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                done.add(pid)
    return done


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """The request line and the client's standard streams; ({}, []) from another user."""
    uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
    if uid != os.geteuid():
        return {}, []
    conn.settimeout(10)
    try:
        data, fds, _flags, _addr = socket.recv_fds(conn, MAX_REQUEST, 3)
        while data and not data.endswith(b"\n") and len(data) < MAX_REQUEST:
            more = conn.recv(MAX_REQUEST)
            if not more:
                break
            data += more
        return json.loads(data or b"{}"), fds
    except (OSError, ValueError):
        return {}, []


def _child(conn: socket.socket, fds: list[int], request: dict) -> int:  # pragma: no cover
    """Become the client's command: its streams, directory, umask and environment."""
    import threading

    os.setsid()  # a group of our own, killed as one if the client goes
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the process's own stream
    sys.stdout = open(1, "w", buffering=1 if os.isatty(1) else -1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, errors="backslashreplace", closefd=False)  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.umask(int(request["umask"]))
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["GRADING_WARM_CLI_CHILD"] = "1"
    sys.argv = [sys.argv[0], *request["argv"]]
    conn.settimeout(None)
    conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
    finished = threading.Event()
    threading.Thread(target=_end_with_client, args=(conn, finished), daemon=True).start()
    code = _run(request["argv"])
    atexit._run_exitfuncs()  # os._exit below skips them: temporary folders and the like
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    finished.set()
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
    return code


def _run(argv: list[str]) -> int:  # pragma: no cover - in the child
    """``cli.main`` with what Python itself does on the way out: exit codes and tracebacks."""
    import traceback

    from .cli import main

    try:
        code = main(argv)
    except SystemExit as ended:
        code = ended.code
    except KeyboardInterrupt:
        traceback.print_exc()
        return 130
    except BaseException:  # noqa: BLE001 - a bug: its traceback, as in-process
        traceback.print_exc()
        return 1
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _end_with_client(conn: socket.socket, finished: threading.Event) -> None:  # pragma: no cover
    """The client went away (killed): so does the command, as if it had been in-process."""
    with contextlib.suppress(OSError):
        conn.recv(1)
    if not finished.is_set():
        os.killpg(0, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grading.warm_cli", description=__doc__)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--idle", type=float, required=True)
    args = parser.parse_args(argv)
    return serve(Path(args.socket), args.idle)


if __name__ == "__main__":
    sys.exit(main())
