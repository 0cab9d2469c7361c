"""What an autograder zip asks to have installed, and what of it the grading environment lacks.

Otter's zip carries the assignment's environment: ``environment.yml`` (Otter 7 writes it always:
conda dependencies such as ``python=3.x``, ``pip`` and ``jupyter_server``, then a ``pip:`` list
that starts with ``otter-grader[grading,plugins]==<version>`` and goes on with the instructor's
requirements) and, from older Otter, ``requirements.txt`` (to which an old ``environment.yml``
may point with ``-r requirements.txt``). ``otter grade`` builds an image per zip from them;
here the grading environment already holds Otter and the usual packages, so only what it lacks
is installed (``environment.py``), and most assignments need nothing at all.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import GradingError

OTTER = "otter-grader"  # the grading environment's own, pinned: never the zip's
# Conda-only dependencies that a Python environment with pip and Jupyter's kernel satisfies.
CONDA_SATISFIED = frozenset({"python", "pip", "jupyter_server", "nb_conda_kernels", "ipykernel"})
PIP_FILE = "requirements.txt"  # older Otter's; an old environment.yml points at it
ENVIRONMENT_FILE = "environment.yml"


class RequirementsError(GradingError, ValueError):
    """The zip asks for something this grader cannot install."""


@dataclass(frozen=True)
class ZipRequirements:
    """The zip's requirements as written (Otter's own line left out)."""

    zip: Path
    pip: tuple[str, ...]  # PEP 508 requirements
    conda: tuple[str, ...]  # conda match specs beyond those a Python environment satisfies


def read_requirements(autograder_zip: Path) -> ZipRequirements:
    """The pip and conda requirements of ``requirements.txt`` and ``environment.yml``."""
    try:
        with zipfile.ZipFile(autograder_zip) as zf:
            reader = _Reader(zf, autograder_zip)
            pip = reader.pip_file(PIP_FILE, set()) if PIP_FILE in reader.members else []
            env_pip, conda = reader.environment()
    except (OSError, zipfile.BadZipFile) as error:
        raise RequirementsError(f"{autograder_zip}: cannot read the zip: {error}") from None
    pip += [line for line in env_pip if line not in pip]
    parsed = [(line, _parse(line, autograder_zip)) for line in pip]
    kept = tuple(line for line, req in parsed if canonicalize_name(req.name) != OTTER)
    return ZipRequirements(autograder_zip, kept, tuple(conda))


def _parse(line: str, autograder_zip: Path) -> Requirement:
    try:
        return Requirement(line)
    except InvalidRequirement as error:
        raise RequirementsError(
            f"{autograder_zip}: the requirement {line!r} is not one pip understands: {error}"
        ) from None


class _Reader:
    """One zip's requirement files; ``-r other.txt`` is followed to that member of the zip."""

    def __init__(self, zf: zipfile.ZipFile, path: Path) -> None:
        self.zf, self.path = zf, path
        self.members = set(zf.namelist())

    def pip_file(self, name: str, seen: set[str]) -> list[str]:
        seen.add(name)
        lines: list[str] = []
        for raw in self.zf.read(name).decode("utf-8", "replace").splitlines():
            line = re.sub(r"(^|\s)#.*$", "", raw).strip()
            if line:
                lines += self.pip_line(line, name, seen)
        return lines

    def pip_line(self, line: str, where: str, seen: set[str]) -> list[str]:
        included = re.fullmatch(r"(?:-r|--requirement)(?:\s+|=)(\S+)", line)
        if included:
            member = included.group(1)
            if member not in self.members:
                raise RequirementsError(
                    f"{self.path}: {where} includes {member}, which is not in the zip"
                )
            return [] if member in seen else self.pip_file(member, seen)
        if line.startswith("-"):
            raise RequirementsError(
                f"{self.path}: {where} has the pip option {line!r}; this grader installs "
                "requirements only (name and version), from the package index it is set up with"
            )
        return [line]

    def environment(self) -> tuple[list[str], list[str]]:
        """``environment.yml``'s pip list, and its conda dependencies that need something."""
        if ENVIRONMENT_FILE not in self.members:
            return [], []
        import yaml

        try:
            environment = yaml.safe_load(self.zf.read(ENVIRONMENT_FILE)) or {}
        except yaml.YAMLError as error:
            raise RequirementsError(
                f"{self.path}: {ENVIRONMENT_FILE} is not YAML: {error}"
            ) from None
        dependencies = environment.get("dependencies") if isinstance(environment, dict) else None
        pip: list[str] = []
        conda: list[str] = []
        for dependency in dependencies or []:
            if isinstance(dependency, dict):
                for line in dependency.get("pip") or []:
                    where = f"{ENVIRONMENT_FILE}'s pip list"
                    pip += self.pip_line(str(line).strip(), where, set())
            elif _conda_name(str(dependency)) not in CONDA_SATISFIED:
                conda.append(str(dependency).strip())
        return pip, conda


def _conda_name(spec: str) -> str:
    match = re.match(r"\s*(?:[\w.-]+::)?([A-Za-z0-9_.-]+)", spec)
    return match.group(1).lower() if match else spec


def conda_as_pip(spec: str) -> str | None:
    """A conda match spec as a pip requirement (``numpy=1.26`` is ``numpy==1.26.*``), or None
    if it is not of a form both share."""
    match = re.fullmatch(r"\s*(?:[\w.-]+::)?([A-Za-z0-9_.-]+)\s*(\S*)(?:\s+\S+)?\s*", spec)
    if not match:
        return None
    name, version = match.groups()
    if not version:
        return name
    if version[0] in "<>!~" or version.startswith("=="):
        return f"{name}{version}"
    exact = version.lstrip("=").split("=")[0]  # `=1.26` is fuzzy in conda; `=1.26.4=build` not
    fuzzy = version.startswith("=") and version.count("=") == 1 and not exact.endswith("*")
    return f"{name}=={exact}.*" if fuzzy else f"{name}=={exact}"


def missing(
    found: ZipRequirements, installed: Mapping[str, str], markers: Mapping[str, str]
) -> list[Requirement]:
    """The requirements the environment does not satisfy as it is: not installed, or installed
    at a version outside the specifier. ``installed`` maps canonical names to versions (the
    constraints the grading image is built with, or this environment's distributions); a conda
    dependency counts if it names an installed Python package, and is refused otherwise."""
    wanted = [_parse(line, found.zip) for line in found.pip]
    for spec in found.conda:
        line = conda_as_pip(spec)
        if line is None or canonicalize_name(_parse(line, found.zip).name) not in installed:
            raise RequirementsError(
                f"{found.zip}: {ENVIRONMENT_FILE} asks conda for {spec!r}, which this grader "
                "cannot install: it runs the grading image's Python and installs pip packages "
                "only (a Python package belongs in the pip: list)"
            )
        wanted.append(_parse(line, found.zip))
    lacking: list[Requirement] = []
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate(dict(markers)):
            continue
        version = installed.get(canonicalize_name(requirement.name))
        satisfied = (
            version is not None
            and not requirement.extras
            and not requirement.url
            and requirement.specifier.contains(version, prereleases=True)
        )
        if not satisfied and str(requirement) not in map(str, lacking):
            lacking.append(requirement)
    return lacking


def pins(constraints: str) -> dict[str, str]:
    """``name==version`` lines as canonical name -> version."""
    found = {}
    for line in constraints.splitlines():
        name, sep, version = line.partition("==")
        if sep:
            found[canonicalize_name(name.strip())] = version.strip()
    return found
