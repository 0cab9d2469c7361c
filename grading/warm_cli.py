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

This module, the client, is imported before anything else by ``python -m grading``: standard
library only. The server, which imports the command line it runs, is ``grading/warm_server.py``.
When no server answers, a ``grade`` that will grade through the grading service starts that
service from here (``start_service``), before the command's own imports.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import sys
from pathlib import Path

from .user_folder import private_folder

FORWARDED = ("grade",)  # the commands worth forwarding: the ones waited for
MAX_REQUEST = 1 << 20
PACKAGE = Path(__file__).resolve().parent


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


def start_service(argv: list[str]) -> None:
    """Start the grading service a cold ``grade`` will ask for, unless it runs: its start
    (~0.7 s: podman, the grading image) then overlaps this command's imports (~0.3 s). A
    command line this reading is unsure of starts nothing: ``api.grade`` starts it then."""
    wanted = _service_of(argv)
    if wanted is None:
        return
    from .service_start import start

    engine, base, idle, zip_path = wanted
    with contextlib.suppress(OSError):  # the command itself reports what is wrong
        start(engine, base, idle)
    _ask_for_a_worker(argv, engine, base, zip_path)


def _ask_for_a_worker(argv: list[str], engine: str, base: str, zip_path: str) -> None:
    """Tell the service which worker this command will want, so that it starts one now, while
    this command imports (~0.3 s), not when its first submission arrives. Only for limits the
    zip and the defaults decide: a limit flag waits for the full parser (``api.grade`` asks
    again then, with every limit known). A worker nobody takes just idles in the pool."""
    if any(_abbreviates(token.partition("=")[0], LIMIT_OPTIONS) for token in argv[1:]):
        return
    from .autograder import read_autograder
    from .service_start import address_of, tell

    try:
        path = Path(zip_path).resolve()
        limits = read_autograder(path).limits
        address = address_of(engine, base)
    except Exception:  # noqa: BLE001 - the command itself reports a zip or folder it cannot use
        return
    tell(address, {"op": "warm", "autograder": str(path), "limits": limits})


LIMIT_OPTIONS = ("--timeout", "--cell-timeout", "--memory", "--cpus", "--pids")


def _abbreviates(name: str, options: tuple[str, ...]) -> bool:
    """``name`` is one of ``options``, or what argparse could expand to one."""
    return len(name) > 2 and any(option.startswith(name) for option in options)


SERVICE_OPTIONS = ("--engine", "--base", "--mode", "--keep-warm", "--autograder", "-a")


def _service_of(argv: list[str]) -> tuple[str, str, float | None, str] | None:
    """(engine, base, idle) of the service ``grade argv`` grades through, and the autograder
    zip, read as argparse does for the options that decide them; None if it grades without a
    service, or if unsure."""
    if not argv or argv[0] != "grade":
        return None
    given: dict[str, str] = {}
    tokens = iter(argv[1:])
    for token in tokens:
        if token == "--":
            break
        name, eq, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in SERVICE_OPTIONS:
            given[name] = value if eq else next(tokens, "")
        elif name.startswith("-a") and len(name) > 2 and not name.startswith("--"):
            given["-a"] = name[2:]  # -aZIP
        elif name in ("-h", "--help") or _abbreviates(name, SERVICE_OPTIONS):
            # an abbreviation argparse would expand: leave it to argparse
            return None
    engine = given.get("--engine", "auto")
    keep_warm = _keep_warm(argv[1:])
    if engine not in ("auto", "podman", "docker") or (keep_warm is not None and keep_warm <= 0):
        return None
    if given.get("--mode", "warm") != "warm":
        return None
    zip_path = given.get("--autograder") or given.get("-a")
    if not zip_path or _needs_otter_run(zip_path):
        return None
    from .service_start import DEBIAN_BASE

    return engine, given.get("--base", DEBIAN_BASE), keep_warm, zip_path


def _needs_otter_run(zip_path: str) -> bool:
    """Whether the zip asks for what only Otter runs (``autograder._needs_otter_run``: plugins,
    ``grade_from_log``), or cannot be read: then no grading service grades it."""
    import zipfile

    try:
        with zipfile.ZipFile(zip_path) as zf:
            config = json.loads(zf.read("otter_config.json"))
    except KeyError:  # no config: Otter's defaults
        return False
    except (OSError, ValueError, zipfile.BadZipFile):
        return True
    return not isinstance(config, dict) or bool(
        config.get("plugins") or config.get("grade_from_log")
    )


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
    command = [sys.executable, "-m", "grading.warm_server", "--socket", str(target),
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
