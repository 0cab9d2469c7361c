"""Builders for the ingest tests: small valid notebooks and zips written in the test itself."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest


def notebook_text(source: str = "x = 1") -> str:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.id = hashlib.sha256(source.encode()).hexdigest()[:8]  # same source, same bytes
    nb.cells.append(cell)
    return nbformat.writes(nb)


@pytest.fixture
def nb_bytes() -> Callable[..., bytes]:
    """``nb_bytes("y = 2")``: the bytes of a valid one-cell notebook."""
    return lambda source="x = 1": notebook_text(source).encode()


@pytest.fixture
def make_zip(tmp_path: Path) -> Callable[..., Path]:
    """``make_zip("a.zip", {"member": bytes | str | ZipInfo-tuple})`` -> path under tmp_path.

    A value may be ``(ZipInfo, data)`` to control the member's header (symlinks, odd names).
    """

    def build(name: str, members: dict[str, object]) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member, data in members.items():
                if isinstance(data, tuple):
                    info, payload = data
                    zf.writestr(info, payload)
                else:
                    zf.writestr(member, data)
        return path

    return build


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path / "work"
