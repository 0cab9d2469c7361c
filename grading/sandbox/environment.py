"""The environment one assignment is graded in: the grading image (or this host's Python) as it
is, or that plus the packages the autograder zip asks for and it lacks.

Most assignments need nothing more: a requirement the environment already satisfies (same
package, a version inside the specifier) adds nothing, so they keep the base image and its warm
workers. The rest get, once, a layer over the grading image (``layers.py``) or, without
containers, a venv over this environment (``venvs.py``), both keyed by a hash of (base,
packages) and reused by every later ``grade`` that asks for the same packages.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .containers import ContainerEngine, EngineError
from .image import constraints_from_environment, ensure_wheelhouse, image_markers
from .layers import build_layer, layer_tag
from .service import ServiceEngine
from .venvs import build_venv, venv_folder, venv_python
from .zip_requirements import (
    RequirementsError,
    ZipRequirements,
    conda_as_pip,
    missing,
    pins,
    read_requirements,
)

if TYPE_CHECKING:
    from . import Engine


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def assignment_environment(
    autograder_zip: Path, sandbox: Engine, image: str | None, say: Callable[[str], None] = _say
) -> str | None:
    """What ``sandbox.run_submission`` takes as ``image`` for this zip: the grading image's tag
    or a layer's over it; on the host None (this Python) or the Python of the zip's venv."""
    found = read_requirements(autograder_zip)
    if not found.pip and not found.conda:
        return image
    if sandbox.image_engine is not None:
        return _layer(found, image, lambda: sandbox.image_engine, say)
    if isinstance(sandbox, ServiceEngine) and sandbox.container:
        return _layer(found, sandbox.image, lambda: _find(sandbox.container), say)
    return _venv(found, image, say)


def _find(name: str) -> ContainerEngine:
    engine = ContainerEngine.find(name)
    if engine is None:
        raise EngineError(f"{name} is not installed or cannot reach its engine")
    return engine


def _layer(
    found: ZipRequirements,
    base: str | None,
    engine_of: Callable[[], ContainerEngine],
    say: Callable[[str], None],
) -> str | None:
    installed = pins(constraints_from_environment())
    lacking = missing(found, installed, image_markers())
    if not lacking or base is None:
        return base
    requirements = sorted(str(r) for r in lacking)
    tag = layer_tag(base, requirements)
    engine = engine_of()
    if engine.image_exists(tag):
        return tag
    say(f"building the environment of {found.zip}: {', '.join(requirements)} (once)")
    constraints = constrained(installed, lacking)
    try:
        wheelhouse = ensure_wheelhouse("\n".join(requirements) + "\n", constraints)
    except EngineError as error:
        raise unresolvable(found.zip, lacking, str(error)) from None
    build_layer(engine, base, tag, requirements, constraints, wheelhouse)
    return tag


def _venv(found: ZipRequirements, python: str | None, say: Callable[[str], None]) -> str | None:
    names = [Requirement(line).name for line in found.pip]
    names += [Requirement(line).name for spec in found.conda if (line := conda_as_pip(spec))]
    lacking = missing(found, _installed(names), default_environment())
    if not lacking:
        return python
    requirements = sorted(str(r) for r in lacking)
    base = f"{sys.executable}\0{sys.version}"
    key = hashlib.sha256("\0".join([base, *requirements]).encode()).hexdigest()[:16]
    folder = venv_folder(key)
    if venv_python(folder).exists():
        return str(venv_python(folder))
    say(f"building the environment of {found.zip}: {', '.join(requirements)} (once)")
    here = {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if d.metadata["Name"]
    }
    pip = build_venv(folder, requirements, constrained(here, lacking))
    if pip.returncode != 0:
        raise unresolvable(found.zip, lacking, pip.stderr)
    return str(venv_python(folder))


def _installed(names: list[str]) -> dict[str, str]:
    """The versions of ``names`` installed here (only those: reading every package's metadata
    costs half a second)."""
    found = {}
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[canonicalize_name(name)] = metadata.version(name)
    return found


def constrained(installed: dict[str, str], lacking: list[Requirement]) -> str:
    """Constraints for installing ``lacking``: every installed package keeps its version (Otter
    among them: an assignment cannot replace it) but those the assignment names itself."""
    named = {canonicalize_name(r.name) for r in lacking}
    lines = [f"{name}=={version}" for name, version in sorted(installed.items())]
    return "\n".join(line for line in lines if line.partition("==")[0] not in named) + "\n"


def unresolvable(
    autograder_zip: Path, lacking: list[Requirement], pip_output: str
) -> RequirementsError:
    """pip's failure as the user's: which of the zip's requirements it could not install."""
    complaints = "\n".join(x for x in pip_output.splitlines() if x.startswith("ERROR"))
    named = [str(r) for r in lacking if re.search(rf"\b{re.escape(r.name)}\b", complaints, re.I)]
    what = ", ".join(named or [str(r) for r in lacking])
    detail = (complaints or pip_output.strip())[-1500:]
    return RequirementsError(
        f"{autograder_zip}: pip cannot install the requirement {what}:\n{detail}"
    )
