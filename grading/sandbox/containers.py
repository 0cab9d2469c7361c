"""Podman and Docker through their command lines: the same verbs serve both.

Each submission gets a fresh container from the one grading image: network cut, read-only root
with tmpfs scratch, memory / pids / CPU limits and explicit ulimits, the autograder zip and the
submission folder (the notebook and the files beside it) mounted read-only, and one writable
output folder for the results files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import GradingError
from ..files import atomic_write, cache_dir
from ..user_folder import private_folder
from .limits import GRADER_PIDS, Limits
from .outcome import SandboxRun
from .staging import stage_submission

# `podman/docker run` exit codes that mean the engine failed, not the command inside.
ENGINE_FAILURE_CODES = (125, 126, 127)
OWNER_LABEL = "org.notebook-grading.owner"


class EngineError(GradingError, RuntimeError):
    """The container engine itself failed or is missing (not the submission)."""


def user_folder() -> Path:
    """This user's private (0700) folder: the service's and the warm command line's sockets,
    and the container engine's working folder."""
    try:
        return private_folder()
    except PermissionError as error:
        raise EngineError(str(error)) from None


@dataclass
class ContainerEngine:
    """A container CLI (``podman`` or ``docker``) and the flags this machine needs."""

    name: str
    executable: str
    global_flags: tuple[str, ...] = ()
    isolation: str = "container"

    @property
    def image_engine(self) -> ContainerEngine:
        return self

    def close(self) -> None:
        """Nothing stays running between submissions (``--mode otter``)."""

    @property
    def workdir(self) -> Path:
        """Where the engine's commands run. Podman's conmon leaves an empty ``oom`` file in its
        working folder when a container runs out of memory: never the user's folder (nor ``/``),
        nor a public one, where a planted link would point root's write elsewhere."""
        return user_folder()

    @classmethod
    def find(cls, name: str) -> ContainerEngine | None:
        """The engine if its CLI exists and can reach an engine, else None."""
        executable = shutil.which(name)
        if executable is None:
            return None
        engine = cls(name, executable)
        if name == "podman":
            host = _podman_host(engine)
            if host is None:
                return None
            engine.global_flags = _podman_runtime_flags(host)
            return engine
        probe = engine.cli(["info", "--format", "{{json .}}"], check=False, timeout=60)
        return engine if probe.returncode == 0 else None

    def cli(
        self, args: list[str], *, check: bool = True, timeout: float | None = None, **kwargs
    ) -> subprocess.CompletedProcess:
        command = [self.executable, *self.global_flags, *args]
        kwargs.setdefault("cwd", self.workdir)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        proc = subprocess.run(command, timeout=timeout, check=False, **kwargs)
        if check and proc.returncode != 0:
            stderr = proc.stderr if isinstance(proc.stderr, str) else ""
            raise EngineError(f"{' '.join(command[:4])} ... failed: {stderr.strip()[-1500:]}")
        return proc

    def reap(self, owner: str) -> int:
        """Remove containers left by a run of ``owner`` that was killed; returns how many."""
        listed = self.cli(
            ["ps", "--all", "--quiet", "--filter", f"label={OWNER_LABEL}={owner}"], check=False
        )
        ids = listed.stdout.split()
        if ids:
            self.cli(["rm", "--force", *ids], check=False, timeout=120)
        return len(ids)

    def image_exists(self, tag: str) -> bool:
        return self.cli(["image", "inspect", tag], check=False).returncode == 0

    def run_submission(
        self,
        image: str,
        autograder_zip: Path,
        submission: Path,
        out_dir: Path,
        limits: Limits,
        owner: str = "",
        files: Mapping[str, Path] | None = None,
        keep_outputs: Sequence[str] | None = None,  # otter run keeps the executed notebook
    ) -> SandboxRun:
        """Grade one notebook in a fresh container; the results land in ``out_dir``.

        ``owner`` labels the container so that a later run can reap it if this process dies;
        ``files`` (name -> path) go into the submission folder beside the notebook.
        """
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="submission-", dir=out_dir.parent) as folder:
            stage_submission(Path(folder), submission, files)
            return self._run_container(image, autograder_zip, Path(folder), out_dir, limits, owner)

    def _run_container(
        self,
        image: str,
        autograder_zip: Path,
        submission_dir: Path,
        out_dir: Path,
        limits: Limits,
        owner: str,
    ) -> SandboxRun:
        name = f"grading-{uuid.uuid4().hex[:12]}"
        args = [
            "run", "--rm", "--name", name, "--label", f"{OWNER_LABEL}={owner}",
            "--network", "none",
            "--read-only",
            "--tmpfs", f"/tmp:rw,exec,size={limits.scratch_mb}m",
            "--tmpfs", f"/autograder:rw,exec,size={limits.scratch_mb}m",
            "--tmpfs", "/grading:rw,size=64m",  # the runner's own temporary files
            "--memory", f"{limits.memory_mb}m", "--memory-swap", f"{limits.memory_mb}m",
            "--pids-limit", str(limits.pids + GRADER_PIDS),
            "--cpus", str(limits.cpus),
            "--ulimit", f"nofile={limits.open_files}:{limits.open_files}",
            "--ulimit", f"nproc={limits.pids + GRADER_PIDS}:{limits.pids + GRADER_PIDS}",
            "--security-opt", "no-new-privileges",
            "--cap-drop", "ALL",
            "-v", f"{autograder_zip.resolve()}:/in/autograder.zip:ro",
            "-v", f"{submission_dir.resolve()}:/in/submission:ro",
            "-v", f"{out_dir.resolve()}:/out:rw",
            image, "--cell-timeout", str(limits.cell_timeout), "--private-tmp", "/grading",
        ]  # fmt: skip
        started = time.monotonic()
        try:
            proc = self.cli(args, check=False, timeout=limits.timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as expired:
            self.cli(["rm", "--force", name], check=False, timeout=60)
            return SandboxRun(
                timed_out=True,
                returncode=None,
                log=_text(expired.stdout) + _text(expired.stderr),
                seconds=time.monotonic() - started,
            )
        if proc.returncode in ENGINE_FAILURE_CODES:
            raise EngineError(f"{self.name} could not run the container: {proc.stderr[-1500:]}")
        return SandboxRun(
            timed_out=False,
            returncode=proc.returncode,
            log=proc.stdout + proc.stderr,
            seconds=time.monotonic() - started,
        )


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


# What podman's `info` depends on: its configuration (containers.conf picks the OCI runtime),
# its storage's, and the runtimes it may pick; the machine's cgroups change only with a boot.
PODMAN_CONFIGS = (
    "/usr/share/containers/containers.conf", "/etc/containers/containers.conf",
    "/usr/share/containers/containers.conf.d", "/etc/containers/containers.conf.d",
    "/usr/share/containers/storage.conf", "/etc/containers/storage.conf",
    "/etc/containers/libpod.conf", "~/.config/containers/containers.conf",
    "~/.config/containers/containers.conf.d", "~/.config/containers/storage.conf",
    "~/.config/containers/libpod.conf",
)  # fmt: skip
PODMAN_VARIABLES = ("CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "CONTAINER_HOST",
                    "CONTAINER_CONNECTION", "CONTAINERS_CONF_OVERRIDE")  # fmt: skip
PODMAN_RUNTIMES = ("crun", "runc", "kata", "runsc", "youki", "krun")
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
CGROUPS = Path("/sys/fs/cgroup")


def _podman_host(engine: ContainerEngine) -> dict | None:
    """What `podman info` says of the runtime and the cgroups (None if it fails; {} if it
    cannot be read), from the cache while nothing it depends on changed: the command costs
    ~0.3 s of a cold start (it asks dpkg for the versions of conmon, runc and slirp4netns)."""
    digest = hashlib.sha256("\0".join(_podman_state(engine.executable)).encode()).hexdigest()
    cached = cache_dir() / "podman-info.json"
    try:
        record = json.loads(cached.read_text())
        if record["key"] == digest and isinstance(record["info"]["host"], dict):
            return record["info"]["host"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    probe = engine.cli(["info", "--format", "{{json .}}"], check=False, timeout=60)
    if probe.returncode != 0:
        return None
    try:
        host = json.loads(probe.stdout).get("host", {})
        kept = {"ociRuntime": {"name": host.get("ociRuntime", {}).get("name", "")},
                "cgroupVersion": host.get("cgroupVersion")}  # fmt: skip
    except (ValueError, AttributeError):
        return {}  # not cached: podman is asked again next time
    with contextlib.suppress(OSError):  # a read-only home: ask podman again next time
        atomic_write(cached, json.dumps({"key": digest, "info": {"host": kept}}))
    return kept


def _podman_state(executable: str) -> list[str]:
    """The identity of everything ``podman info``'s runtime and cgroup answer depends on."""
    paths = [executable, *(shutil.which(name) or name for name in PODMAN_RUNTIMES)]
    config_home = os.environ.get("XDG_CONFIG_HOME")
    named = [os.environ[k] for k in PODMAN_VARIABLES if "CONF" in k and os.environ.get(k)]
    for config in [*PODMAN_CONFIGS, *named]:
        if config.startswith("~/.config/") and config_home:
            config = os.path.join(config_home, config.removeprefix("~/.config/"))
        folder = Path(config).expanduser()
        paths.append(str(folder))
        if folder.is_dir():
            paths += sorted(str(p) for p in folder.iterdir())
    cgroups = [(CGROUPS / name).exists() for name in ("cgroup.controllers", "unified")]
    state = [f"euid {os.geteuid()}", f"cgroup v2, hybrid: {cgroups}"]  # times change: not them
    state += [f"{k}={os.environ.get(k)}" for k in PODMAN_VARIABLES]
    for path in paths:
        try:
            info = os.stat(path)
            state.append(f"{path} {info.st_dev} {info.st_ino} {info.st_size} {info.st_mtime_ns}")
        except OSError:
            state.append(f"{path} -")
    try:
        state.append(BOOT_ID.read_text().strip())
    except OSError:
        state.append("no boot id")
    return state


def _podman_runtime_flags(host: dict) -> tuple[str, ...]:
    """crun refuses hybrid cgroup v1 hosts; runc works there (see shared/notes/containers.md).
    ``host``: the ``host`` part of ``podman info`` (``_podman_host``)."""
    runtime = host.get("ociRuntime", {}).get("name", "")
    if runtime == "crun" and host.get("cgroupVersion") == "v1" and shutil.which("runc"):
        return ("--runtime", "runc")
    return ()
