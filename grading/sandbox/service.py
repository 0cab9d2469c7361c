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
import fcntl
import hashlib
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from .containers import EngineError, user_folder
from .limits import Limits
from .outcome import SandboxRun

KEEP_WARM_SECONDS = 600.0  # how long an idle service keeps its workers
START_SECONDS = 900.0  # a first start may build the grading image
HERE = Path(__file__).resolve().parent
MAX_REQUEST = 1 << 20


def code_version() -> str:
    """A hash of the code that grades (this package's sandbox and worker, the image recipe):
    a service started by other code is replaced, never asked."""
    digest = hashlib.sha256()
    files = sorted(HERE.rglob("*.py")) + [HERE.parent / "Containerfile", HERE / "requirements.txt"]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(HERE.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def address_of(engine: str, base: str, version: str | None = None) -> Path:
    """The socket of the service for (engine, base) of this code: two clones of the tool at
    different versions each keep their own service instead of stopping each other's."""
    version = version or code_version()
    key = hashlib.sha256(f"{engine}\0{base}\0{version}".encode()).hexdigest()[:12]
    return user_folder() / f"{engine}-{key}.sock"


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


def connect(engine: str, base: str, keep_warm: float = KEEP_WARM_SECONDS) -> ServiceEngine:
    """The running service for (engine, base), started in the background if there is none."""
    version = code_version()
    address = address_of(engine, base, version)

    def started() -> dict:
        hello = _hello(address, version)
        if hello is not None:
            return hello
        with open(address.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one starter at a time; the others then find it
            hello = _hello(address, version)
            if hello is None:
                _start(address, engine, base, keep_warm)
                hello = _wait_for(address, version)
        return hello

    return ServiceEngine(address, started(), keep_warm, start=started)


def _hello(address: Path, version: str) -> dict | None:
    """The service's answer, or None if there is none (a stale one of other code is stopped)."""
    try:
        hello = ask(address, {"op": "hello"}, timeout=10)
    except (OSError, ValueError, EngineError):
        return None
    if hello.get("version") == version:
        return hello
    with contextlib.suppress(OSError, ValueError, EngineError):
        ask(address, {"op": "stop"}, timeout=120)
    return None


def _start(address: Path, engine: str, base: str, keep_warm: float) -> None:
    log = open(address.with_suffix(".log"), "ab")  # noqa: SIM115 - handed to the child
    command = [sys.executable, "-m", "grading.sandbox.service", "--engine", engine,
               "--base", base, "--socket", str(address), "--idle", str(keep_warm)]  # fmt: skip
    subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, cwd="/"
    )
    log.close()


def _wait_for(address: Path, version: str) -> dict:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        hello = _hello(address, version)
        if hello is not None:
            return hello
        if "error" in (failure := _failure(address)):
            raise EngineError(f"the grading service did not start: {failure['error']}")
        time.sleep(0.2)
    raise EngineError(f"the grading service did not start; see {address.with_suffix('.log')}")


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
    daemon_threads = True

    def __init__(self, address: Path, engine, image: str | None, idle: float) -> None:
        self.engine, self.image, self.idle = engine, image, idle
        self.version = code_version()
        self.owner = service_owner(self.version)
        self.busy = 0
        self.last = time.monotonic()
        self.lock = threading.Lock()
        with contextlib.suppress(FileNotFoundError):
            address.unlink()
        super().__init__(str(address), Handler)
        os.chmod(address, 0o600)

    def watch_idle(self) -> None:
        while True:
            time.sleep(1.0)
            with self.lock:
                if not self.busy and time.monotonic() - self.last > self.idle:
                    break
        self.shutdown()


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        service: Service = self.server  # type: ignore[assignment]
        request: dict = {}
        try:
            request = json.loads(self.rfile.readline(MAX_REQUEST))
            reply = self.answer(service, request)
        except Exception as error:  # noqa: BLE001 - the client reports it
            reply = {"error": f"{type(error).__name__}: {error}"}
        try:
            self.wfile.write(json.dumps(reply).encode() + b"\n")
        except (BrokenPipeError, ConnectionResetError):  # an interrupted client: its files stay
            print(f"a client left before the answer to {request.get('op')!r}", file=sys.stderr)
        if request.get("op") == "stop":
            threading.Thread(target=service.shutdown, daemon=True).start()

    def answer(self, service: Service, request: dict) -> dict:
        op = request.get("op")
        if op in ("hello", "stop"):
            engine = service.engine
            container = engine.image_engine.name if engine.image_engine else None
            return {"version": service.version, "name": engine.name, "isolation": engine.isolation,
                    "image": service.image, "container": container}  # fmt: skip
        if op != "grade":
            raise ValueError(f"unknown op {op!r}")
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


def serve(engine_choice: str, base: str, address: Path, idle: float) -> int:
    from . import detect_engine
    from .image import ensure_image

    failed = address.with_suffix(".failed")
    failed.unlink(missing_ok=True)
    try:
        engine = detect_engine(engine_choice, "warm")
        engine.max_idle = os.cpu_count() or 1  # warm workers kept between commands
        image = ensure_image(engine.image_engine, base) if engine.image_engine else None
        engine.reap(service_owner(code_version()))  # workers of a service that was killed
        server = Service(address, engine, image, idle)
    except Exception as error:
        failed.write_text(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        raise
    threading.Thread(target=server.watch_idle, daemon=True).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        with contextlib.suppress(FileNotFoundError):
            address.unlink()
        engine.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grading.sandbox.service", description=__doc__)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--idle", type=float, default=KEEP_WARM_SECONDS)
    args = parser.parse_args(argv)
    return serve(args.engine, args.base, Path(args.socket), args.idle)


if __name__ == "__main__":
    sys.exit(main())
