"""The warm engine: long-lived worker containers that each grade many submissions.

A worker container imports the heavy modules once; each submission then runs in a student
process forked inside it (see ``worker``), as another user, with its own limits and scratch,
thrown away afterwards. The host talks to a worker through its stdin and stdout only: the
autograder and the notebooks are sent, never mounted, so no file of the host is visible inside.
``fresh=True`` retires a container after one submission (the per-submission mode, same code).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import json
import queue
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..outputs import atomic_write
from .containers import OWNER_LABEL, ContainerEngine, EngineError
from .limits import GRADER_PIDS, Limits
from .outcome import SandboxRun
from .uids import FIRST_STUDENT_UID, UidLease, lease_student_uid

STUDENT_UID = FIRST_STUDENT_UID  # in a pod of its own (Kubernetes), where no uid is shared
GRADER_MEMORY_MB = 768  # the worker's own share of the container's memory
START_SECONDS = 120.0
BACKSTOP_SECONDS = 30.0  # past the worker's own hard deadline and its clean-up
LOG_LINES = 400


@dataclass
class Worker:
    """One running worker container and the threads that read its output."""

    process: subprocess.Popen
    name: str
    uid: UidLease
    replies: queue.Queue = field(default_factory=queue.Queue)
    log: collections.deque = field(default_factory=lambda: collections.deque(maxlen=LOG_LINES))

    def start_readers(self) -> None:
        def read_replies() -> None:
            for line in self.process.stdout:
                self.replies.put(line)
            self.replies.put(None)

        def read_log() -> None:
            for line in self.process.stderr:
                self.log.append(line)

        for target in (read_replies, read_log):
            threading.Thread(target=target, daemon=True).start()

    def receive(self, seconds: float) -> dict | None:
        """The next reply, or None if the worker ended or stayed silent for ``seconds``."""
        try:
            line = self.replies.get(timeout=seconds)
        except queue.Empty:
            return None
        return json.loads(line) if line else None

    def send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()


class WarmEngine:
    """Grades through a pool of worker containers of one container engine (podman or docker)."""

    isolation = "container"

    def __init__(self, engine: ContainerEngine, fresh: bool = False) -> None:
        self.engine = engine
        self.fresh = fresh
        self.name = f"{engine.name}-{'fresh' if fresh else 'warm'}"
        self._idle: dict[tuple, list[Worker]] = {}
        self._all: list[Worker] = []
        self._lock = threading.Lock()

    # -- the Engine protocol --------------------------------------------------------------------

    def run_submission(
        self,
        image: str,
        autograder_zip: Path,
        submission: Path,
        out_dir: Path,
        limits: Limits,
        owner: str = "",
    ) -> SandboxRun:
        """Grade one notebook in a worker; its results land in ``out_dir`` as with other engines."""
        out_dir.mkdir(parents=True, exist_ok=True)
        key = (image, str(autograder_zip), limits, owner)
        worker = self._checkout(key, image, autograder_zip, limits, owner)
        worker.log.clear()
        started = time.monotonic()
        request_id = uuid.uuid4().hex
        notebook = base64.b64encode(submission.read_bytes()).decode("ascii")
        try:
            worker.send({"id": request_id, "name": submission.name, "notebook": notebook})
        except (BrokenPipeError, OSError):
            self._discard(worker)
            log = "".join(worker.log)[-1500:]
            raise EngineError(f"worker {worker.name} stopped: {log}") from None
        # The worker enforces the limits itself; this is the backstop for a wedged container.
        reply = worker.receive(limits.timeout + BACKSTOP_SECONDS)
        seconds = time.monotonic() - started
        log = "".join(worker.log)
        if reply is None or reply.get("id") != request_id:
            self._discard(worker)
            return SandboxRun(timed_out=reply is None, returncode=None, log=log, seconds=seconds)
        atomic_write(out_dir / "grading.json", json.dumps(reply.get("result", {})))
        self._checkin(key, worker)
        return SandboxRun(timed_out=False, returncode=0, log=log, seconds=seconds)

    def reap(self, owner: str) -> int:
        return self.engine.reap(owner)

    def close(self) -> None:
        """Stop every worker: end of input lets each finish and its container remove itself."""
        with self._lock:
            workers, self._all, self._idle = list(self._all), [], {}
        for worker in workers:
            _stop(worker, self.engine)

    # -- the pool -------------------------------------------------------------------------------

    def _checkout(self, key, image, autograder_zip, limits, owner) -> Worker:
        with self._lock:
            idle = self._idle.get(key, [])
            while idle:
                worker = idle.pop()
                if worker.process.poll() is None:
                    return worker
        return self._start(image, autograder_zip, limits, owner)

    def _checkin(self, key, worker: Worker) -> None:
        if self.fresh:
            self._discard(worker)
            return
        with self._lock:
            self._idle.setdefault(key, []).append(worker)

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        _stop(worker, self.engine)

    def _start(self, image: str, autograder_zip: Path, limits: Limits, owner: str) -> Worker:
        name = f"grading-worker-{uuid.uuid4().hex[:12]}"
        uid = lease_student_uid()
        command = [self.engine.executable, *self.engine.global_flags, *container_args(
            name, image, limits, owner, uid.uid)]  # fmt: skip
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                bufsize=1,
            )
        except OSError:
            uid.release()
            raise
        worker = Worker(process=process, name=name, uid=uid)
        worker.start_readers()
        zip_data = base64.b64encode(autograder_zip.read_bytes()).decode("ascii")
        with contextlib.suppress(BrokenPipeError, OSError):
            worker.send({"autograder": zip_data})
        ready = worker.receive(START_SECONDS)
        if not ready or not ready.get("ready"):
            _stop(worker, self.engine)
            raise EngineError(
                f"worker container did not start: {''.join(worker.log)[-2000:] or 'no output'}"
            )
        with self._lock:
            self._all.append(worker)
        return worker


def container_args(
    name: str, image: str, limits: Limits, owner: str, student_uid: int = STUDENT_UID
) -> list[str]:
    """``run`` arguments of a worker container: no network, read-only, few rights, limits.

    The worker keeps three capabilities: SETUID and SETGID to become the student user, KILL to
    stop that user's processes. Everything the student process can write is tmpfs.
    """
    return [
        "run", "-i", "--rm", "--init", "--name", name, "--label", f"{OWNER_LABEL}={owner}",
        "--network", "none",
        "--read-only",
        "--tmpfs", f"/tmp:rw,exec,size={limits.scratch_mb}m,mode=1777",
        "--tmpfs", "/grading:rw,size=64m,mode=0700",
        "--memory", f"{limits.memory_mb + GRADER_MEMORY_MB}m",
        "--memory-swap", f"{limits.memory_mb + GRADER_MEMORY_MB}m",
        "--pids-limit", str(limits.pids + GRADER_PIDS),
        "--cpus", str(limits.cpus),
        "--ulimit", f"nofile={limits.open_files}:{limits.open_files}",
        "--ulimit", f"nproc={limits.pids + GRADER_PIDS}:{limits.pids + GRADER_PIDS}",
        "--security-opt", "no-new-privileges",
        "--cap-drop", "ALL",
        "--cap-add", "SETUID", "--cap-add", "SETGID", "--cap-add", "KILL",
        "--entrypoint", "/opt/grader/bin/python",
        image, "-m", "worker", "serve",
        "--cell-timeout", str(limits.cell_timeout),
        "--timeout", str(limits.timeout),
        "--memory-mb", str(limits.memory_mb),
        "--processes", str(limits.pids),
        "--uid", str(student_uid),
        "--private", "/grading",
    ]  # fmt: skip


def _stop(worker: Worker, engine: ContainerEngine) -> None:
    with contextlib.suppress(OSError):
        worker.process.stdin.close()
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        engine.cli(["rm", "--force", worker.name], check=False, timeout=60)
        worker.process.kill()
        worker.process.wait()
    worker.uid.release()  # the container and every process of its student uid are gone
