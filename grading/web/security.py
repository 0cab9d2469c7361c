"""What every response of the marking app does before and after its handler runs.

The app shows hostile content (students' answers) to a logged-in grader, so each layer holds
on its own: only the token's holder gets in (a signed, HttpOnly, SameSite=Strict cookie after
``?token=``), only 127.0.0.1/localhost host names are answered (no DNS rebinding), every change
needs the CSRF token and a same-origin request, and every page carries a Content-Security-Policy
that allows scripts, styles and fonts from this app only, no inline script, no foreign request.
"""

from __future__ import annotations

import hmac
import json
import time
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import tornado.web

from ..errors import GradingError
from ..gradebook import MarkConflict, UnknownRecord
from .marking import Marking, NotFound

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self';"
    " img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
AUTH_COOKIE = "grading-auth"
GRADER_COOKIE = "grading-grader"
NAMES_COOKIE = "grading-names"
COOKIE_OPTIONS: dict[str, Any] = {"httponly": True, "samesite": "Strict", "path": "/"}
MAX_BODY = 64 * 1024


class Guard(tornado.web.RequestHandler):
    """Who may ask: the token's holder (cookie or header), on a loopback host name only."""

    def authenticated(self) -> bool:
        cookie = self.get_signed_cookie(AUTH_COOKIE, max_age_days=31)
        if cookie is not None and hmac.compare_digest(cookie, self.settings["session"].encode()):
            return True
        return self._header_token_ok()

    def _header_token_ok(self) -> bool:
        header = self.request.headers.get("Authorization", "")
        return header.startswith("token ") and self._token_ok(header.removeprefix("token "))

    def _token_ok(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self.settings["token"].encode())

    def _host_allowed(self) -> bool:
        host = self.request.host.lower()
        port = self.settings["port"]
        return host in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


class ServerHandler(Guard):
    """Authentication, host and origin checks, security headers and errors for every route."""

    @property
    def marking(self) -> Marking:
        return self.application.settings["marking"]

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")  # no-referrer would send Origin: null
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Cross-Origin-Opener-Policy", "same-origin")
        self.set_header("Cross-Origin-Resource-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        self._started = time.perf_counter()
        if not self._host_allowed():
            raise tornado.web.HTTPError(403, reason="unknown host name")
        token = self.get_query_argument("token", None)
        if token is not None and self.request.method == "GET":
            if not self._token_ok(token):
                raise tornado.web.HTTPError(403, reason="wrong token")
            self.set_signed_cookie(AUTH_COOKIE, self.settings["session"], **COOKIE_OPTIONS)
            rest = {k: v[-1] for k, v in self.request.query_arguments.items() if k != "token"}
            query = urlencode({k: v.decode() for k, v in rest.items()})
            self.redirect(self.request.path + (f"?{query}" if query else ""))
            return
        if not self.authenticated():
            raise tornado.web.HTTPError(403, reason="not logged in")
        if self.request.method not in ("GET", "HEAD") and not self._same_origin():
            raise tornado.web.HTTPError(403, reason="cross-origin request")

    def check_xsrf_cookie(self) -> None:
        """Tornado's double-submit check, except for scripts that send the token in a header
        (a browser never adds that header by itself, so it cannot be forged cross-site)."""
        if not self._header_token_ok():
            super().check_xsrf_cookie()

    def _same_origin(self) -> bool:
        origin = self.request.headers.get("Origin")
        if origin is None:  # browsers send Origin with every POST: a script, with the token
            return self._header_token_ok()
        return origin == f"{self.request.protocol}://{self.request.host}"

    def grader(self) -> str | None:
        value = self.get_signed_cookie(GRADER_COOKIE, max_age_days=31)
        return value.decode() if value else None

    def show_names(self) -> bool:
        return self.get_cookie(NAMES_COOKIE) == "1"

    def finish(self, chunk: Any = None):  # type: ignore[override]
        started = getattr(self, "_started", None)
        if started is not None and not self._headers_written:
            elapsed = (time.perf_counter() - started) * 1000
            self.set_header("Server-Timing", f"app;dur={elapsed:.2f}")
        return super().finish(chunk)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A page or JSON with the message; a grader's mistake gets its own status."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        extra: dict[str, Any] = {}
        if isinstance(error, tornado.web.HTTPError):
            message = error.reason or HTTPStatus(status_code).phrase
        elif isinstance(error, GradingError):
            status_code = next((s for t, s in _STATUS.items() if isinstance(error, t)), 400)
            message = str(error)
            if isinstance(error, MarkConflict):
                extra = self.conflict_state(error)
        else:
            message = "the server failed; see the terminal running `python -m grading mark`"
        if status_code == 403 and message == "not logged in":
            message = (
                "not logged in: open the URL with ?token=... that `python -m grading mark` printed"
            )
        self.set_status(status_code)
        if self.request.path.startswith("/api/"):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": message, **extra}))
        else:
            from ..templating import render

            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(render("mark/error.html.j2", status=status_code, message=message))

    def conflict_state(self, error: MarkConflict) -> dict[str, Any]:
        """What the page needs to show the current state after a conflict (per handler)."""
        return {}

    def log_exception(self, typ, value, tb) -> None:  # type: ignore[override]
        if isinstance(value, GradingError):
            return  # the grader's mistake, answered with its message: not a server problem
        super().log_exception(typ, value, tb)


_STATUS: dict[type, int] = {NotFound: 404, UnknownRecord: 404, MarkConflict: 409}


class AuthStaticHandler(tornado.web.StaticFileHandler, Guard):
    """Static assets (KaTeX, scripts, styles) for logged-in graders only, cached for a day."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cross-Origin-Resource-Policy", "same-origin")

    def prepare(self) -> None:
        if not self._host_allowed() or not self.authenticated():
            raise tornado.web.HTTPError(403)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "private, max-age=86400")
