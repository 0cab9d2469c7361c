"""The warm engine: long-lived workers that each grade many submissions.

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
import hashlib
import json
import os
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..files import atomic_write, cache_dir
from ..model import OTTER_LOG
from .containers import OWNER_LABEL, ContainerEngine, EngineError
from .limits import GRADER_PIDS, Limits
from .outcome import SandboxRun
from .uids import FIRST_STUDENT_UID, UidLease, lease_student_uid
from .worker import END_OF_LOG

STUDENT_UID = FIRST_STUDENT_UID  # in a pod of its own (Kubernetes), where no uid is shared
GRADER_MEMORY_MB = 768  # the worker's own share of the container's memory
START_SECONDS = 120.0
MAX_IMPORTS_KEPT = 200  # modules counted per zip
# A starting worker's CPUs (at most the machine's): its zygote and its grader import at once.
STARTING_CPUS = float(min(2, os.cpu_count() or 1))
BACKSTOP_SECONDS = 30.0  # past the worker's own hard deadline and its clean-up
LOG_LINES = 400
LOG_END_SECONDS = 5.0  # a worker's log lines trail its reply by milliseconds


@dataclass
class Worker:
    """One running worker container and the threads that read its output."""

    process: subprocess.Popen
    name: str
    uid: UidLease
    last_used: float = 0.0
    replies: queue.Queue = field(default_factory=queue.Queue)
    log: collections.deque = field(default_factory=lambda: collections.deque(maxlen=LOG_LINES))
    log_ends: queue.Queue = field(default_factory=queue.Queue)

    def start_readers(self) -> None:
        def read_replies() -> None:
            for line in self.process.stdout:
                self.replies.put(line)
            self.replies.put(None)

        def read_log() -> None:
            for line in self.process.stderr:
                if line.startswith(END_OF_LOG):
                    self.log_ends.put(line.removeprefix(END_OF_LOG).strip())
                else:
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

    def log_of(self, request_id: str) -> str:
        """The request's whole log: its reply can arrive before the last lines are read."""
        deadline = time.monotonic() + LOG_END_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                if self.log_ends.get(timeout=left) == request_id:
                    break
            except queue.Empty:
                break
        return "".join(self.log)

    def send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()


class Launcher(Protocol):
    """Where worker processes run: in containers (``ContainerLauncher``) or on this host
    (``host.HostLauncher``). The pool, the protocol and the worker are the same for both."""

    name: str
    isolation: str
    image_engine: ContainerEngine | None  # the CLI that builds the grading image, if one is used
    workdir: Path | None  # the folder workers start in (None: this process's)

    def lease_uid(self) -> UidLease: ...

    def command(
        self, name: str, image: str | None, limits: Limits, owner: str, uid: int
    ) -> tuple[list[str], dict[str, str] | None]: ...

    def warmed_up(self, name: str, limits: Limits) -> None:
        """The worker's grader has started and no student code has run yet: from now on the
        submission's limits hold (a starting worker may use more CPUs for its imports)."""

    def force_stop(self, name: str) -> None: ...

    def stopped(self, name: str) -> None: ...

    def reap(self, owner: str) -> int: ...


class ContainerLauncher:
    """Worker containers of podman or docker."""

    isolation = "container"

    def __init__(self, engine: ContainerEngine) -> None:
        self.image_engine = self.engine = engine
        self.name = engine.name

    @property
    def workdir(self) -> Path:
        return self.engine.workdir

    def lease_uid(self) -> UidLease:
        return lease_student_uid()

    def command(self, name, image, limits, owner, uid):
        args = container_args(name, image, limits, owner, uid)
        return [self.engine.executable, *self.engine.global_flags, *args], None

    def warmed_up(self, name: str, limits: Limits) -> None:
        """Down from every CPU (``container_args``) to the submission's share: the worker's
        zygote and grader imported on two CPUs at once; a student never gets more than its
        share, and a worker whose share cannot be set never grades."""
        if limits.cpus < STARTING_CPUS:
            self.engine.cli(["update", "--cpus", f"{limits.cpus:g}", name], timeout=60)

    def force_stop(self, name: str) -> None:
        self.engine.cli(["rm", "--force", name], check=False, timeout=60)

    def stopped(self, name: str) -> None:
        """Nothing to tidy: ``--rm`` removed the container."""

    def reap(self, owner: str) -> int:
        return self.engine.reap(owner)


class WarmEngine:
    """Grades through a pool of long-lived workers started by one launcher."""

    def __init__(
        self, launcher: Launcher | ContainerEngine, fresh: bool = False, max_idle: int = 0
    ) -> None:
        if isinstance(launcher, ContainerEngine):
            launcher = ContainerLauncher(launcher)
        self.launcher = launcher
        self.fresh = fresh
        self.max_idle = max_idle  # idle workers kept (0: all, for one run); the oldest go first
        self.isolation = launcher.isolation
        self.image_engine = launcher.image_engine
        self.name = f"{launcher.name}-{'fresh' if fresh else 'warm'}"
        self._idle: dict[tuple, list[Worker]] = {}
        self._starting: dict[tuple, list[Future]] = {}  # prestarted workers not yet claimed
        self.preloads = Preloads()  # what each assignment's notebooks import: new workers preload
        self._all: list[Worker] = []
        self._lock = threading.Lock()

    # -- the Engine protocol --------------------------------------------------------------------

    def run_submission(
        self,
        image: str | None,
        autograder_zip: Path,
        submission: Path,
        out_dir: Path,
        limits: Limits,
        owner: str = "",
        files: Mapping[str, Path] | None = None,
        keep_outputs: Sequence[str] | None = None,
    ) -> SandboxRun:
        """Grade one notebook in a worker; its results land in ``out_dir`` as with other engines.

        ``files`` (name -> path) are what the student handed in beside the notebook; the worker
        lays them out in the submission's folder. Otter's log is not sent: only ``otter run``
        reads it.
        """
        out_dir.mkdir(parents=True, exist_ok=True)
        key = _key(image, autograder_zip, limits, owner)
        worker = self._checkout(key, image, autograder_zip, limits, owner)
        worker.log.clear()
        started = time.monotonic()
        request_id = uuid.uuid4().hex
        notebook = base64.b64encode(submission.read_bytes()).decode("ascii")
        beside = {
            name: base64.b64encode(path.read_bytes()).decode("ascii")
            for name, path in (files or {}).items()
            if name != OTTER_LOG
        }
        message = {"id": request_id, "name": submission.name, "notebook": notebook}
        if keep_outputs is not None:
            message["keep"] = list(keep_outputs)
        try:
            worker.send({**message, "files": beside} if beside else message)
        except (BrokenPipeError, OSError):
            self._discard(worker)
            log = "".join(worker.log)[-1500:]
            raise EngineError(f"worker {worker.name} stopped: {log}") from None
        # The worker enforces the limits itself; this is the backstop for a wedged worker.
        reply = worker.receive(limits.timeout + BACKSTOP_SECONDS)
        seconds = time.monotonic() - started
        answered = reply is not None and reply.get("id") == request_id
        log = worker.log_of(request_id) if answered else "".join(worker.log)
        if not answered:
            self._discard(worker)
            return SandboxRun(timed_out=reply is None, returncode=None, log=log, seconds=seconds)
        result = reply.get("result", {})
        atomic_write(out_dir / "grading.json", json.dumps(result))
        self.preloads.learn(key[1], result.get("imports") if isinstance(result, dict) else None)
        self._checkin(key, worker)
        return SandboxRun(timed_out=False, returncode=0, log=log, seconds=seconds)

    def prestart(self, image: str | None, autograder_zip: Path, limits: Limits, owner: str) -> None:
        """Start a worker for these submissions before the first of them arrives (the grading
        service, told by a ``grade`` that has not read its submissions yet): the next checkout
        of the same key takes it, waiting for its start if need be; unclaimed, it idles in the
        pool as any other. Nothing if a worker of that key is idle or starting already."""
        key = _key(image, autograder_zip, limits, owner)
        with self._lock:
            if self._idle.get(key) or self._starting.get(key):
                return
            starting: Future = Future()
            self._starting.setdefault(key, []).append(starting)
        try:
            worker = self._start(image, autograder_zip, limits, owner)
        except Exception as error:  # noqa: BLE001 - a checkout waiting for it starts its own
            starting.set_exception(error)
            return
        finally:
            with self._lock:
                unclaimed = starting in self._starting.get(key, [])
                if unclaimed:
                    self._starting[key].remove(starting)
        if unclaimed:
            self._checkin(key, worker)
        starting.set_result(worker)

    def reap(self, owner: str) -> int:
        return self.launcher.reap(owner)

    def close(self) -> None:
        """Stop every worker: end of input lets each finish (a container removes itself)."""
        with self._lock:
            workers, self._all, self._idle = list(self._all), [], {}
        for worker in workers:
            self._stop(worker)

    # -- the pool -------------------------------------------------------------------------------

    def _checkout(self, key, image, autograder_zip, limits, owner) -> Worker:
        found, ended, claimed = None, [], None
        with self._lock:
            idle = self._idle.get(key, [])
            while idle and found is None:
                worker = idle.pop()
                if worker.process.poll() is None:
                    found = worker
                else:
                    ended.append(worker)
            starting = self._starting.get(key)
            if found is None and starting:
                claimed = starting.pop(0)
        for worker in ended:
            self._discard(worker)  # ended while idle: its student uid goes back
        if found is not None:
            return found
        if claimed is not None:
            with contextlib.suppress(Exception):  # its failure: the start below reports it
                worker = claimed.result()
                if worker.process.poll() is None:
                    return worker
                self._discard(worker)
        return self._start(image, autograder_zip, limits, owner)

    def _checkin(self, key, worker: Worker) -> None:
        if self.fresh:
            self._discard(worker)
            return
        worker.last_used = time.monotonic()
        with self._lock:
            self._idle.setdefault(key, []).append(worker)
            idle = [w for pool in self._idle.values() for w in pool]
            oldest = min(idle, key=lambda w: w.last_used)
            evict = 0 < self.max_idle < len(idle)
            if evict:
                for pool in self._idle.values():
                    if oldest in pool:
                        pool.remove(oldest)
                self._all.remove(oldest)
        if evict:
            self._stop(oldest)

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        self._stop(worker)

    def _start(self, image, autograder_zip: Path, limits: Limits, owner: str) -> Worker:
        name = f"grading-worker-{uuid.uuid4().hex[:12]}"
        uid = self.launcher.lease_uid()
        try:
            command, env = self.launcher.command(name, image, limits, owner, uid.uid)
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                bufsize=1,
                env=env,
                cwd=self.launcher.workdir,
            )
        except (OSError, EngineError):
            uid.release()
            raise
        worker = Worker(process=process, name=name, uid=uid)
        worker.start_readers()
        zip_bytes = autograder_zip.read_bytes()
        zip_data = base64.b64encode(zip_bytes).decode("ascii")
        zip_sha = hashlib.sha256(zip_bytes).hexdigest()
        with contextlib.suppress(BrokenPipeError, OSError):
            worker.send({"preload": self.preloads.of(zip_sha)})  # read before the zygote forks
            worker.send({"autograder": zip_data})  # read after: none of it in a student's memory
        try:
            self._expect(worker, "imported")
            # The grader's imports are done and the zygote's last ones need a single CPU: the
            # submission's share is set meanwhile (a podman command, ~0.1 s of a cold start).
            self.launcher.warmed_up(name, limits)
            self._expect(worker, "ready")
        except EngineError:
            self._stop(worker)
            raise
        with self._lock:
            self._all.append(worker)
        return worker

    @staticmethod
    def _expect(worker: Worker, flag: str) -> None:
        """The worker's next start message is ``{flag: true}``."""
        reply = worker.receive(START_SECONDS)
        if not reply or not reply.get(flag):
            raise EngineError(f"worker did not start: {''.join(worker.log)[-2000:] or 'no output'}")

    def _stop(self, worker: Worker) -> None:
        with contextlib.suppress(OSError):
            worker.process.stdin.close()
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.launcher.force_stop(worker.name)
            worker.process.kill()
            worker.process.wait()
        worker.uid.release()  # the worker and every process of its student uid are gone
        self.launcher.stopped(worker.name)


def _key(image: str | None, autograder_zip: Path, limits: Limits, owner: str) -> tuple:
    """Which workers may grade a submission: the zip's content, not its path (a worker holds
    the tests it was started with)."""
    return (image, hashlib.sha256(autograder_zip.read_bytes()).hexdigest(), limits, owner)


class Preloads:
    """Per autograder zip, the installed packages its notebooks import (the worker reports them)
    and how many of them import each, kept in the cache folder: a worker started for that zip,
    now or in a later ``grade``, imports before its first student process what at least half
    of them import (an assignment's sklearn: a second each). A rarer import (one student's
    pandas) is left to the worker's zygote once a notebook asks for it: importing it at every
    cold start would delay each first result (~0.2 s apiece). None for a zip no worker has
    graded yet: its worker imports what notebooks commonly do."""

    def __init__(self, folder: Path | None = None) -> None:
        # "imports" (a list per zip) became "imported" (counts): the lists knew no frequency.
        self.folder = folder or cache_dir() / "imported"
        self._known: dict[str, tuple[int, dict[str, int]] | None] = {}
        self._lock = threading.Lock()  # workers report at once: no count lost

    def of(self, zip_sha: str) -> list[str] | None:
        with self._lock:
            known = self._read(zip_sha)
        if known is None:
            return None
        notebooks, counts = known
        return sorted(name for name, count in counts.items() if 2 * count >= notebooks)[:50]

    def learn(self, zip_sha: str, imports: object) -> None:
        if not isinstance(imports, list):
            return
        with self._lock:
            notebooks, counts = self._read(zip_sha) or (0, {})
            counts = dict(counts)
            for name in {str(n)[:100] for n in imports if isinstance(n, str)}:
                counts[name] = counts.get(name, 0) + 1
            if len(counts) > MAX_IMPORTS_KEPT:  # the commonest: a notebook may import hundreds
                counts = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:MAX_IMPORTS_KEPT])
            self._known[zip_sha] = (notebooks + 1, counts)
            record = {"notebooks": notebooks + 1, "imports": counts}
            with contextlib.suppress(OSError):
                atomic_write(self.folder / f"{zip_sha}.json", json.dumps(record))

    def _read(self, zip_sha: str) -> tuple[int, dict[str, int]] | None:
        if zip_sha not in self._known:
            try:
                record = json.loads((self.folder / f"{zip_sha}.json").read_text())
                notebooks, counts = record["notebooks"], record["imports"]
                valid = (
                    isinstance(notebooks, int)
                    and isinstance(counts, dict)
                    and all(isinstance(c, int) for c in counts.values())
                )
            except (OSError, ValueError, TypeError, KeyError):
                valid = False
            self._known[zip_sha] = (notebooks, counts) if valid else None
        return self._known[zip_sha]


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
        "--cpus", f"{max(limits.cpus, STARTING_CPUS):g}",  # down to limits.cpus: warmed_up
        "--ulimit", f"nofile={limits.open_files}:{limits.open_files}",
        "--ulimit", f"nproc={limits.pids + GRADER_PIDS}:{limits.pids + GRADER_PIDS}",
        "--security-opt", "no-new-privileges",
        "--cap-drop", "ALL",
        "--cap-add", "SETUID", "--cap-add", "SETGID", "--cap-add", "KILL",
        "--entrypoint", "/opt/grader/bin/python",
        image, "-m", "worker", "serve", *worker_args(limits, student_uid), "--private", "/grading",
    ]  # fmt: skip


def worker_args(limits: Limits, student_uid: int) -> list[str]:
    """The limits a worker enforces on each submission, wherever it runs."""
    return [
        "--cell-timeout", f"{limits.cell_timeout:g}",
        "--timeout", f"{limits.timeout:g}",
        "--memory-mb", str(limits.memory_mb),
        "--processes", str(limits.pids),
        "--uid", str(student_uid),
    ]  # fmt: skip
