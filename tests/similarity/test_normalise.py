"""Disguises do not change an answer's normalised tokens; different answers stay different."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from grading.similarity.answers import question_cells
from grading.similarity.normalise import code_tokens, prose_tokens
from grading.similarity.synthetic import CODE_DISGUISES


def texts(source: str) -> list[str]:
    return code_tokens(source).texts


ORIGINAL = '''
def sigmoid_prime(x):
    """sigma'(x)."""
    s = sigmoid(x)
    return s * (1 - s)


def helper(values, h=1e-6):
    total = 0.5
    for i, v in enumerate(values):
        total += v ** 2
    return total / h
'''
DISGUISED = """
# my helper, moved first
def helper(vals, step=0.000001):
    acc = .5  # start
    for j, w in enumerate(vals):
        print("adding", w)
        acc += w**2.0
    return acc/step
def sigmoid_prime(z):
    sig = sigmoid(z)

    sig
    return sig*(1.-sig)
"""


def test_names_comments_prints_blank_lines_literals_and_order_do_not_matter():
    assert texts(DISGUISED) == texts(ORIGINAL)


@pytest.mark.parametrize(
    "changed",
    [
        ORIGINAL.replace("s * (1 - s)", "s * (1 + s)"),
        ORIGINAL.replace("v ** 2", "v ** 3"),
        ORIGINAL.replace("sigmoid(x)", "np.tanh(x)"),
    ],
)
def test_a_changed_computation_changes_the_tokens(changed):
    assert texts(changed) != texts(ORIGINAL)


def test_library_names_attributes_and_keyword_arguments_are_kept():
    tokens = texts("y = np.exp(x)\nd = dict(w1=y, b1=x)\nw1 = 2\nz = f(dtype=float)")
    assert "np" in tokens and "exp" in tokens and "float" in tokens
    assert "w1" in tokens and "b1" in tokens  # keyword arguments name the callee's parameters
    assert "y" not in tokens and "d" not in tokens


def test_code_that_does_not_parse_is_still_compared():
    broken = 'def f(x:\n    return "unclosed\n'
    assert texts(broken)  # no exception, some tokens
    assert texts(broken) == texts(broken.replace("x", "y"))


def test_spans_point_at_the_text_the_token_came_from():
    source = "total = 0  # start\nresult = total + 1.50\n"
    tokens = code_tokens(source)
    pieces = [source[a:b] for a, b in tokens.spans if b > a]
    assert pieces == ["total", "=", "0", "result", "=", "total", "+", "1.50"]


def test_every_corpus_answer_survives_every_disguise(assignment):
    """The automatic disguises of the test corpus, on every answer of the answer corpus."""
    questions = {q.name: q for q in question_cells(assignment)}
    rng = random.Random(0)
    changed = []
    for path in sorted((assignment.master_dir / "corpus").glob("*/*.py")):
        source = path.read_text()
        for name, disguise in CODE_DISGUISES.items():
            disguised = disguise(source, questions[path.parent.name], rng)
            if texts(disguised) != texts(source):
                changed.append(f"{Path(path).parent.name}/{path.name}: {name}")
    assert changed == []


def test_prose_keeps_words_and_the_symbols_of_its_mathematics():
    words, symbols = prose_tokens(r"The chain rule gives $\dfrac{dy}{dx} = -\frac{9x}{4y}$.")
    assert [w.removeprefix("w:") for w in words.texts] == ["chain", "rule"]
    assert symbols.texts[:2] == ["m:\\frac", "m:{"]  # \dfrac and \frac are one symbol
    reworded = r"Using the chain rule we obtain $\frac{dy}{dx}=-\frac{9x}{4y}$."
    assert prose_tokens(reworded)[1].texts == symbols.texts
