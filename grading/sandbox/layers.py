"""An assignment's own packages as a layer over the grading image, built once and reused.

The tag is a hash of the grading image's tag, the packages and the layer's recipe
(``grading/Containerfile.assignment``), so every later ``grade`` of any zip that asks for the
same packages finds it. Like the grading image, the layer builds with the network off from a
wheelhouse the host downloads with pip for the image's Python (``image.ensure_wheelhouse``).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from .containers import ContainerEngine
from .image import IMAGE_REPO, build_offline

LAYER_CONTAINERFILE = Path(__file__).resolve().parent.parent / "Containerfile.assignment"
LAYER_REPO = f"{IMAGE_REPO}-assignment"


def layer_tag(base: str, requirements: list[str]) -> str:
    digest = hashlib.sha256(LAYER_CONTAINERFILE.read_bytes())
    digest.update(base.encode())
    for line in sorted(requirements):
        digest.update(b"\0" + line.encode())
    return f"{LAYER_REPO}:{digest.hexdigest()[:12]}"


def build_layer(
    engine: ContainerEngine,
    base: str,
    tag: str,
    requirements: list[str],
    constraints: str,
    wheelhouse: Path,
) -> None:
    """``FROM base``, pip-install ``requirements`` from ``wheelhouse`` under ``constraints``."""
    with tempfile.TemporaryDirectory(prefix="grading-layer-") as context:
        ctx = Path(context)
        shutil.copy(LAYER_CONTAINERFILE, ctx / "Containerfile")
        (ctx / "requirements.txt").write_text("\n".join(requirements) + "\n")
        (ctx / "constraints.txt").write_text(constraints)
        build_offline(engine, ctx, wheelhouse, base, tag)
