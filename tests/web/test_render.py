"""The one renderer of student content (grading/render.py): hostile payloads and JupyterLab's
rendering rules, checked on the HTML it makes (the browser tests check the page it makes)."""

from __future__ import annotations

import base64
import re

import pytest

from grading.render import (
    MARKDOWN_LIMIT,
    cell_html,
    code_html,
    markdown_html,
    output_html,
    sanitize,
)

from ..html_tags import Tags
from .hostile_cases import CASES, OUT, Case

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "s", "samp", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var", "iframe",
}  # fmt: skip
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$")


def check_safe(fragment: str) -> Tags:
    """No tag, attribute or URL that could run a script or fetch anything, at any depth."""
    parsed = Tags()
    parsed.feed(fragment)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, fragment[:300])
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("style", "srcset", "formaction", "action", "background"), name
            if name == "src":
                assert tag == "img" and DATA_IMAGE.match(value or ""), (tag, (value or "")[:80])
            if name == "href":
                assert re.match(r"^(https?:|mailto:|#)", value or ""), value
        if tag == "iframe":  # only ours: no rights at all, content given inline
            assert attrs.get("sandbox") == "" and "src" not in attrs, attrs
            check_safe(attrs.get("srcdoc") or "")
    return parsed


def render_case(case: Case) -> str:
    cells = [{"cell_type": "markdown", "source": case.markdown}]
    if case.outputs:
        cells.append({"cell_type": "code", "source": "plot()", "outputs": case.outputs})
    return "".join(cell_html(cell) for cell in cells)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case_is_neutralised_and_its_text_kept(case):
    fragment = render_case(case)
    parsed = check_safe(fragment)
    assert case.visible in " ".join("".join(parsed.text).split())
    assert "<script" not in fragment.lower().replace("&lt;script", "")
    lowered = fragment.lower()
    for gone in ("<style", "<svg", "<object", "<embed", "<video", "<audio", "<link", "<form",
                 "<meta"):  # fmt: skip
        assert gone not in lowered, gone


def test_external_image_is_named_not_fetched():
    fragment = markdown_html(f"![beacon]({OUT}/beacon.png)")
    check_safe(fragment)
    assert "<img" not in fragment
    assert "image not loaded: beacon" in fragment and f"{OUT}/beacon.png" in fragment


def test_math_is_left_for_katex_escaped():
    fragment = markdown_html(r"Inline $a < b$ and display $$\frac{1}{2}$$ and" + "\n\n$$\nx\n$$")
    assert '<span class="math inline">a &lt; b</span>' in fragment
    assert '<span class="math display">\\frac{1}{2}</span>' in fragment
    assert '<div class="math display">\nx\n</div>' in fragment
    env = markdown_html("\\begin{align} a &= b \\end{align}")
    assert 'class="math display"' in env and "&amp;= b" in env


def test_markdown_as_jupyterlab_shows_it():
    fragment = markdown_html("# Title\n\n**bold** `code` [link](https://example.org)\n\n- a\n- b")
    assert "<h1>Title</h1>" in fragment and "<strong>bold</strong>" in fragment
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">link</a>' in fragment
    assert "<li>a</li>" in fragment
    fenced = markdown_html("```python\nx = 1\n```")
    assert '<pre class="highlight"><code><span class="n">x</span>' in fenced


def test_cell_attachment_image_is_shown():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 20).decode()
    cell = {
        "cell_type": "markdown",
        "source": "![figure](attachment:f.png)",
        "attachments": {"f.png": {"image/png": png}},
    }
    fragment = cell_html(cell)
    check_safe(fragment)
    assert f'src="data:image/png;base64,{png}"' in fragment


def test_code_is_highlighted_and_escaped():
    fragment = code_html("print('<b>x</b>')  # </pre><script>")
    check_safe(fragment)
    assert '<span class="nb">print</span>' in fragment
    assert "&lt;/pre&gt;&lt;script&gt;" in fragment


def test_outputs_by_mime_type():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    figure = output_html(
        {"output_type": "display_data", "data": {"image/png": png, "text/plain": "<Figure>"}}
    )
    assert figure.startswith('<img class="output"') and png in figure
    broken = output_html({"output_type": "display_data", "data": {"image/png": "not base64!"}})
    assert "<img" not in broken
    plain = output_html({"output_type": "execute_result", "data": {"text/plain": "0.25"}})
    assert plain == '<pre class="output">0.25</pre>'
    error = output_html(
        {"output_type": "error", "ename": "NameError", "evalue": "x",
         "traceback": ["\x1b[0;31mNameError\x1b[0m: name 'x' is not defined"]}
    )  # fmt: skip
    assert "NameError: name &#x27;x&#x27; is not defined" in error and "\x1b" not in error
    latex = output_html({"output_type": "display_data", "data": {"text/latex": "$$x^2$$"}})
    assert latex == '<div class="math display">x^2</div>'


def test_text_html_output_goes_into_a_sandboxed_frame():
    fragment = output_html(
        {"output_type": "display_data", "data": {"text/html": "<table><tr><td>1</td></tr></table>"}}
    )
    check_safe(fragment)
    assert fragment.startswith('<iframe class="output-html" sandbox=""')
    assert "srcdoc=" in fragment and "&lt;td&gt;1&lt;/td&gt;" in fragment


def test_too_long_markdown_becomes_plain_text():
    source = "$x$ " * (MARKDOWN_LIMIT // 4 + 10)
    fragment = markdown_html(source)
    check_safe(fragment)
    assert "too long to format, shown as plain text" in fragment
    assert 'class="math' not in fragment and "$x$ $x$" in fragment


def test_sanitize_keeps_our_classes_only():
    fragment = sanitize('<span class="math inline panel hidden">x</span><p class="top">y</p>')
    assert fragment == '<span class="math inline">x</span><p>y</p>'
