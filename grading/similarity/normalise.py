"""Stage 1 of the similarity report: an answer as a stream of normalised tokens.

A disguise changes what a copy looks like, not what it is. Code is read with a scanner and
``ast`` so that names the student chose become one placeholder, numbers and strings are written
one way, comments, docstrings, blank lines, prints and bare displays vanish, and top-level
definitions come first in a canonical order (moving a function never changes what it does).
Prose is split into words (lowercased, stop words dropped, crude stems) and the symbols of its
LaTeX, so a derivation with reworded sentences still shares its mathematics.

Every token keeps the character span it came from, so the report can mark shared regions in
the answer as the student wrote it.
"""

from __future__ import annotations

import ast
import bisect
import keyword
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

CODE, PROSE = "code", "prose"  # the two kinds of answer cell
NAME_PLACEHOLDER = "V"  # every name the answer binds: variables, parameters, its own functions
END_OF_LINE = ";"  # logical line ends stay: they carry a little structure


@dataclass
class Tokens:
    """Normalised tokens and, for each, the span ``(start, end)`` of the text it came from."""

    texts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)

    def add(self, text: str, start: int, end: int) -> None:
        self.texts.append(text)
        self.spans.append((start, end))

    def extend(self, other: Tokens, offset: int = 0) -> None:
        self.texts.extend(other.texts)
        self.spans.extend((a + offset, b + offset) for a, b in other.spans)

    def __len__(self) -> int:
        return len(self.texts)


# -- code -------------------------------------------------------------------------------------

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Python's tokens by one regular expression: ``tokenize`` is pure Python on 3.11 and was two
# thirds of the time of a class of 1,000. Unlike ``tokenize`` this never fails: an unclosed
# string becomes a lone quote and the rest still compares.
_SCANNER = re.compile(
    r"""
    (?P<space>[ \t\f]+|\\\r?\n)
    |(?P<comment>\#[^\r\n]*)
    |(?P<newline>\r?\n|\r)
    |(?P<string>[rRbBuUfF]{0,2}(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
        |'(?:\\.|[^\\'\r\n])*'|"(?:\\.|[^\\"\r\n])*"))
    |(?P<number>0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+
        |(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
    |(?P<name>[^\W\d]\w*)
    |(?P<op>\*\*=|//=|>>=|<<=|\.\.\.|->|:=|[-+*/%&|^@<>=!]=|\*\*|//|<<|>>|[^\s\w])
    """,
    re.VERBOSE,
)
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")


def _scan(source: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every token; comments, blank lines and line joins dropped."""
    tokens: list[tuple[str, str, int, int]] = []
    depth = 0
    for match in _SCANNER.finditer(source):
        kind = match.lastgroup or "op"
        if kind in ("space", "comment"):
            continue
        text = match.group()
        if kind == "newline":
            if depth or not tokens or tokens[-1][0] == "newline":
                continue  # inside brackets, or a blank line: not the end of a statement
        elif kind == "op":
            if text in _OPENING:
                depth += 1
            elif text in _CLOSING:
                depth = max(depth - 1, 0)
        tokens.append((kind, text, match.start(), match.end()))
    return tokens


def code_tokens(source: str) -> Tokens:
    """The normalised tokens of a code answer; code that does not parse is still tokenised."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):  # ValueError: a null byte in the source
        tree = None
    raw = _scan(source)
    if tree is None:  # rename every plain name: we cannot tell which ones the answer binds
        return _plain_tokens(raw, bound=None, dropped=[])
    lines = source.splitlines(keepends=True)
    starts = _line_starts(lines)
    bound, noise = _bound_and_noise(tree)
    dropped = sorted(_span(node, lines, starts) for node in noise)
    tokens = _plain_tokens(raw, bound=bound, dropped=dropped)
    return _definitions_first(tokens, tree, lines, starts)


def _line_starts(lines: list[str]) -> list[int]:
    """Character offset of each line's start (line numbers are 1-based: index 0 is unused)."""
    offsets = [0, 0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def _offset(lines: list[str], starts: list[int], row: int, col: int) -> int:
    """The character offset of ``ast``'s (line, UTF-8 byte column)."""
    row = min(row, len(starts) - 1)
    line = lines[row - 1] if 0 < row <= len(lines) else ""
    if not line.isascii():
        col = len(line.encode()[:col].decode(errors="ignore"))
    return starts[row] + col


def _span(node: ast.AST, lines: list[str], starts: list[int]) -> tuple[int, int]:
    first = min([node, *getattr(node, "decorator_list", [])], key=lambda n: n.lineno)
    start = _offset(lines, starts, first.lineno, first.col_offset)
    end = _offset(lines, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
    return start, end


def _bound_and_noise(tree: ast.AST) -> tuple[set[str], list[ast.stmt]]:
    """The names the answer binds, and its statements that change nothing (one walk: speed).

    Renaming a bound name (a variable, a parameter, the answer's own function) changes nothing.
    Noise: calls of ``print``, a bare name or constant on its own line (a display), docstrings
    and the ``...`` of the skeleton.
    """
    names: set[str] = set()
    noise: list[ast.stmt] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                names.add(node.id)
        elif isinstance(node, ast.Expr):
            value = node.value
            if isinstance(value, ast.Name | ast.Constant | ast.Attribute) or (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "print"
            ):
                noise.append(node)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, _DEFINITIONS):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
    return names, noise


@lru_cache(maxsize=1 << 14)
def _canonical_number(text: str) -> str:
    """2, 2.0, 2., 2e0, 0x2 and 2_0e-1 are one number (complex ones as Python writes them)."""
    clean = text.replace("_", "")
    try:
        if clean[-1] in "jJ":
            return repr(complex(clean))
        value = float(int(clean, 0)) if clean.isalnum() else float(clean)
    except ValueError:
        try:
            value = float(clean)
        except ValueError:
            return text
    return repr(value) if math.isfinite(value) else text


@lru_cache(maxsize=1 << 14)
def _canonical_string(text: str) -> str:
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text  # an f-string: kept as written


def _plain_tokens(
    raw: list[tuple[str, str, int, int]],
    *,
    bound: set[str] | None,
    dropped: list[tuple[int, int]],
) -> Tokens:
    """Map scanned tokens to normalised ones; ``bound`` None: rename every plain name."""
    out = Tokens()
    previous = ""
    drop_starts = [a for a, _ in dropped]
    for kind, text, start, end in raw:
        if dropped:
            where = bisect.bisect_right(drop_starts, start) - 1
            if where >= 0 and start < dropped[where][1]:
                continue
        if kind == "newline":
            if previous in ("", END_OF_LINE):
                continue  # the line was all noise
            text = END_OF_LINE
        elif kind == "name":
            attribute = previous == "."  # attributes belong to the library, not the student
            if not attribute and not keyword.iskeyword(text) and (bound is None or text in bound):
                text = NAME_PLACEHOLDER
        elif kind == "number":
            text = _canonical_number(text)
        elif kind == "string":
            text = _canonical_string(text)
        out.add(text, start, end)
        previous = text
    return out


def _definitions_first(
    tokens: Tokens, tree: ast.Module, lines: list[str], starts: list[int]
) -> Tokens:
    """Top-level definitions first, in the order of their normalised text; the rest after.

    A definition runs nothing when it is defined, so reordering them changes no behaviour and
    must not hide a copy.
    """
    spans = [(_span(node, lines, starts), isinstance(node, _DEFINITIONS)) for node in tree.body]
    if not any(is_def for _, is_def in spans):
        return tokens
    groups: list[Tokens] = [Tokens() for _ in spans]
    stray = Tokens()
    statement = 0
    for text, (start, end) in zip(tokens.texts, tokens.spans, strict=True):
        while statement < len(spans) and start >= spans[statement][0][1]:
            statement += 1
        if statement < len(spans) and start >= spans[statement][0][0]:
            groups[statement].add(text, start, end)
        elif statement > 0 and text == END_OF_LINE:
            groups[statement - 1].add(text, start, end)
        else:
            stray.add(text, start, end)
    definitions = [g for g, (_, is_def) in zip(groups, spans, strict=True) if is_def]
    others = [g for g, (_, is_def) in zip(groups, spans, strict=True) if not is_def]
    ordered = Tokens()
    for group in [*sorted(definitions, key=lambda g: " ".join(g.texts)), *others, stray]:
        ordered.extend(group)
    return ordered


# -- prose and LaTeX --------------------------------------------------------------------------

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]|\\\((.+?)\\\)", re.S)
_WORD = re.compile(r"[A-Za-z]+")
_SYMBOL = re.compile(r"\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|[A-Za-z]|\S")
# Spacing and sizing commands say nothing about the mathematics.
_MATH_NOISE = {
    r"\,", r"\;", r"\:", r"\!", r"\ ", r"\quad", r"\qquad", r"\left", r"\right", r"\bigl",
    r"\bigr", r"\Bigl", r"\Bigr", r"\big", r"\Big", r"\displaystyle", r"\textstyle", r"\\",
    "&",
}  # fmt: skip
_MATH_SYNONYMS = {
    r"\dfrac": r"\frac", r"\tfrac": r"\frac", r"\le": r"\leq", r"\ge": r"\geq",
    r"\ne": r"\neq", r"\to": r"\rightarrow", r"\implies": r"\Rightarrow",
    r"\Longrightarrow": r"\Rightarrow", r"\operatorname": "", r"\mathrm": "",
}  # fmt: skip
_STOP_WORDS_TEXT = """
    a an the and or but if then so of to in on at by for with from as is are was were be been
    being it its this that these those which what we i you he she they our their there here not
    no can will would should could may might must has have had do does did just also very than
    into over under since because thus hence therefore get gives give using use each every all
    any one"""
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "es", "ly", "s")


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def prose_tokens(source: str) -> tuple[Tokens, Tokens]:
    """The words and the LaTeX symbols of a written answer, as two token streams."""
    words, symbols = Tokens(), Tokens()
    position = 0
    for match in _MATH.finditer(source):
        _add_words(words, source, position, match.start())
        group = next(i for i in range(1, 5) if match.group(i) is not None)
        _add_symbols(symbols, source, match.start(group), match.end(group))
        position = match.end()
    _add_words(words, source, position, len(source))
    return words, symbols


def _add_words(out: Tokens, source: str, start: int, end: int) -> None:
    for match in _WORD.finditer(source, start, end):
        word = match.group().lower()
        if word not in _STOP_WORDS and len(word) > 1:
            out.add("w:" + _stem(word), match.start(), match.end())


def _add_symbols(out: Tokens, source: str, start: int, end: int) -> None:
    for match in _SYMBOL.finditer(source, start, end):
        text = match.group()
        if text in _MATH_NOISE:
            continue
        text = _MATH_SYNONYMS.get(text, text)
        if text:
            out.add("m:" + text, match.start(), match.end())
