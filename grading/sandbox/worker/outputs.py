"""The display outputs of hand-graded cells, from the grading run: checked, bounded nbformat v4.

A hand grader looks at a figure the grader's own run of the student's code drew, not at what
the submitted notebook saved (a student who never ran it saved nothing; one who pasted a
picture into the JSON saved that). The student process computes these outputs and is trusted
with nothing: what it sends is rebuilt here field by field from an allow-list (streams, errors,
``display_data``/``execute_result`` of ``text/plain``, ``text/html`` and ``image/png`` that
really is a PNG), and bounded per output, per cell and per submission. What is cut is said in
an output of our own (``metadata.grading_note``), which no student output can carry.

Used by the worker's grader on the student process's replies and by the host (``results``) on
what a sandbox left behind, ``grading.json`` or ``otter run``'s executed notebook, so both paths
give the gradebook the same thing. Imports nothing from ``grading``: it runs in the worker.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

MIME_TYPES = ("image/png", "text/html", "text/plain")  # all a hand grader needs of a figure cell
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_TEXT = 100_000  # characters of one text output (a stream, text/plain, text/html)
MAX_IMAGE = 1_500_000  # base64 characters of one PNG (a 3-panel figure at 100 dpi is ~60 k)
MAX_OUTPUTS = 30  # outputs kept per cell
MAX_SUBMISSION = 3_000_000  # characters of outputs kept per submission, all cells together
MAX_CELLS = 200  # cells whose outputs are kept per submission
MAX_NAME = 200  # an error's name
MAX_VALUE = 2_000  # an error's message
CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # nbformat 4.5's cell ids
BEGIN_QUESTION = re.compile(r"<!--\s*BEGIN QUESTION\s*-->", re.I)  # otter/export/utils.py
END_QUESTION = re.compile(r"<!--\s*END QUESTION\s*-->", re.I)
NOTE_KEY = "grading_note"


def note(text: str) -> dict:
    """An output of ours saying what was not kept (rendered outside the student's content)."""
    return {"output_type": "display_data", "data": {"text/plain": text},
            "metadata": {NOTE_KEY: True}}  # fmt: skip


def is_note(output: Any) -> bool:
    return isinstance(output, dict) and (output.get("metadata") or {}).get(NOTE_KEY) is True


class Budget:
    """What is left of the submission's characters; outputs past it are not kept."""

    def __init__(self, total: int = MAX_SUBMISSION) -> None:
        self.left = total

    def take(self, size: int) -> bool:
        if size > self.left:
            self.left = 0
            return False
        self.left -= size
        return True


def clean_cell(raw: Any, budget: Budget, *, notes_trusted: bool = False) -> list[dict]:
    """One cell's outputs, rebuilt from ``raw`` (anything): only well-formed, bounded outputs,
    consecutive streams of one name merged as Jupyter saves them, and a note for each cut.
    ``notes_trusted``: ``raw`` comes from this module (the worker's ``grading.json``), so its
    notes are kept; from anywhere else a note is dropped like any unknown output."""
    kept: list[dict] = []
    cuts: list[str] = []
    items = raw if isinstance(raw, list) else []
    for item in items[: MAX_OUTPUTS * 4]:
        if notes_trusted and is_note(item):
            text = _text(item["data"].get("text/plain"))[:MAX_VALUE]
            if text and budget.take(len(text)):
                kept.append(note(text))
            continue
        output, why = _clean_output(item)
        if why:
            cuts.append(why)
        if output is None:
            continue
        if (
            output["output_type"] == "stream"
            and kept
            and kept[-1]["output_type"] == "stream"
            and kept[-1]["name"] == output["name"]
        ):
            merged = kept[-1]["text"] + output["text"]
            if len(merged) > MAX_TEXT:
                cuts.append(f"{output['name']} cut to {MAX_TEXT:,} characters")
                merged = merged[:MAX_TEXT]
            if not budget.take(len(merged) - len(kept[-1]["text"])):
                cuts.append("outputs past this submission's limit not kept")
                break
            kept[-1]["text"] = merged
            continue
        if len([o for o in kept if not is_note(o)]) >= MAX_OUTPUTS:
            cuts.append(f"outputs past the first {MAX_OUTPUTS} of this cell not kept")
            break
        if not budget.take(_size(output)):
            cuts.append(f"outputs past this submission's {MAX_SUBMISSION:,} characters not kept")
            break
        kept.append(output)
    if len(items) > MAX_OUTPUTS * 4:
        cuts.append(f"outputs past the first {MAX_OUTPUTS} of this cell not kept")
    for why in dict.fromkeys(cuts):
        kept.append(note(f"[grading run: {why}]"))
    return kept


def clean_cells(raw: Any, *, notes_trusted: bool = False) -> dict[str, list[dict]]:
    """``{cell id: outputs}`` rebuilt from ``raw``: valid ids only, bounded as a whole."""
    if not isinstance(raw, dict):
        return {}
    budget = Budget()
    found: dict[str, list[dict]] = {}
    for cell_id, outputs in list(raw.items())[:MAX_CELLS]:
        if isinstance(cell_id, str) and CELL_ID.match(cell_id):
            found[cell_id] = clean_cell(outputs, budget, notes_trusted=notes_trusted)
    return found


def _clean_output(item: Any) -> tuple[dict | None, str]:
    """The output rebuilt, or None; and why something of it was cut ('' if nothing was)."""
    if not isinstance(item, dict):
        return None, "a malformed output not kept"
    kind = item.get("output_type")
    if kind == "stream":
        name = item.get("name")
        if name not in ("stdout", "stderr") or not isinstance(item.get("text"), str | list):
            return None, "a malformed output not kept"
        text, why = _bounded(_text(item.get("text")), name)
        return {"output_type": "stream", "name": name, "text": text}, why
    if kind == "error":
        name = _text(item.get("ename"))[:MAX_NAME]
        value = _text(item.get("evalue"))[:MAX_VALUE]
        return {"output_type": "error", "ename": name, "evalue": value, "traceback": []}, ""
    if kind not in ("display_data", "execute_result"):
        return None, f"an output of type {str(kind)[:40]!r} not kept"
    data = item.get("data")
    if not isinstance(data, dict):
        return None, "a malformed output not kept"
    kept: dict[str, str] = {}
    cuts: list[str] = []
    for mime, value in data.items():
        if mime not in MIME_TYPES:
            cuts.append(f"{str(mime)[:60]} output not kept (only {', '.join(MIME_TYPES)})")
            continue
        if not isinstance(value, str | list):
            cuts.append(f"a malformed {mime} output not kept")
            continue
        if mime == "image/png":
            encoded, why = _png(_text(value))
            if why:
                cuts.append(why)
            if encoded:
                kept[mime] = encoded
        else:
            text, why = _bounded(_text(value), mime)
            if why:
                cuts.append(why)
            kept[mime] = text
    if not kept:
        return None, "; ".join(cuts)
    output: dict = {"output_type": kind, "data": kept, "metadata": _image_size(item, kept)}
    if kind == "execute_result":
        output["execution_count"] = None
    return output, "; ".join(cuts)


def _png(value: str) -> tuple[str, str]:
    encoded = re.sub(r"\s", "", value)
    if len(encoded) > MAX_IMAGE:
        return "", f"a figure of {len(encoded):,} characters not kept (over {MAX_IMAGE:,})"
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return "", "an image/png output that is not base64 not kept"
    if not decoded.startswith(PNG_SIGNATURE) or len(decoded) < 33 or decoded[12:16] != b"IHDR":
        return "", "an image/png output that is not a PNG not kept"
    return encoded, ""


def _image_size(item: dict, kept: dict[str, str]) -> dict:
    """The figure's display size, if it gave one as numbers (``{"image/png": {"width": ..}}``)."""
    metadata = item.get("metadata")
    if "image/png" not in kept or not isinstance(metadata, dict):
        return {}
    sizes = metadata.get("image/png")
    if not isinstance(sizes, dict):
        return {}
    found = {
        key: sizes[key]
        for key in ("width", "height")
        if type(sizes.get(key)) is int and 0 < sizes[key] <= 10_000
    }
    return {"image/png": found} if found else {}


def _bounded(text: str, what: str) -> tuple[str, str]:
    if len(text) <= MAX_TEXT:
        return text, ""
    return text[:MAX_TEXT], f"{what} of {len(text):,} characters cut to {MAX_TEXT:,}"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _size(output: dict) -> int:
    if output["output_type"] == "stream":
        return len(output["text"])
    if output["output_type"] == "error":
        return len(output["ename"]) + len(output["evalue"])
    return sum(len(v) for v in output["data"].values())


def question_cells(notebook: Any) -> list[str]:
    """Otter's convention for manually graded questions in a student notebook: the code cells
    between ``<!-- BEGIN QUESTION -->`` and ``<!-- END QUESTION -->`` (the regions Otter Assign
    writes and ``otter export`` keeps for the PDF; ``otter/export/utils.py``). For an autograder
    zip without a master here; the student wrote the notebook, so at most ``MAX_CELLS``."""
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    found: list[str] = []
    inside = False
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        if inside and cell.get("cell_type") == "code":
            cell_id = cell.get("id")
            if isinstance(cell_id, str) and CELL_ID.match(cell_id):
                found.append(cell_id)
        for line in _text(cell.get("source")).splitlines():
            if not inside and BEGIN_QUESTION.search(line):
                inside = True
            elif inside and END_QUESTION.search(line):
                inside = False
        if len(found) >= MAX_CELLS:
            break
    return found
