"""The warm command line's server: a process of this user with the ``grade`` command's imports
done, forking one child per forwarded command (the client is ``grading/warm_cli.py``).

Started in the background by ``warm_cli.ensure_running`` as ``python -m grading.warm_server``;
it stops once ``--idle`` seconds pass without a command, or when asked (``warm_cli.stop_all``).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .warm_cli import MAX_REQUEST

if TYPE_CHECKING:
    import threading


def _preload() -> None:
    """What every ``grade`` imports or compiles before its first notebook."""
    import nbformat
    import tqdm  # noqa: F401

    from . import api, cli, feedback  # noqa: F401

    nbformat.validate(nbformat.v4.new_notebook())  # compiles the schema's validator once
    feedback.prepare()  # and the feedback page's template


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

    parser = argparse.ArgumentParser(prog="python -m grading.warm_server", description=__doc__)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--idle", type=float, required=True)
    args = parser.parse_args(argv)
    return serve(Path(args.socket), args.idle)


if __name__ == "__main__":
    sys.exit(main())
