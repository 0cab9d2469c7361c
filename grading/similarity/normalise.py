"""Stage 1 of the similarity report: an answer as a stream of normalised tokens.

A disguise changes what a copy looks like, not what it is. Code is read by a scanner into logical
lines so that names the student chose become one placeholder, numbers and strings are written
one way, comments, docstrings, blank lines, prints and bare displays vanish, and top-level
definitions come first in a canonical order (moving a function never changes what it does).
Prose is split into words (lowercased, stop words dropped, crude stems) and the symbols of its
LaTeX, so a derivation with reworded sentences still shares its mathematics.

Every token keeps the character span it came from, so the report can mark shared regions in
the answer as the student wrote it.
"""

from __future__ import annotations

import ast
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

# Python's tokens by one regular expression, read without ``ast`` or ``tokenize``: both are
# slow in Python 3.11 (together four fifths of the time of a class of 1,000), and neither
# accepts code that does not parse, which students hand in too. An unclosed string becomes a
# lone quote and the rest still compares.
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
_ASSIGNING = frozenset(["=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^="])
_TARGET_END = frozenset([".", "[", "("])  # a name followed by one of these is not bound there
_PARAMETER_START = frozenset(["(", ",", "*", "**", "lambda"])
_DEFINING = frozenset(["def", "class"])


# A token is a plain tuple (kind, text, start, end, depth): a class of 1,000 has millions of
# them, and a tuple is made ten times faster than any class instance.
_Token = tuple[str, str, int, int, int]
KIND, TEXT, START, END, DEPTH = range(5)  # kind: name, number, string or op; depth: open brackets


@dataclass(slots=True)
class _Line:
    """One logical line: its tokens and the column of its first one (its indentation)."""

    tokens: list[_Token]
    indent: int


def _logical_lines(source: str) -> list[_Line]:
    """The code as logical lines; comments, blank lines and line joins dropped."""
    lines: list[_Line] = []
    current: list[_Token] = []
    depth = 0
    for match in _SCANNER.finditer(source):
        kind = match.lastgroup or "op"
        if kind in ("space", "comment"):
            continue
        if kind == "newline":
            if depth == 0 and current:
                start = current[0][START]
                lines.append(_Line(current, start - source.rfind("\n", 0, start) - 1))
                current = []
            continue
        text = match.group()
        if kind == "op" and text in _CLOSING:
            depth = max(depth - 1, 0)
        current.append((kind, text, match.start(), match.end(), depth))
        if kind == "op" and text in _OPENING:
            depth += 1
    if current:
        start = current[0][START]
        lines.append(_Line(current, start - source.rfind("\n", 0, start) - 1))
    return lines


def _is_noise(tokens: list[_Token]) -> bool:
    """A line that changes nothing: a print, a display (a bare name), a docstring, ``...``."""
    first = tokens[0]
    if len(tokens) >= 3 and first[TEXT] == "print" and tokens[1][TEXT] == "(":
        return tokens[-1][TEXT] == ")" and tokens[-1][DEPTH] == 0
    if first[KIND] in ("string", "number") or first[TEXT] == "...":
        return len(tokens) == 1
    return all(t[KIND] == "name" or t[TEXT] == "." for t in tokens) and not keyword.iskeyword(
        first[TEXT]
    )


def _bound_names(lines: list[_Line]) -> set[str]:
    """The names the answer binds (renaming them changes nothing), read from its tokens.

    Definitions and their parameters, assignment and ``for`` targets, ``as`` and ``:=``
    names, imports and ``global``: what ``ast`` would report as bound, found without it.
    """
    names: set[str] = set()
    for line in lines:
        tokens = line.tokens
        last_assignment = max(
            (i for i, t in enumerate(tokens) if t[DEPTH] == 0 and t[TEXT] in _ASSIGNING), default=-1
        )
        in_for = False
        for i, token in enumerate(tokens):
            if token[TEXT] in ("for", "in"):
                in_for = token[TEXT] == "for"
            is_name = token[KIND] == "name" and not keyword.iskeyword(token[TEXT])
            if is_name and _binds(tokens, i, in_for=in_for, last_assignment=last_assignment):
                names.add(token[TEXT])
    return names


def _binds(tokens: list[_Token], i: int, *, in_for: bool, last_assignment: int) -> bool:
    """Whether the name ``tokens[i]`` is bound where it stands."""
    token, head = tokens[i], tokens[0][TEXT]
    before = tokens[i - 1][TEXT] if i else ""
    after = tokens[i + 1][TEXT] if i + 1 < len(tokens) else ""
    if before in _DEFINING or before in ("as", "import") or after == ":=":
        return True
    if head in ("import", "global", "nonlocal"):
        return True
    plain = before != "." and after not in _TARGET_END  # not an attribute, item or call
    if in_for and plain:
        return True
    if before in _PARAMETER_START:
        if head in ("def", "async") and token[DEPTH] == 1:
            return True
        if "lambda" in (before, *_preceding(tokens, i)):
            return True
    return i < last_assignment and token[DEPTH] == 0 and plain


def _preceding(tokens: list[_Token], index: int) -> list[str]:
    """The texts before ``index`` back to the last ``:`` at its depth (a lambda's head)."""
    out = []
    for token in reversed(tokens[:index]):
        if token[TEXT] == ":" and token[DEPTH] == tokens[index][DEPTH]:
            break
        out.append(token[TEXT])
    return out


def code_tokens(source: str) -> Tokens:
    """The normalised tokens of a code answer, top-level definitions first in canonical order.

    A definition runs nothing when it is defined, so reordering them changes no behaviour and
    must not hide a copy.
    """
    lines = [line for line in _logical_lines(source) if not _is_noise(line.tokens)]
    bound = _bound_names(lines)
    statements: list[list[_Line]] = []
    for line in lines:
        decorated = bool(statements) and statements[-1][-1].tokens[0][TEXT] == "@"
        if line.indent == 0 and not decorated or not statements:
            statements.append([line])
        else:
            statements[-1].append(line)
    definitions, others = [], []
    for statement in statements:
        tokens = _normalised(statement, bound)
        heads = [line.tokens[0][TEXT] for line in statement]
        is_definition = any(h in _DEFINING or h == "async" for h in heads[:2]) and (
            heads[0] in _DEFINING or heads[0] in ("@", "async")
        )
        (definitions if is_definition else others).append(tokens)
    ordered = Tokens()
    for group in [*sorted(definitions, key=lambda g: " ".join(g.texts)), *others]:
        ordered.extend(group)
    return ordered


def _normalised(statement: list[_Line], bound: set[str]) -> Tokens:
    out = Tokens()
    for line in statement:
        previous = ""
        tokens = line.tokens
        header = tokens[0][TEXT] in ("def", "async")
        for i, token in enumerate(tokens):
            text = token[TEXT]
            if token[KIND] == "name":
                after = tokens[i + 1][TEXT] if i + 1 < len(tokens) else ""
                # f(w1=...) names the callee's parameter, not the student's variable w1.
                keyword_argument = token[DEPTH] > 0 and after == "=" and not header
                renamed = text in bound and not keyword.iskeyword(text)
                if previous != "." and renamed and not keyword_argument:
                    text = NAME_PLACEHOLDER
            elif token[KIND] == "number":
                text = _canonical_number(text)
            elif token[KIND] == "string":
                text = _canonical_string(text)
            out.add(text, token[START], token[END])
            previous = text
        end = tokens[-1][END]
        out.add(END_OF_LINE, end, end)
    return out


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
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text  # an f-string, or not a string Python reads: kept as written


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
