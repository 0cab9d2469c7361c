"""Notebooks from the small text files the fixtures are written in, byte for byte the same on
every run (their bytes are part of a reference's cache key).

A cell file is a Python-looking text in "percent" form: ``# %%`` starts a code cell,
``# %% [markdown]`` or ``# %% [raw]`` another kind, and a JSON object after the marker is the
cell's metadata (``# %% {"tags": ["otter_ignore"]}``). Lines ``# notebook: {...}`` before the
first marker are merged into the notebook's metadata.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from pathlib import Path

import nbformat
from nbformat.validator import MissingIDFieldWarning

MARKER = re.compile(r"^# %%(?: \[(?P<kind>markdown|raw)\])?(?: (?P<meta>\{.*\}))?\s*$")
NOTEBOOK_META = "# notebook: "
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def cells_from_text(text: str, origin: str = "<text>") -> tuple[list[nbformat.NotebookNode], dict]:
    """The cells of a percent-form text, and the notebook metadata its header asks for."""
    cells: list[nbformat.NotebookNode] = []
    metadata: dict = {}
    kind, meta, lines = None, {}, []

    def close() -> None:
        if kind is None:
            return
        source = "\n".join(lines).strip("\n")
        maker = {
            "code": nbformat.v4.new_code_cell,
            "markdown": nbformat.v4.new_markdown_cell,
            "raw": nbformat.v4.new_raw_cell,
        }[kind]
        cells.append(maker(source, metadata=meta))  # a random id: ``stable_ids`` replaces it

    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.match(line)
        if match:
            close()
            kind = match["kind"] or "code"
            meta = json.loads(match["meta"]) if match["meta"] else {}
            lines = []
        elif kind is None:
            if line.startswith(NOTEBOOK_META):
                metadata.update(json.loads(line[len(NOTEBOOK_META) :]))
            elif line.strip():
                raise ValueError(f"{origin}:{number}: text before the first '# %%' cell marker")
        else:
            lines.append(line)
    close()
    return cells, metadata


def script_from_text(text: str, origin: str = "<text>") -> str:
    """The Python script a percent-form text stands for: its cells' code, a blank line apart.

    A script has no kinds of cell and no metadata: a text that sets any is refused rather
    than losing them silently.
    """
    cells, metadata = cells_from_text(text, origin)
    if metadata or any(c.cell_type != "code" or c.metadata for c in cells):
        raise ValueError(f"{origin}: a script holds code cells only, without metadata")
    return "\n\n".join(c.source for c in cells) + "\n"


def notebook_from_text(text: str, origin: str = "<text>") -> nbformat.NotebookNode:
    """A whole notebook (nbformat 4.5, ids by position) from a percent-form text."""
    cells, metadata = cells_from_text(text, origin)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    nb.metadata.update(metadata)
    return stable_ids(nb)


def stable_ids(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give every cell the id ``cell-<position>`` (Otter Assign makes random ones)."""
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for position, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{position}"
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The bytes written for ``nb``: nbformat's own serialisation, keys sorted, one newline.

    Otter Assign writes nbformat 4.4 notebooks (no cell ids) from a 4.4 master and they stay so;
    nbformat's warning that 4.4 cells have no id is noise here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        return (nbformat.writes(nb) + "\n").encode("utf-8")


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(notebook_bytes(nb))
    return path
