"""A warm grading service for this user: worker pools that outlive one ``grade`` command.

Starting a worker costs seconds (a container, then numpy, scipy, matplotlib and IPython
imported in it), far more than grading one complete notebook. The first ``grade`` starts this
service in the background; it keeps its warm workers and answers the next ``grade`` commands of
the same user over a Unix socket in a private (0700) folder, then stops after ``idle`` seconds
without a request. Each submission still gets a fresh student process in a worker, exactly as
within one run: what a worker isolates is unchanged, only its lifetime is longer.

The protocol is one JSON line each way per connection: the paths of the autograder zip, the
submission, the files beside it and the output folder (client and service are the same user on
the same machine) and the limits; the service writes ``grading.json`` where the engine would
and answers with what the host observed of the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import socketserver
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from .. import service_start
from ..service_start import code_version
from .containers import EngineError, user_folder
from .limits import Limits, limits_from
from .outcome import SandboxRun

KEEP_WARM_SECONDS = 600.0  # how long an idle service keeps its workers
START_SECONDS = 900.0  # a first start may build the grading image
HELLO_SECONDS = 10.0  # a service, ready or starting, answers ``hello`` at once
MAX_REQUEST = 1 << 20


def address_of(engine: str, base: str, version: str | None = None) -> Path:
    """The socket of the service for (engine, base) of this code (``service_start``)."""
    try:
        return service_start.address_of(engine, base, version)
    except PermissionError as error:
        raise EngineError(str(error)) from None


def ask(address: Path, request: dict, timeout: float | None) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(address))
        sock.sendall(json.dumps(request).encode() + b"\n")
        with sock.makefile("rb") as replies:
            line = replies.readline(64 << 20)
    if not line:
        raise EngineError("the grading service closed the connection")
    return json.loads(line)


class ServiceEngine:
    """The Engine protocol, answered by the service's warm workers."""

    image_engine = None  # the service builds and holds the image

    def __init__(self, address: Path, hello: dict, keep_warm: float, start=None) -> None:
        self.address, self.keep_warm = address, keep_warm
        self.name = str(hello["name"])
        self.isolation = str(hello["isolation"])
        self.image: str | None = hello.get("image")  # the service's grading image, if any
        self.container: str | None = hello.get("container")  # the CLI that built it
        self.start = start  # starts the service again if it stopped (``service stop``, a crash)

    def run_submission(
        self,
        image,
        autograder_zip,
        submission,
        out_dir,
        limits,
        owner="",
        files=None,
        keep_outputs=None,
    ):
        request = {
            "keep_outputs": None if keep_outputs is None else list(keep_outputs),
            "op": "grade",
            "keep_warm": self.keep_warm,
            "autograder": str(Path(autograder_zip).resolve()),
            "submission": str(Path(submission).resolve()),
            "files": {name: str(Path(path).resolve()) for name, path in (files or {}).items()},
            "out": str(Path(out_dir).resolve()),
            "limits": asdict(limits),
            "image": image,  # the assignment's environment; None: the service's own
        }
        try:
            reply = ask(self.address, request, timeout=limits.timeout + 120)
        except (FileNotFoundError, ConnectionRefusedError):  # stopped between two submissions
            if self.start is None:
                raise EngineError("the grading service stopped during the run") from None
            self.start()
            reply = ask(self.address, request, timeout=limits.timeout + 120)
        if "error" in reply:
            raise EngineError(f"grading service: {reply['error']}")
        return SandboxRun(**reply["run"])

    def reap(self, owner: str) -> int:
        return 0  # the service's workers are its own

    def close(self) -> None:
        """The workers stay warm in the service for the next command."""


def connect(
    engine: str,
    base: str,
    keep_warm: float = KEEP_WARM_SECONDS,
    ahead: tuple[Path, Limits] | None = None,
) -> ServiceEngine:
    """The running service for (engine, base), started in the background if there is none
    (``python -m grading grade`` may have started it already: ``warm_cli.start_service``).
    ``ahead``: the autograder zip and limits of the submissions to come; the service starts a
    worker for them at once, while it finishes starting and this command reads them."""
    version = code_version()
    address = address_of(engine, base, version)

    def answers(found: Path) -> bool:
        return _hello(found, version) is not None

    def started() -> dict:
        hello = _hello(address, version)
        if hello is None:  # none, a killed one's socket, or one that does not answer
            try:
                service_start.start(engine, base, keep_warm, unless=answers, version=version)
            except OSError as error:
                raise EngineError(f"could not start the grading service: {error}") from None
            hello = _hello(address, version)  # a new service answers at once, while starting
        if hello is not None and ahead is not None:
            service_start.tell(address, {"op": "warm", "autograder": str(ahead[0].resolve()),
                                         "limits": asdict(ahead[1])})  # fmt: skip
        if hello is not None and hello.get("starting"):
            hello = _ready(address)
        if hello is None or "error" in hello:
            why = hello["error"] if hello else f"see {address.with_suffix('.log')}"
            raise EngineError(f"the grading service did not start: {why}")
        return hello

    return ServiceEngine(address, started(), keep_warm, start=started)


def _hello(address: Path, version: str) -> dict | None:
    """The service's answer, or None if there is none (a stale one of other code is stopped)."""
    try:
        hello = ask(address, {"op": "hello"}, timeout=HELLO_SECONDS)
    except (OSError, ValueError, EngineError):
        return None
    if hello.get("version") == version:
        return hello
    with contextlib.suppress(OSError, ValueError, EngineError):
        ask(address, {"op": "stop"}, timeout=120)
    return None


def _ready(address: Path) -> dict | None:
    """The hello of a starting service, sent the moment it is ready (or why it failed)."""
    try:
        return ask(address, {"op": "ready"}, timeout=START_SECONDS)
    except (OSError, ValueError, EngineError):
        return _failure(address) or None


def _failure(address: Path) -> dict:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(address.with_suffix(".failed").read_text())
    return {}


def service_owner(version: str) -> str:
    """The owner label of a service's workers: a service of other code never reaps them."""
    return f"service-{os.geteuid()}-{version}"


def running() -> list[tuple[Path, dict]]:
    """Every service of this user that answers: its socket and its hello."""
    found = []
    for address in sorted(user_folder().glob("*.sock")):
        with contextlib.suppress(OSError, ValueError, EngineError):
            found.append((address, ask(address, {"op": "hello"}, timeout=10)))
    return found


def stop_all() -> int:
    """Stop every service of this user (their workers go with them); returns how many."""
    stopped = 0
    for address, _hello in running():
        with contextlib.suppress(OSError, ValueError, EngineError):
            ask(address, {"op": "stop"}, timeout=120)
            stopped += 1
    return stopped


# -- the service ------------------------------------------------------------------------------


class Service(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Answers from the moment it exists: ``hello`` says "starting" until the engine and the
    image are known (``ready``), then what grades; ``ready`` waits for that moment."""

    daemon_threads = True

    def __init__(
        self,
        address: Path,
        engine,
        image: str | None,
        idle: float,
        listener: socket.socket | None = None,
    ) -> None:
        self.engine, self.image, self.idle = engine, image, idle
        self.version = code_version()
        self.owner = service_owner(self.version)
        self.busy = 0
        self.last = time.monotonic()
        self.lock = threading.Lock()
        self.prepared = threading.Event()  # set once the engine is known, or its start failed
        self.failure = ""
        self.handling = 0  # connections being answered
        if engine is not None:
            self.prepared.set()
        if listener is None:
            with contextlib.suppress(FileNotFoundError):
                address.unlink()
            super().__init__(str(address), Handler)
            os.chmod(address, 0o600)
        else:  # bound by the starter (``service_start``): clients already wait in its backlog
            super().__init__(str(address), Handler, bind_and_activate=False)
            self.socket.close()
            self.socket = listener
        self.address = address
        self.identity = _identity(address)  # a later service may bind the same path

    def ready(self, engine, image: str | None) -> None:
        self.engine, self.image = engine, image
        with self.lock:
            self.last = time.monotonic()
        self.prepared.set()

    def fail(self, why: str) -> None:
        """Tell the clients waiting for the start why it failed, then stop."""
        self.forget_address()  # nobody new comes in, and those told find none after
        self.failure = why
        self.prepared.set()
        deadline = time.monotonic() + 10
        while self.handling and time.monotonic() < deadline:
            time.sleep(0.01)
        self.shutdown()

    def drain(self) -> None:
        """Answer the connections still waiting to be accepted (after a failed start: why)."""
        self.socket.setblocking(False)
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # none left (the socket is no longer reachable: none will come)
                return
            connection.settimeout(1.0)
            with contextlib.suppress(OSError):
                self.finish_request(connection, None)
            self.shutdown_request(connection)

    def forget_address(self) -> None:
        """Unlink the socket if it is still this service's: a new client starts another."""
        with contextlib.suppress(OSError):
            if _identity(self.address) == self.identity:
                self.address.unlink()

    def hello(self) -> dict:
        if not self.prepared.is_set():
            return {"version": self.version, "starting": True}
        if self.failure:
            return {"version": self.version, "error": self.failure}
        engine = self.engine
        container = engine.image_engine.name if engine.image_engine else None
        return {"version": self.version, "name": engine.name, "isolation": engine.isolation,
                "image": self.image, "container": container}  # fmt: skip

    def watch_idle(self) -> None:
        while True:
            time.sleep(1.0)
            with self.lock:
                if not self.busy and time.monotonic() - self.last > self.idle:
                    break
        self.forget_address()
        self.shutdown()


def _identity(path: Path) -> tuple[int, int]:
    """The socket file's inode and change time: an inode number alone is soon reused."""
    info = path.stat()
    return info.st_ino, info.st_ctime_ns


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        service: Service = self.server  # type: ignore[assignment]
        with service.lock:
            service.handling += 1
        try:
            self.handle_one(service)
        finally:
            with service.lock:
                service.handling -= 1

    def handle_one(self, service: Service) -> None:
        request: dict = {}
        try:
            line = self.rfile.readline(MAX_REQUEST)
            if not line:  # a starter's probe (``service_start.accepts``): nothing to answer
                return
            request = json.loads(line)
            if request.get("op") == "stop":  # gone before it says so: no race with a starter
                service.forget_address()
            if request.get("op") == "warm":  # nobody waits for an answer
                self.warm(service, request)
                return
            reply = self.answer(service, request)
        except Exception as error:  # noqa: BLE001 - the client reports it
            reply = {"error": f"{type(error).__name__}: {error}"}
        try:
            self.wfile.write(json.dumps(reply).encode() + b"\n")
        except (BrokenPipeError, ConnectionResetError):  # an interrupted client: its files stay
            print(f"a client left before the answer to {request.get('op')!r}", file=sys.stderr)
        if request.get("op") == "stop":
            threading.Thread(target=service.shutdown, daemon=True).start()

    def warm(self, service: Service, request: dict) -> None:
        """Start a worker for the submissions a command will send (``ServiceEngine.prestart``),
        unless the zip needs an environment of its own (the command builds or finds that)."""
        from .image import in_the_image

        if not service.prepared.wait(START_SECONDS) or service.failure:
            return
        prestart = getattr(service.engine, "prestart", None)
        autograder = Path(request["autograder"])
        if prestart is not None and in_the_image(autograder):
            limits = limits_from(request["limits"])  # those set, over the defaults
            prestart(service.image, autograder, limits, service.owner)

    def answer(self, service: Service, request: dict) -> dict:
        op = request.get("op")
        if op in ("hello", "stop"):
            return service.hello()
        if op == "ready":
            service.prepared.wait(START_SECONDS)
            return service.hello()
        if op != "grade":
            raise ValueError(f"unknown op {op!r}")
        if not service.prepared.wait(START_SECONDS) or service.failure:
            raise EngineError(f"the service did not start: {service.failure or 'timed out'}")
        with service.lock:
            service.busy += 1
            service.idle = float(request.get("keep_warm", service.idle))  # the last one counts
        try:
            files = {str(k): Path(v) for k, v in (request.get("files") or {}).items()}
            run = service.engine.run_submission(
                request.get("image") or service.image, Path(request["autograder"]),
                Path(request["submission"]), Path(request["out"]), Limits(**request["limits"]),
                service.owner, files, keep_outputs=request.get("keep_outputs"),
            )  # fmt: skip
        finally:
            with service.lock:
                service.busy -= 1
                service.last = time.monotonic()
        return {"run": asdict(run)}


def prepare(engine_choice: str, base: str, owner: str):
    """The warm engine and its grading image; the workers a killed service of this code left
    are removed before any worker of this one starts (the service answers no grade before)."""
    from . import detect_engine
    from .image import ensure_image

    engine = detect_engine(engine_choice, "warm")
    engine.max_idle = os.cpu_count() or 1  # warm workers kept between commands
    if engine.image_engine is None:
        engine.reap(owner)
        return engine, None
    with ThreadPoolExecutor(max_workers=2) as pool:  # two engine commands at once: ~0.1 s each
        image = pool.submit(ensure_image, engine.image_engine, base)
        reaped = pool.submit(engine.reap, owner)
        reaped.result()
        return engine, image.result()


def serve(
    engine_choice: str, base: str, address: Path, idle: float, listen_fd: int | None = None
) -> int:
    failed = address.with_suffix(".failed")
    failed.unlink(missing_ok=True)
    listener = None if listen_fd is None else socket.socket(fileno=listen_fd)
    server = Service(address, None, None, idle, listener)

    def start() -> None:
        try:
            engine, image = prepare(engine_choice, base, server.owner)
        except Exception as error:  # noqa: BLE001 - told to the clients, then in the log
            why = f"{type(error).__name__}: {error}"
            failed.write_text(json.dumps({"error": why}))
            traceback.print_exc()
            server.fail(why)
            return
        server.ready(engine, image)
        server.watch_idle()

    threading.Thread(target=start, daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.forget_address()
        if server.failure:
            server.drain()
        server.server_close()
        if server.engine is not None:
            server.engine.close()
    return 1 if server.failure else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.sandbox.service", description=__doc__)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--idle", type=float, default=KEEP_WARM_SECONDS)
    parser.add_argument("--listen-fd", type=int, help="the socket, bound by the starter")
    args = parser.parse_args(argv)
    return serve(args.engine, args.base, Path(args.socket), args.idle, args.listen_fd)


if __name__ == "__main__":
    sys.exit(main())
