"""The marking app over plain HTTP: who gets in, what every answer carries, what is refused.

Runs `python -m grading mark` on a copy of the graded samples and talks to it as a browser
(cookies, the CSRF token) or as an attacker would (no token, a wrong one, another host name,
another origin, a forged or stale change, unknown ids).
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from grading.gradebook import Gradebook

pytestmark = pytest.mark.slow


class Client:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        return response.status, dict(response.headers), response.read().decode()

    def xsrf(self, path: str) -> str:
        status, _, body = self.request(path)
        assert status == 200, body[:500]
        return re.search(r'<meta name="xsrf" content="([^"]+)"', body).group(1)

    def post_json(self, path: str, body: dict, xsrf: str, origin: str | None = None):
        headers = {"Content-Type": "application/json", "X-XSRFToken": xsrf,
                   "Origin": origin or self.base}  # fmt: skip
        return self.request(path, json.dumps(body).encode(), headers)


@pytest.fixture(scope="module")
def client(server) -> Client:
    """Logged in with the printed token, named 'http-test'."""
    c = Client(server.base)
    status, headers, _ = c.request(f"/?token={server.token}")
    assert status == 302 and headers["Location"] == "/"
    status, headers, _ = c.request("/")
    assert status == 302 and headers["Location"].startswith("/grader?")
    status, _, body = c.request("/grader")
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', body).group(1)
    form = urlencode({"_xsrf": xsrf, "name": "http-test", "next": "/q/q4a/1"}).encode()
    status, headers, _ = c.request("/grader", form, {"Origin": server.base})
    assert status == 302 and headers["Location"] == "/q/q4a/1"
    return c


def test_nothing_without_the_token(server):
    stranger = Client(server.base)
    for path in ("/", "/q/q4a/1", "/static/mark.js", "/static/katex/katex.min.js",
                 "/similarity.html", "/nope"):  # fmt: skip
        status, _, body = stranger.request(path)
        assert status == 403, path
        assert "python -m grading mark" in body or path.startswith("/static"), path
    status, _, _ = stranger.request("/?token=" + "0" * len(server.token))
    assert status == 403
    status, _, _ = stranger.post_json("/api/q/q4a/1/mark", {"version": 0}, "x")
    assert status == 403


def test_token_login_sets_a_strict_http_only_cookie_and_drops_the_token(server):
    c = Client(server.base)
    status, headers, _ = c.request(f"/q/q4a?token={server.token}&done=1")
    assert status == 302 and headers["Location"] == "/q/q4a?done=1"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert server.token not in cookie


def test_a_script_may_use_the_token_header(server):
    c = Client(server.base)
    status, headers, _ = c.request("/", headers={"Authorization": f"token {server.token}"})
    assert status == 302 and headers["Location"].startswith("/grader")  # in, but unnamed


def test_other_host_names_are_refused(server, client):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", f"/?token={server.token}", headers={"Host": "evil.example:80"})
    assert connection.getresponse().status == 403


def test_every_page_carries_the_security_headers(client):
    status, headers, body = client.request("/q/q4a/1")
    assert status == 200
    csp = headers["Content-Security-Policy"]
    wanted = ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
              "frame-ancestors 'none'", "base-uri 'none'")  # fmt: skip
    for directive in wanted:
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert re.match(r"app;dur=[0-9.]+$", headers["Server-Timing"])
    scripts = re.findall(r"<script([^>]*)>", body)
    assert scripts and all(
        re.search(r'src="/static/', attrs) or 'type="application/json"' in attrs
        for attrs in scripts
    ), scripts  # no inline script: the only one is data
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", body)


def test_changes_need_the_csrf_token_and_the_same_origin(client):
    xsrf = client.xsrf("/q/q4a/1")
    status, _, _ = client.post_json("/api/q/q4a/1/mark", {"version": 0}, "forged")
    assert status == 403
    status, _, _ = client.post_json("/api/q/q4a/1/mark", {"version": 0}, xsrf,
                                    origin="http://evil.example")  # fmt: skip
    assert status == 403


def test_unknown_ids_and_bad_fields_are_refused_by_name(client):
    xsrf = client.xsrf("/q/q4a/1")
    assert client.request("/q/q1a/1")[0] == 404  # autograded: not hand-graded
    status, _, body = client.request("/q/q4a/9999")
    assert status == 404 and "no answer sheet #9999" in body
    assert client.request("/q/q4a/1%3Cscript%3E")[0] == 404
    cases = [
        ("/api/q/q4a/1/mark", {"version": "0"}, 400, "'version' must be a whole number"),
        ("/api/q/q4a/1/mark", {"version": 0, "apply": [987654]}, 404, "no rubric item 987654"),
        ("/api/q/q4a/1/mark", {"version": 0, "apply": ["1"]}, 400, "list of item ids"),
        ("/api/q/q4a/1/mark", {"version": 0, "adjustment": "x", "reason": "r"}, 400,
         "'x' is not a number"),
        ("/api/q/nope/1/mark", {"version": 0}, 404, "no hand-graded question 'nope'"),
        ("/api/q/q4a/rubric", {"action": "add", "points": 1, "description": ""}, 400,
         "needs a description"),
        ("/api/q/q4a/rubric", {"action": "explode"}, 400, "unknown action"),
    ]  # fmt: skip
    for path, body, expected, message in cases:
        status, _, text = client.post_json(path, body, xsrf)
        assert status == expected, (path, body, text)
        assert message in json.loads(text)["error"], (message, text)
    headers = {"Content-Type": "application/json", "X-XSRFToken": xsrf, "Origin": client.base}
    status, _, text = client.request("/api/q/q4a/1/mark", b"[1", headers)
    assert status == 400 and "not JSON" in text


def test_stale_change_gets_409_with_the_current_marks(client, server):
    xsrf = client.xsrf("/q/q6b/2")
    with Gradebook(server.out / "gradebook.sqlite") as book:
        first_item = book.rubric("q6b").items[0].id
    status, _, text = client.post_json("/api/q/q6b/2/mark", {"version": 0, "apply": [first_item]},
                                       xsrf)  # fmt: skip
    assert status == 200, text
    state = json.loads(text)
    assert state["mark"]["items"] == [first_item] and state["mark"]["version"] == 1
    status, _, text = client.post_json("/api/q/q6b/2/mark", {"version": 0, "apply": []}, xsrf)
    reply = json.loads(text)
    assert status == 409
    assert "http-test changed this answer" in reply["error"] and "not saved" in reply["error"]
    assert reply["state"]["mark"]["version"] == 1


def test_similarity_report_is_linked_and_served_only_when_written(client, server):
    assert client.request("/similarity.html")[0] == 404
    assert "similarity report" not in client.request("/")[2]
    (server.out / "similarity.html").write_text("<h1>similar</h1><script>alert(1)</script>")
    status, headers, body = client.request("/similarity.html")
    assert status == 200 and "<h1>similar</h1>" in body
    assert "script-src" not in headers["Content-Security-Policy"]  # so default-src 'none'
    assert 'href="/similarity.html"' in client.request("/")[2]
    assert client.request("/similarity.json")[0] == 404


def mark_cli(*args: str):
    import subprocess
    import sys

    from .conftest import ROOT

    return subprocess.run([sys.executable, "-m", "grading", "mark", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)  # fmt: skip


def test_broken_rubric_file_stops_the_app_and_touches_no_mark(server, tmp_path):
    broken = tmp_path / "rubrics.yaml"
    broken.write_text("q4a:\n  scoring: positive\n  items:\n  - points: lots\n    description: x\n")
    with Gradebook(server.out / "gradebook.sqlite") as book:
        before = (book.manual_scores(), book.hand_grading_log(limit=1000))
    done = mark_cli("--out", str(server.out), "--rubrics", str(broken), "--write-feedback")
    assert done.returncode == 2
    assert f"{broken}: 1 problem(s), nothing loaded" in done.stderr
    assert "q4a.items[1].points: 'lots' is not a number" in done.stderr
    with Gradebook(server.out / "gradebook.sqlite") as book:
        assert (book.manual_scores(), book.hand_grading_log(limit=1000)) == before
    done = mark_cli("--out", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "no gradebook (run `python -m grading grade` first)" in (
        done.stderr
    )


def test_write_rubrics_and_feedback_from_the_command_line(server, rubric_copy, tmp_path):
    target = tmp_path / "written.yaml"
    target.write_text(rubric_copy.read_text())
    done = mark_cli("--out", str(server.out), "--rubrics", str(target), "--write-rubrics",
                    "--write-feedback")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote {target}" in done.stdout and "feedback of 7 submission(s)" in done.stdout
    assert target.read_text().startswith("# Rubrics of the hand-graded questions")
    texts = [p.read_text() for p in (server.out / "feedback").glob("*.txt")]
    assert len(texts) == 7 and all("\n== Graded by hand ==\n" in t for t in texts)
    assert len(list((server.out / "feedback").glob("*.html"))) == 7


def test_rubric_items_are_added_moved_edited_and_deleted_over_the_api(client):
    xsrf = client.xsrf("/q/q6d/3")

    def rubric(body: dict) -> tuple[int, dict]:
        status, _, text = client.post_json("/api/q/q6d/rubric", {**body, "number": 3}, xsrf)
        return status, json.loads(text)

    status, state = rubric({"action": "add", "points": "0.5", "description": "Neat"})
    assert status == 200 and state["rubric"]["items"][-1]["description"] == "Neat"
    item = state["rubric"]["items"][-1]
    status, state = rubric({"action": "move", "item": item["id"], "offset": -1})
    assert [i["id"] for i in state["rubric"]["items"]][-2] == item["id"]
    status, state = rubric({"action": "edit", "item": item["id"], "version": item["version"],
                            "points": 0.75, "description": "Neat and short"})  # fmt: skip
    assert status == 200
    status, reply = rubric({"action": "edit", "item": item["id"], "version": item["version"],
                            "points": 1, "description": "stale"})  # fmt: skip
    assert status == 409 and "http-test changed the item 'Neat and short'" in reply["error"]
    status, reply = rubric({"action": "delete", "item": item["id"], "version": item["version"]})
    assert status == 409  # a stale delete is refused too
    status, state = rubric({"action": "delete", "item": item["id"], "version": item["version"] + 1})
    assert status == 200 and item["id"] not in [i["id"] for i in state["rubric"]["items"]]
    status, reply = rubric({"action": "move", "item": item["id"], "offset": 1})
    assert status == 404 and f"no rubric item {item['id']}" in reply["error"]
    status, reply = rubric({"action": "scoring", "scoring": "sideways", "version": 1})
    assert status == 400 and "scoring must be one of positive, negative" in reply["error"]
