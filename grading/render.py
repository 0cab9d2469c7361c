"""The one renderer of student content: Markdown, math, code and outputs to sanitised HTML.

Everything a student wrote is hostile. The packets, the hand-grading app and (later) the
similarity report show it only through this module, so sanitising is right or wrong in one
place, and its tests carry the hostile payloads once. Layers, each enough on its own for
scripts:

* Markdown is parsed by markdown-it-py's ``js-default`` preset (its mode for untrusted input:
  raw HTML is escaped, ``javascript:``/``vbscript:``/most ``data:`` links refused).
* Math (``$..$``, ``$$..$$``, ``\\begin{align}``) becomes ``<span class="math">`` holding the
  escaped TeX; the page renders it with the vendored KaTeX (``trust`` off), never a CDN. A
  page without scripts (the students' feedback files) has it as MathML instead (``mathml``:
  converted by latex2mathml when written, then sanitised with a MathML-only allowlist).
* Images load only from ``data:`` URIs of raster formats (cell attachments included): an
  external image would tell a student when and from where a grader opened their answer, so
  it is shown as a link-less note instead.
* Every fragment then goes through nh3 (the Rust ammonia sanitiser) with a small allowlist of
  tags, attributes, classes and URL schemes.
* Outputs are chosen by MIME type as JupyterLab does; ``text/html`` outputs are sanitised and
  then shown in a sandboxed ``<iframe srcdoc>`` (no scripts, an opaque origin), SVG only as an
  ``<img>`` (where SVG runs no script and loads nothing), JavaScript never.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, get_lexer_by_name
from pygments.util import ClassNotFound

# Past this, Markdown is shown as plain text: parsing hostile input costs ~30 us a character,
# and an honest derivation is under 3,000 characters.
MARKDOWN_LIMIT = 20_000
# Past this, any text (source, output, Markdown as text) is cut, saying so.
TEXT_LIMIT = 200_000
IMAGE_LIMIT = 8_000_000  # base64 characters of one image
RASTER = ("image/png", "image/jpeg", "image/gif", "image/webp")
DATA_IMAGE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=\s]+)$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b\x0c\x0e-\x1f]")

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
    "pre", "s", "samp", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
}
# Our own classes only: math, code highlighting (Pygments' short names) and notes.
CLASS = re.compile(
    r"^(?:math|inline|display|highlight|note|blocked|language-[\w+-]{1,30}|[a-z]{1,3}[0-9]?)$"
)
URL_SCHEMES = {"http", "https", "mailto", "data"}


# -- sanitising -------------------------------------------------------------------------------


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """The second line of defence behind the allowlists: URLs and classes checked by value."""
    if name == "src":
        return value if tag == "img" and DATA_IMAGE.match(value) else None
    if name == "href":
        return value if re.match(r"^(?:https?:|mailto:|#)", value.strip(), re.I) else None
    if name == "class":
        kept = [c for c in value.split() if CLASS.match(c)]
        return " ".join(kept) or None
    return value


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "svg",
                            "math", "template", "textarea", "select", "title"},
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )  # fmt: skip


def sanitize(fragment: str) -> str:
    """HTML that may contain anything, reduced to the allowlist (no script can survive)."""
    return _cleaner().clean(fragment)


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def plain_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """Text for a ``<pre>``: terminal colour codes and control characters removed, capped."""
    text = ANSI.sub("", text)
    if len(text) > limit:
        text = text[:limit] + f"\n[... {len(text) - limit:,} more characters not shown]"
    return escape(text)


# -- Markdown and math ------------------------------------------------------------------------


def _math_inline(self, tokens, idx, options, env) -> str:
    return f'<span class="math inline">{escape(tokens[idx].content)}</span>'


def _math_display(self, tokens, idx, options, env) -> str:
    return f'<div class="math display">{escape(tokens[idx].content)}</div>\n'


def _math_display_inline(self, tokens, idx, options, env) -> str:
    return f'<span class="math display">{escape(tokens[idx].content)}</span>'


def _image(self, tokens, idx, options, env) -> str:
    """Raster images from data: URIs and cell attachments; anything else is not fetched."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    attachments = env.get("attachments") or {}
    if src.startswith("attachment:"):
        src = _attachment_uri(attachments.get(src.removeprefix("attachment:")))
    if src and DATA_IMAGE.match(src) and len(src) <= IMAGE_LIMIT:
        return f'<img src="{escape(src)}" alt="{escape(alt)}">'
    shown = src if len(src) <= 200 else src[:200] + "..."
    return (
        f'<span class="note blocked">[image not loaded: {escape(alt) or "no description"}'
        f" &mdash; {escape(shown) or 'missing attachment'}]</span>"
    )


def _attachment_uri(bundle: Any) -> str:
    if not isinstance(bundle, Mapping):
        return ""
    for mime in RASTER:
        data = bundle.get(mime)
        if isinstance(data, str) and re.fullmatch(r"[A-Za-z0-9+/=\s]+", data):
            return f"data:{mime};base64,{''.join(data.split())}"
    return ""


def _fence(content: str, language: str, attrs: str) -> str:
    """Fenced code highlighted by Pygments (CSS classes only: no inline style)."""
    try:
        lexer = get_lexer_by_name(language.strip() or "text")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    body = highlight(content, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="highlight"><code>{body}</code></pre>'


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("js-default", {"maxNesting": 20, "highlight": _fence})
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    md.use(amsmath_plugin)
    md.add_render_rule("math_inline", _math_inline)
    md.add_render_rule("math_inline_double", _math_display_inline)
    md.add_render_rule("math_block", _math_display)
    md.add_render_rule("math_block_label", _math_display)
    md.add_render_rule("amsmath", _math_display)
    md.add_render_rule("image", _image)
    return md


def markdown_html(source: str, attachments: Mapping[str, Any] | None = None) -> str:
    """Markdown as JupyterLab shows it (math left for KaTeX), sanitised."""
    if len(source) > MARKDOWN_LIMIT:
        note = (
            f'<p class="note">[{len(source):,} characters: too long to format, shown as'
            " plain text]</p>"
        )
        return note + f"<pre>{plain_text(source)}</pre>"
    rendered = _markdown().render(source, {"attachments": attachments or {}})
    return sanitize(rendered)


# -- cells and outputs ------------------------------------------------------------------------


def code_html(source: str) -> str:
    """Python source, highlighted."""
    if len(source) > TEXT_LIMIT:
        return f"<pre>{plain_text(source)}</pre>"
    body = highlight(source, PythonLexer(), HtmlFormatter(nowrap=True))
    return sanitize(f'<pre class="highlight"><code>{body}</code></pre>')


def _text(value: Any) -> str:
    """A notebook string field (a string or a list of lines)."""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return "" if value is None else str(value)


def _image_output(mime: str, data: Any) -> str | None:
    encoded = re.sub(r"\s", "", _text(data))
    if not encoded or len(encoded) > IMAGE_LIMIT:
        return None
    try:
        base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return f'<img class="output" alt="figure output" src="data:{mime};base64,{encoded}">'


def _svg_output(data: Any) -> str | None:
    """An SVG as an <img>: there it cannot run a script or load another resource."""
    svg = _text(data)
    if not svg or len(svg) > IMAGE_LIMIT:
        return None
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="output" alt="SVG output" src="data:image/svg+xml;base64,{encoded}">'


def html_output(fragment: str) -> str:
    """A ``text/html`` output: sanitised, then isolated in a sandboxed frame with no rights."""
    if len(fragment) > TEXT_LIMIT:
        return f"<pre>{plain_text(fragment)}</pre>"
    clean = sanitize(fragment)
    return (
        '<iframe class="output-html" sandbox="" referrerpolicy="no-referrer" loading="lazy"'
        f' title="HTML output" srcdoc="{escape(clean)}"></iframe>'
    )


def output_html(output: Mapping[str, Any]) -> str:
    """One output of a code cell, by MIME type in JupyterLab's order of preference."""
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="output stream">{plain_text(_text(output.get("text")))}</pre>'
    if kind == "error":
        trace = "\n".join(_text(line) for line in output.get("traceback") or [])
        text = trace or f"{_text(output.get('ename'))}: {_text(output.get('evalue'))}"
        return f'<pre class="output error">{plain_text(text)}</pre>'
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data")
    if not isinstance(data, Mapping):
        return ""
    parts = []
    if "application/javascript" in data:
        parts.append('<p class="note blocked">[JavaScript output: not run]</p>')
    for mime in ("text/html", "text/markdown", "text/latex", "image/svg+xml", *RASTER):
        if mime not in data:
            continue
        if mime == "text/html":
            shown = html_output(_text(data[mime]))
        elif mime == "text/markdown":
            shown = markdown_html(_text(data[mime]))
        elif mime == "text/latex":
            shown = f'<div class="math display">{escape(_latex_body(_text(data[mime])))}</div>'
        elif mime == "image/svg+xml":
            shown = _svg_output(data[mime])
        else:
            shown = _image_output(mime, data[mime])
        if shown:
            return "".join(parts) + shown
    if "text/plain" in data:
        parts.append(f'<pre class="output">{plain_text(_text(data["text/plain"]))}</pre>')
    return "".join(parts)


def run_outputs_html(outputs: Any) -> str:
    """A cell's outputs from the grading run (``Gradebook.run_outputs``): as ``output_html``,
    and the notes of what was not kept as notes of ours (student outputs never carry one)."""
    parts = []
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, Mapping):
            continue
        metadata = output.get("metadata")
        data = output.get("data")
        if isinstance(metadata, Mapping) and metadata.get("grading_note") is True:
            text = _text(data.get("text/plain") if isinstance(data, Mapping) else "")
            parts.append(f'<p class="note cut">{plain_text(text, 2_000)}</p>')
        else:
            parts.append(output_html(output))
    return "".join(parts)


def _latex_body(latex: str) -> str:
    """``$$x$$`` or ``$x$`` as IPython's Latex() gives it, without its delimiters."""
    text = latex.strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\[", "\\]"), ("\\(", "\\)")):
        if text.startswith(left) and text.endswith(right) and len(text) > len(left + right):
            return text[len(left) : -len(right)]
    return text


def cell_html(cell: Mapping[str, Any], *, with_outputs: bool = True) -> str:
    """A notebook cell as JupyterLab shows it: Markdown rendered, code with its outputs."""
    source = _text(cell.get("source"))
    if cell.get("cell_type") == "markdown":
        attachments = cell.get("attachments")
        return markdown_html(source, attachments if isinstance(attachments, Mapping) else None)
    if cell.get("cell_type") != "code":
        return f"<pre>{plain_text(source)}</pre>"
    parts = [code_html(source)]
    outputs = cell.get("outputs") if with_outputs else None
    for output in outputs if isinstance(outputs, list) else []:
        if isinstance(output, Mapping):
            parts.append(output_html(output))
    return "".join(parts)


def highlight_css() -> str:
    """The stylesheet of Pygments' classes (kept in grading/static/highlight.css)."""
    return HtmlFormatter(style="default").get_style_defs(".highlight")


# -- math as MathML (pages that run no script) --------------------------------------------------

MATH_LIMIT = 4_000  # characters of one formula converted; longer ones are shown as TeX
MATHML_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot",
    "mstyle", "merror", "mpadded", "mphantom", "msub", "msup", "msubsup", "munder", "mover",
    "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "semantics",
    "annotation",
}  # fmt: skip
# Presentation attributes only: no href, style, class, id or event handler survives.
MATHML_ATTRIBUTES = {
    "display", "displaystyle", "scriptlevel", "mathvariant", "stretchy", "fence", "separator",
    "form", "largeop", "movablelimits", "symmetric", "accent", "accentunder", "lspace",
    "rspace", "minsize", "maxsize", "width", "height", "depth", "voffset", "linethickness",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines",
    "frame", "columnspan", "rowspan",
}  # fmt: skip
MATH_SPAN = re.compile(r'<(span|div) class="math (inline|display)">([^<]*)</\1>')


@cache
def _mathml_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=MATHML_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "svg",
                            "template", "textarea", "select", "title"},
        attributes={"*": MATHML_ATTRIBUTES},
        url_schemes=set(),
        strip_comments=True,
    )  # fmt: skip


def tex_mathml(tex: str, display: bool) -> str | None:
    """One formula as sanitised MathML; None when it cannot be converted (shown as TeX then).

    latex2mathml copies ``\\text{..}`` and ``\\href`` into its output unescaped: its output
    is as hostile as its input, so it goes through the MathML allowlist like any fragment.
    """
    if len(tex) > MATH_LIMIT:
        return None
    try:
        converted = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any TeX it cannot read (RecursionError included)
        return None
    clean = _mathml_cleaner().clean(converted)
    return clean if clean.startswith("<math") else None


def mathml(fragment: str) -> str:
    """Sanitised HTML from this module with its math spans turned into MathML.

    Only the spans the Markdown renderer wrote match (their TeX is escaped text, so the pattern
    cannot straddle a tag); a formula that does not convert stays as TeX, marked as such.
    """

    def replace(match: re.Match[str]) -> str:
        tag, kind, escaped = match.groups()
        tex = html.unescape(escaped)
        converted = tex_mathml(tex, display=kind == "display")
        if converted is None:
            return f'<{tag} class="math {kind} math-error">{escaped}</{tag}>'
        return f'<{tag} class="math {kind}">{converted}</{tag}>'

    return MATH_SPAN.sub(replace, fragment)
