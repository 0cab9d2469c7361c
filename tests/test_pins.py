"""Every package pinned in more than one place has one version: the project's dependencies, the
grading image's requirements and each assignment's requirements (what Otter's own autograder
installs) agree, so a notebook is graded with the versions it was tested with."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from grading.assignments import discover

ROOT = Path(__file__).resolve().parents[1]


def pins(lines: list[str], where: str) -> dict[str, tuple[str, str]]:
    """package -> (version, file) for every ``name==version`` line."""
    found = {}
    for line in lines:
        text = line.split("#")[0].strip()
        if text:
            requirement = Requirement(text)
            (spec,) = requirement.specifier or [None]
            if spec is not None and spec.operator == "==":
                found[canonicalize_name(requirement.name)] = (spec.version, where)
    return found


def pin_files() -> list[dict[str, tuple[str, str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [
        pins(project["dependencies"], "pyproject.toml dependencies"),
        pins(
            [d for deps in project["optional-dependencies"].values() for d in deps],
            "pyproject.toml extras",
        ),
    ]
    image = ROOT / "grading" / "sandbox" / "requirements.txt"
    found.append(pins(image.read_text().splitlines(), str(image.relative_to(ROOT))))
    for assignment in discover(ROOT / "master", ROOT / "dist"):
        path = assignment.master_dir / "requirements.txt"
        if path.is_file():
            found.append(pins(path.read_text().splitlines(), str(path.relative_to(ROOT))))
    return found


def test_a_package_pinned_twice_has_one_version():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for file_pins in pin_files():
        for name, (version, where) in file_pins.items():
            first = seen.setdefault(name, (version, where))
            if first[0] != version:
                clashes.append(f"{name}: {first[0]} in {first[1]}, {version} in {where}")
    assert clashes == []


@pytest.mark.parametrize(
    "assignment", discover(ROOT / "master", ROOT / "dist"), ids=lambda a: a.name
)
def test_an_assignments_packages_are_in_the_grading_image(assignment):
    """The worker image grades every assignment: it must hold what each one requires."""
    path = assignment.master_dir / "requirements.txt"
    image = pins((ROOT / "grading/sandbox/requirements.txt").read_text().splitlines(), "image")
    needed = pins(path.read_text().splitlines(), str(path)) if path.is_file() else {}
    assert set(needed) <= set(image), f"add {sorted(set(needed) - set(image))} to the image"
