"""The one Jinja2 environment every page we write or serve renders through.

Templates live in ``grading/templates/`` and static assets in ``grading/static/`` (package
data, so they ship with the package and nothing is loaded from a CDN). Autoescaping is on for
every template: a value reaches a page escaped unless a template marks it ``|safe``, which only
sanitised HTML (``grading.render``) may be.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: object) -> str:
    """The page ``template`` (a file name under ``grading/templates/``) filled with ``context``."""
    return environment().get_template(template).render(**context)
