"""The marking app's routes: pages are Jinja templates, changes are small JSON requests.

Every handler validates its ids (a question of the assignment, an answer sheet's number, an
item of that question's rubric) and its JSON fields before calling ``Marking``.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from typing import Any
from urllib.parse import urlencode

import tornado.web

from ..errors import GradingError
from ..gradebook import Mark, MarkConflict, Rubric
from ..templating import STATIC, render
from .marking import Entry, Marking
from .security import (
    COOKIE_OPTIONS,
    GRADER_COOKIE,
    MAX_BODY,
    NAMES_COOKIE,
    AuthStaticHandler,
    ServerHandler,
)

QUESTION = r"([A-Za-z0-9_]{1,64})"
NUMBER = r"([0-9]{1,9})"
GRADER_NAME = re.compile(r"^[\w .@'-]{1,40}$")
SIMILARITY_FILES = {"similarity.html": "text/html; charset=utf-8", "similarity.csv": "text/csv"}
# The similarity report is another module's page: no script of its own may run here either.
SIMILARITY_CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class Page(ServerHandler):
    """A page for a grader who has given a name (asked once per browser)."""

    def prepare(self) -> None:
        super().prepare()
        if self._finished:
            return
        if self.grader() is None:
            self.redirect("/grader?" + urlencode({"next": self.request.uri}))

    def page(self, template: str, **context: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            render(
                template,
                xsrf=self.xsrf_token.decode(),
                grader=self.grader(),
                static=self.static_url,
                assignment=self.marking.assignment.name,
                show_names=self.show_names(),
                similarity=(self.marking.out_dir / "similarity.html").is_file(),
                **context,
            )
        )


class Api(ServerHandler):
    """A JSON change request from the page's script."""

    def prepare(self) -> None:
        super().prepare()
        if self._finished:
            return
        if self.grader() is None:
            raise GradingError("give your name first (reload the page)")
        if len(self.request.body) > MAX_BODY:
            raise GradingError(f"request too large (at most {MAX_BODY // 1024} KB)")
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise GradingError("the request is not JSON") from None
        if not isinstance(body, dict):
            raise GradingError("the request must be a JSON object")
        self.body = body

    def reply(self, data: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))

    # Field readers: a wrong type is a 400 naming the field, never a crash.
    def integer(self, key: str, default: int | None = None) -> int:
        value = self.body.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise GradingError(f"'{key}' must be a whole number")
        return value

    def number(self, key: str) -> float:
        value = self.body.get(key)
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise GradingError(f"'{key}': {value!r} is not a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise GradingError(f"'{key}' must be a number")
        if not math.isfinite(value) or abs(value) > 1000:
            raise GradingError(f"'{key}' must be a number between -1000 and 1000")
        return float(value)

    def text(self, key: str, limit: int) -> str:
        value = self.body.get(key, "")
        if not isinstance(value, str):
            raise GradingError(f"'{key}' must be text")
        if len(value) > limit:
            raise GradingError(f"'{key}' is limited to {limit:,} characters")
        return value

    def ids(self, key: str) -> tuple[int, ...]:
        value = self.body.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise GradingError(f"'{key}' must be a list of item ids")
        return tuple(value)


# -- pages ------------------------------------------------------------------------------------


class GraderPage(ServerHandler):
    """Who is grading: every change is recorded under this name."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            render(
                "mark/grader.html.j2",
                xsrf=self.xsrf_token.decode(),
                static=self.static_url,
                grader=self.grader(),
                next=_local(self.get_query_argument("next", "/")),
                error=None,
            )
        )

    def post(self) -> None:
        name = " ".join(self.get_body_argument("name", "").split())
        target = _local(self.get_body_argument("next", "/"))
        if not GRADER_NAME.match(name):
            self.set_status(400)
            self.finish(
                render("mark/grader.html.j2", xsrf=self.xsrf_token.decode(), static=self.static_url,
                       grader=None, next=target,
                       error="a name of 1 to 40 letters, digits, spaces or . @ ' -")
            )  # fmt: skip
            return
        self.set_signed_cookie(GRADER_COOKIE, name, expires_days=30, **COOKIE_OPTIONS)
        self.redirect(target)


class StartPage(Page):
    def get(self) -> None:
        self.page("mark/start.html.j2", progress=self.marking.progress(),
                  notices=self.marking.notices, total=len(self.marking.entries))  # fmt: skip


class QuestionPage(Page):
    """Every answer to one question: number (or name), score, who marked it."""

    def get(self, question: str) -> None:
        q = self.marking.question(question)
        marks = self.marking.marks(question)
        rows = [(e, marks.get(e.student)) for e in self.marking.entries]
        self.page("mark/question.html.j2", question=q, rows=rows)


class NextUngraded(Page):
    def get(self, question: str) -> None:
        self.marking.question(question)
        after = self.get_query_argument("after", "0")
        entry = self.marking.next_ungraded(question, int(after) if after.isdigit() else 0)
        self.redirect(f"/q/{question}/{entry.number}" if entry else f"/q/{question}?done=1")


class AnswerPage(Page):
    """One answer sheet's answer to one question, with the rubric beside it."""

    def get(self, question: str, number: str) -> None:
        q = self.marking.question(question)
        entry = self.marking.entry(int(number))
        state = answer_state(self.marking, question, entry, self.show_names())
        self.page(
            "mark/answer.html.j2",
            question=q,
            entry=entry,
            prompt=self.marking.prompt_html(question),
            answer=self.marking.answer_html(question, entry),
            state=state,
        )


class SimilarityFile(ServerHandler):
    """The similarity report of the grade folder, when one was written (another module's)."""

    def get(self, name: str) -> None:
        path = self.marking.out_dir / name
        if name not in SIMILARITY_FILES or not path.is_file():
            raise tornado.web.HTTPError(404, reason=f"no {name} in {self.marking.out_dir}")
        self.set_header("Content-Security-Policy", SIMILARITY_CSP)
        self.set_header("Content-Type", SIMILARITY_FILES[name])
        self.finish(path.read_bytes())


# -- changes ----------------------------------------------------------------------------------


class MarkApi(Api):
    """Apply/remove items, set the comment or the adjustment of one answer."""

    def post(self, question: str, number: str) -> None:
        self.marking.question(question)
        entry = self.marking.entry(int(number))
        change: dict[str, Any] = {"apply": self.ids("apply"), "remove": self.ids("remove")}
        if "comment" in self.body:
            change["comment"] = self.text("comment", 20_000)
        if "adjustment" in self.body:
            change["adjustment"] = self.number("adjustment") if self.body["adjustment"] else 0.0
            change["reason"] = self.text("reason", 500)
        self.marking.change_mark(question, entry, self.grader() or "", self.integer("version"),
                                 **change)  # fmt: skip
        self.reply(answer_state(self.marking, question, entry, self.show_names()))

    def conflict_state(self, error: MarkConflict) -> dict[str, Any]:
        question, number = self.path_args
        entry = self.marking.entry(int(number))
        return {"state": answer_state(self.marking, question, entry, self.show_names())}


class RubricApi(Api):
    """Add, edit, delete or move a rubric item, or set the question's scoring."""

    def post(self, question: str) -> None:
        self.marking.question(question)
        grader = self.grader() or ""
        action = self.body.get("action")
        item = self.body.get("item")
        if action == "add":
            self.marking.add_item(question, self.number("points"),
                                  self.text("description", 2000), grader)  # fmt: skip
        elif action == "edit":
            self.marking.edit_item(question, self.integer("item"), self.integer("version"), grader,
                                   points=self.number("points"),
                                   description=self.text("description", 2000))  # fmt: skip
        elif action == "delete":
            self.marking.delete_item(question, self.integer("item"), self.integer("version"),
                                     grader)  # fmt: skip
        elif action == "move":
            offset = self.integer("offset")
            if offset not in (-1, 1):
                raise GradingError("'offset' must be -1 (up) or 1 (down)")
            self.marking.move_item(question, self.integer("item"), offset, grader)
        elif action == "scoring":
            self.marking.set_scoring(question, self.text("scoring", 20),
                                     self.integer("version"), grader)  # fmt: skip
        else:
            raise GradingError(f"unknown action {action!r} (item {item!r})")
        number = self.body.get("number")
        entry = self.marking.by_number.get(number) if isinstance(number, int) else None
        if entry is None:
            self.reply({"ok": True})
            return
        self.reply(answer_state(self.marking, question, entry, self.show_names()))

    def conflict_state(self, error: MarkConflict) -> dict[str, Any]:
        (question,) = self.path_args
        number = self.body.get("number") if hasattr(self, "body") else None
        entry = self.marking.by_number.get(number) if isinstance(number, int) else None
        if entry is None:
            return {}
        return {"state": answer_state(self.marking, question, entry, self.show_names())}


class FilesApi(Api):
    """Write the rubrics back to their file, or the hand-graded part of the feedback files."""

    def post(self, what: str) -> None:
        if what == "rubrics":
            path = self.marking.write_rubrics()
            self.reply({"message": f"wrote {path}"})
        else:
            count = self.marking.write_feedback()
            self.reply({"message": f"wrote the feedback files of {count} submission(s)"})


class NamesApi(Api):
    """Show or hide names (anonymous by default), for this browser."""

    def post(self) -> None:
        show = self.body.get("show") is True
        self.set_cookie(NAMES_COOKIE, "1" if show else "0", **COOKIE_OPTIONS)
        self.reply({"show": show})


# -- the state a page's script works from -----------------------------------------------------


def answer_state(marking: Marking, question: str, entry: Entry, names: bool) -> dict[str, Any]:
    """Everything the rubric panel shows for one answer, as JSON."""
    rubric = marking.rubric(question)
    mark = marking.mark(question, entry)
    counts = marking.item_counts(question)
    before, after = marking.neighbours(entry)
    progress = marking.progress_of(question)
    return {
        "question": question,
        "points": marking.question(question).points,
        "number": entry.number,
        "prev": before,
        "next": after,
        "graded": progress.graded,
        "submitted": progress.submitted,
        "rubric": _rubric_json(rubric, counts),
        "mark": _mark_json(mark),
        "history": [
            {"at": h.at, "grader": h.grader, "action": h.action, "detail": h.detail}
            for h in marking.history(question, entry)
        ],
        "name": entry.name if names else None,
        "origin": entry.origin if names else None,
    }


def _rubric_json(rubric: Rubric, counts: dict[int, int]) -> dict[str, Any]:
    return {
        "scoring": rubric.scoring,
        "base": rubric.base,
        "max": rubric.max_points,
        "version": rubric.version,
        "items": [
            {"id": i.id, "points": i.points, "description": i.description, "version": i.version,
             "count": counts.get(i.id, 0)}
            for i in rubric.items
        ],
    }  # fmt: skip


def _mark_json(mark: Mark) -> dict[str, Any]:
    return {
        "version": mark.version,
        "items": sorted(mark.items),
        "comment": mark.comment,
        "adjustment": mark.adjustment,
        "reason": mark.reason,
        "score": mark.score,
        "updated_by": mark.updated_by,
        "updated_at": mark.updated_at,
    }


def _local(target: str) -> str:
    """A redirect target inside this app only (no //host or scheme: not an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def make_app(marking: Marking, *, port: int, token: str) -> tornado.web.Application:
    return tornado.web.Application(
        [
            (r"/", StartPage),
            (r"/grader", GraderPage),
            (rf"/q/{QUESTION}", QuestionPage),
            (rf"/q/{QUESTION}/next", NextUngraded),
            (rf"/q/{QUESTION}/{NUMBER}", AnswerPage),
            (rf"/api/q/{QUESTION}/{NUMBER}/mark", MarkApi),
            (rf"/api/q/{QUESTION}/rubric", RubricApi),
            (r"/api/write/(rubrics|feedback)", FilesApi),
            (r"/api/names", NamesApi),
            (r"/(similarity\.html|similarity\.csv)", SimilarityFile),
        ],
        marking=marking,
        port=port,
        token=token,
        session=secrets.token_hex(16),
        cookie_secret=secrets.token_bytes(32),
        xsrf_cookies=True,
        xsrf_cookie_kwargs=COOKIE_OPTIONS,
        static_path=str(STATIC),
        static_handler_class=AuthStaticHandler,
        default_handler_class=NotFoundPage,
    )


class NotFoundPage(ServerHandler):
    def prepare(self) -> None:
        super().prepare()
        if not self._finished:
            raise tornado.web.HTTPError(404, reason=f"no page {self.request.path}")
