"""Build the one reusable grading image, with no network inside the build.

The host makes a wheelhouse with pip (resolved for the image's Python and pinned to the versions
this environment runs), the build installs from it offline, and the image tag is a hash of
everything that goes into it: rebuilt when the Containerfile, requirements or runner change,
never per assignment.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from ..files import atomic_write, cache_dir
from ..service_start import DEBIAN_BASE  # kept there: the command line reads it pre-import
from .containers import ContainerEngine, EngineError
from .zip_requirements import missing, pins, read_requirements

HERE = Path(__file__).resolve().parent
CONTAINERFILE = HERE.parent / "Containerfile"
REQUIREMENTS = HERE / "requirements.txt"
RUNNER = HERE / "runner.py"
WORKER = HERE / "worker"

IMAGE_REPO = "localhost/notebook-grader"
REGISTRY_BASE = "python:3.11-slim"  # where a registry is reachable
IMAGE_PYTHON = "3.11.2"  # Debian bookworm's; the oldest Python the image may have
PLATFORMS = (
    "manylinux_2_36_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
    "manylinux2014_x86_64", "linux_x86_64", "any",
)  # fmt: skip


def constraints_from_environment(python_version: str = IMAGE_PYTHON) -> str:
    """Pins, at this environment's versions, of every package the image's requirements need.

    The image then runs the very versions the test suite ran with. Only the requirements'
    dependency closure counts, so installing a dev tool here does not change the image; a
    package whose installed release needs a newer Python (soupsieve, at times) is left for pip
    to resolve.
    """
    requirements = REQUIREMENTS.read_text()
    # Reading ~400 packages' metadata costs ~0.5 s of every cold start; an install or removal
    # changes the time of its site-packages folder, so those and the requirements key the answer.
    folders = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    state = [f"{p}\0{os.stat(p).st_mtime_ns}" for p in folders if os.path.isdir(p)]
    key = hashlib.sha256("\n".join([python_version, requirements, *state]).encode()).hexdigest()
    cached = cache_dir() / f"constraints-{key[:16]}.txt"
    if cached.is_file():
        return cached.read_text()
    pins = []
    for dist in _closure(requirements):
        requires = dist.metadata.get("Requires-Python")
        if requires and python_version not in SpecifierSet(requires):
            continue
        pins.append(f"{dist.metadata['Name']}=={dist.version}")
    constraints = "\n".join(sorted(set(pins), key=str.lower)) + "\n"
    with contextlib.suppress(OSError):
        atomic_write(cached, constraints)
    return constraints


def _closure(requirements: str) -> list[metadata.Distribution]:
    """The installed distributions ``requirements`` pull in, extras and markers honoured."""
    todo = [Requirement(line) for line in _requirement_lines(requirements)]
    seen: dict[str, metadata.Distribution] = {}
    while todo:
        requirement = todo.pop()
        key = canonicalize_name(requirement.name)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # not installed here: pip resolves it for the image
        extras = set(requirement.extras)
        if key in seen and not extras:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            dependency = Requirement(text)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if dependency.marker is None or any(
                dependency.marker.evaluate(env) for env in environments
            ):
                todo.append(dependency)
    return list(seen.values())


def _requirement_lines(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def ensure_wheelhouse(requirements: str, constraints: str) -> Path:
    """Download (once) every wheel the image needs, for the image's Python and platform."""
    key = hashlib.sha256((requirements + constraints).encode()).hexdigest()[:16]
    wheelhouse = cache_dir() / f"wheelhouse-{key}"
    if (wheelhouse / ".complete").is_file():
        return wheelhouse
    wheelhouse.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        req, con = Path(tmp) / "requirements.txt", Path(tmp) / "constraints.txt"
        req.write_text(requirements)
        con.write_text(constraints)
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(wheelhouse),
            "--only-binary=:all:", "--python-version", IMAGE_PYTHON,
            "--implementation", "cp", "--abi", "cp311",
            *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
            "-r", str(req), "-c", str(con),
        ]  # fmt: skip
        proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise EngineError(f"pip could not make the wheelhouse:\n{proc.stderr[-3000:]}")
    (wheelhouse / ".complete").touch()
    return wheelhouse


def ensure_debian_base(engine: ContainerEngine, tag: str = DEBIAN_BASE) -> None:
    """Make a minimal Debian bookworm image with Python 3 from Debian's packages (debootstrap)."""
    if engine.image_exists(tag):
        return
    if shutil.which("debootstrap") is None:
        raise EngineError(
            f"base image {tag} is missing and debootstrap is not installed "
            "(apt-get install debootstrap); where a registry is reachable, pass"
            f" --base {REGISTRY_BASE}"
        )
    with tempfile.TemporaryDirectory(prefix="grading-rootfs-") as rootfs:
        command = [
            "debootstrap", "--variant=minbase",
            "--include=python3,python3-venv,ca-certificates,passwd", "bookworm", rootfs,
        ]  # fmt: skip
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0:
            raise EngineError(f"debootstrap failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        engine.cli(["import", "-", tag], stdin=tar.stdout, capture_output=True, text=False)
        tar.wait()


def image_tag(base: str, constraints: str) -> str:
    digest = hashlib.sha256()
    for part in (CONTAINERFILE.read_bytes(), REQUIREMENTS.read_bytes(), RUNNER.read_bytes()):
        digest.update(part)
    for path in _worker_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(base.encode())
    digest.update(constraints.encode())
    return f"{IMAGE_REPO}:{digest.hexdigest()[:12]}"


def _worker_files() -> list[Path]:
    return sorted(WORKER.glob("*.py"))


def build_offline(engine: ContainerEngine, context: Path, wheelhouse: Path, base: str, tag: str):
    """``engine build`` of ``context`` (its Containerfile) FROM ``base`` with the network off:
    the wheelhouse is copied in, and pip installs from it alone.

    The pip step reads its inputs through bind mounts, which the build cache does not see: a
    second build with other requirements would get the first one's packages. Its ``INPUTS``
    argument (a hash of requirements, constraints and wheels) is in the step's text, so other
    inputs make another step."""
    shutil.copytree(wheelhouse, context / "wheels", ignore=shutil.ignore_patterns(".complete"))
    inputs = hashlib.sha256()
    for name in ("requirements.txt", "constraints.txt"):
        inputs.update((context / name).read_bytes() + b"\0")
    for wheel in sorted((context / "wheels").iterdir()):
        inputs.update(wheel.name.encode() + b"\0")
    command = ["build", "--network", "none", "--build-arg", f"BASE={base}",
               "--build-arg", f"INPUTS={inputs.hexdigest()[:16]}",
               "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=512:512",
               "-t", tag, "-f", str(context / "Containerfile"), str(context)]  # fmt: skip
    engine.cli(command)


def ensure_image(engine: ContainerEngine, base: str = DEBIAN_BASE, *, rebuild: bool = False) -> str:
    """The grading image's tag, building it (and its base) first when missing."""
    constraints = constraints_from_environment()
    tag = image_tag(base, constraints)
    if engine.image_exists(tag) and not rebuild:
        return tag
    if base == DEBIAN_BASE:
        ensure_debian_base(engine, base)
    requirements = REQUIREMENTS.read_text()
    wheelhouse = ensure_wheelhouse(requirements, constraints)
    with tempfile.TemporaryDirectory(prefix="grading-image-") as context:
        ctx = Path(context)
        shutil.copy(CONTAINERFILE, ctx / "Containerfile")
        shutil.copy(RUNNER, ctx / "runner.py")
        (ctx / "worker").mkdir()
        for path in _worker_files():
            shutil.copy(path, ctx / "worker" / path.name)
        (ctx / "requirements.txt").write_text(requirements)
        (ctx / "constraints.txt").write_text(constraints)
        build_offline(engine, ctx, wheelhouse, base, tag)
    return tag


def image_markers() -> dict[str, str]:
    """Environment markers as the grading image's Python evaluates them."""
    markers = dict(default_environment())
    markers.update(
        python_version=".".join(IMAGE_PYTHON.split(".")[:2]),
        python_full_version=IMAGE_PYTHON,
        implementation_version=IMAGE_PYTHON,
    )
    return markers


def in_the_image(autograder_zip: Path) -> bool:
    """Whether the grading image has all the zip asks for (its submissions grade there, with
    no layer over it): the grading service then starts their worker ahead (``Handler.warm``)."""
    found = read_requirements(autograder_zip)
    if not found.pip and not found.conda:
        return True
    return not missing(found, pins(constraints_from_environment()), image_markers())
