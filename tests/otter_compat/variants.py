"""A submissions folder's files: the ones written out whole and the ones described as a change.

Most submissions of a generated suite differ from its full notebook by a line or two, so only
the genuinely different files are written out (``<name>.nb.py``, ``<name>.script.py``, the
files of a ``<name>.zip/`` folder); every other one is an entry of the folder's
``variants.yaml``, keyed by the path of the file it stands for and made from the text of a
written file, its ``base``::

    fails_even.nb.py:
      base: passes_all.nb.py
      why: is_even answers the opposite
      replace:
      - ["n % 2 == 0", "n % 2 == 1"]

The changes, applied to the base's percent-form text in this order (marker lines, cell metadata
and ``# notebook:`` lines are text like any other):

- ``keep_cells: N``: only the base's first N cells;
- ``drop_cells: [text, ...]``: every cell whose text (marker line included) holds ``text``;
- ``replace: [[old, new], ...]``: ``old``, found exactly once, becomes ``new``;
- ``append: text``: text added at the end (new cells, each opening with a ``# %%`` line).

A change that changes nothing (a ``replace`` whose ``old`` is not found exactly once, a
``drop_cells`` text in no cell, an unknown key) fails the build naming the variant. A
``.script.py`` variant of a ``.nb.py`` base is its code cells as a script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from .notebooks import MARKER, script_from_text

VARIANTS_FILE = "variants.yaml"
FORMS = (".nb.py", ".script.py")  # what a variant and its base may be
KEYS = {"base", "why", "keep_cells", "drop_cells", "replace", "append"}


@dataclass(frozen=True)
class SubmissionFile:
    """One file of a submissions folder, written out or made from a variant."""

    data: bytes
    origin: str  # where it is written: for error messages
    why: str = ""


def submission_files(folder: Path) -> dict[str, SubmissionFile]:
    """Relative POSIX path -> file, for every file of ``folder`` and every variant it lists."""
    described = folder / VARIANTS_FILE
    written = {
        path.relative_to(folder).as_posix(): SubmissionFile(path.read_bytes(), str(path))
        for path in folder.rglob("*")
        if path.is_file() and path != described
    }
    entries = (yaml.safe_load(described.read_text()) if described.is_file() else None) or {}
    if not isinstance(entries, dict):
        raise ValueError(f"{described}: a mapping of file names to variants")
    files = dict(written)
    for name, entry in entries.items():
        origin = f"{described}: {name}"
        if name in written:
            raise ValueError(f"{origin}: a file of that name is written out too: keep one")
        text = variant_text(name, entry, written, origin)
        files[name] = SubmissionFile(text.encode(), origin, entry["why"])
    return dict(sorted(files.items(), key=lambda item: PurePosixPath(item[0])))


def variant_text(name: str, entry: object, written: dict[str, SubmissionFile], origin: str) -> str:
    """The text of the file the variant ``name`` stands for."""
    if not isinstance(entry, dict) or not {"base", "why"} <= set(entry) <= KEYS:
        raise ValueError(f"{origin}: needs 'base' and 'why', and only {sorted(KEYS)}")
    _text(entry["why"], "why", origin)
    base = entry["base"]
    if not isinstance(base, str) or base not in written:
        raise ValueError(f"{origin}: its base {base!r} is no file written out in this folder")
    forms = (_form(base, origin), _form(name, origin))
    text = changed(written[base].data.decode(), entry, origin)
    if forms == (".nb.py", ".script.py"):
        return script_from_text(text, origin)
    if forms[0] != forms[1]:
        raise ValueError(f"{origin}: a {forms[0]} base cannot become a {forms[1]} file")
    return text


def changed(text: str, entry: dict, origin: str) -> str:
    """``text`` with the variant's changes applied, each of which must change something."""
    header, cells = split_cells(text)
    if "keep_cells" in entry:
        keep = entry["keep_cells"]
        if not isinstance(keep, int) or not 0 < keep < len(cells):
            raise ValueError(f"{origin}: keep_cells must be 1 to {len(cells) - 1}, not {keep!r}")
        cells = cells[:keep]
    for needle in _strings(entry.get("drop_cells", []), "drop_cells", origin):
        kept = [cell for cell in cells if needle not in cell]
        if len(kept) == len(cells):
            raise ValueError(f"{origin}: drop_cells: no cell holds {needle!r}")
        cells = kept
    text = header + "".join(cells)
    for pair in entry.get("replace", []):
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[1], str):
            raise ValueError(f"{origin}: replace takes [old, new] pairs of texts, not {pair!r}")
        old, new = _text(pair[0], "replace", origin), pair[1]
        found = text.count(old)
        if found != 1:
            raise ValueError(f"{origin}: replace: {old!r} is found {found} times, not once")
        text = text.replace(old, new)
    if "append" in entry:
        added = _text(entry["append"], "append", origin)
        text += ("" if text.endswith("\n") else "\n") + added
    return text


def split_cells(text: str) -> tuple[str, list[str]]:
    """The lines before the first cell marker, and each cell's text from its marker line on."""
    header: list[str] = []
    cells: list[list[str]] = []
    for line in text.splitlines(keepends=True):
        if MARKER.match(line.rstrip("\n")):
            cells.append([line])
        elif cells:
            cells[-1].append(line)
        else:
            header.append(line)
    return "".join(header), ["".join(cell) for cell in cells]


def _form(name: str, origin: str) -> str:
    """Which kind of written file ``name`` is, one of ``FORMS``."""
    for form in FORMS:
        if name.endswith(form):
            return form
    raise ValueError(f"{origin}: {name!r}: a variant and its base are {' or '.join(FORMS)} files")


def _strings(values: object, key: str, origin: str) -> list[str]:
    if not isinstance(values, list):
        raise ValueError(f"{origin}: {key} takes a list of texts, not {values!r}")
    return [_text(value, key, origin) for value in values]


def _text(value: object, key: str, origin: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{origin}: {key} takes non-empty texts, not {value!r}")
    return value
