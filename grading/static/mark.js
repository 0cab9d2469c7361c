/* The marking app's one script: keyboard, rubric panel and change requests.
 *
 * No framework and no build step. It builds the panel with DOM calls and textContent only
 * (never innerHTML), sends every change as JSON with the page's CSRF token, one at a time so
 * each carries the version the previous one returned, and on a conflict (HTTP 409) shows the
 * server's message and the marks as they now are.
 */
"use strict";
(function () {
  var xsrfMeta = document.querySelector('meta[name="xsrf"]');
  var xsrf = xsrfMeta ? xsrfMeta.getAttribute("content") : "";
  var messageBox = document.getElementById("message");
  var page = document.body.getAttribute("data-page");
  var queue = Promise.resolve();

  function show(text, kind) {
    if (!messageBox) return;
    messageBox.textContent = "";
    messageBox.appendChild(withMath("span", {}, text || ""));
    if (window.renderMath) window.renderMath(messageBox);
    messageBox.className = kind || "info";
    messageBox.hidden = !text;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrf },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data }; },
        function () { return { ok: false, status: response.status, data: { error: "HTTP " + response.status } }; }
      );
    }, function () {
      return { ok: false, status: 0, data: { error: "the server cannot be reached: is `python -m grading mark` still running?" } };
    });
  }

  /* Run changes one after another: each reads the version the previous one left. */
  function enqueue(task) {
    queue = queue.then(task, task);
    return queue;
  }

  function isField(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }

  function signed(points) {
    var text = String(Math.round(points * 1000) / 1000);
    return points > 0 ? "+" + text : points < 0 ? "\u2212" + text.slice(1) : "\u00b10";
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* Text with $...$ parts shown as math (rubric items are the instructor's, still as text). */
  function withMath(tag, attrs, text) {
    var node = el(tag, attrs);
    String(text).split(/(\$[^$]+\$)/).forEach(function (part) {
      if (part.length > 2 && part[0] === "$" && part[part.length - 1] === "$") {
        node.appendChild(el("span", { class: "math inline", text: part.slice(1, -1) }));
      } else if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
    return node;
  }

  function when(stamp) {
    return stamp ? String(stamp).replace("T", " ").replace(/:\d\d(\+00:00)?$/, "") : "";
  }

  function toggleHelp(force) {
    var help = document.getElementById("help");
    if (help) help.hidden = force === undefined ? !help.hidden : !force;
  }

  function toggleNames() {
    var button = document.getElementById("names-toggle");
    var shown = button && button.getAttribute("data-show") === "1";
    post("/api/names", { show: !shown }).then(function (reply) {
      if (reply.ok) location.reload();
      else show(reply.data.error, "error");
    });
  }

  var namesButton = document.getElementById("names-toggle");
  if (namesButton) namesButton.addEventListener("click", toggleNames);
  var helpButton = document.getElementById("help-toggle");
  if (helpButton) helpButton.addEventListener("click", function () { toggleHelp(); });

  /* Keys every page knows; a page's own handler runs first and may claim the key. */
  function commonKey(event) {
    if (event.key === "?") { toggleHelp(); return true; }
    if (event.key === "Escape") { toggleHelp(false); show(""); return true; }
    if (event.key === "s") { toggleNames(); return true; }
    if (event.key === "h") { location.href = "/"; return true; }
    return false;
  }

  function onKeys(handler) {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.metaKey || (event.ctrlKey && event.key !== "Enter")) return;
      if (isField(event.target)) {
        if (event.key === "Escape") { event.target.blur(); event.preventDefault(); }
        return;
      }
      if ((handler && handler(event)) || commonKey(event)) event.preventDefault();
    });
  }

  if (page === "start") {
    ["rubrics", "feedback"].forEach(function (what) {
      var button = document.getElementById("write-" + what);
      if (!button) return;
      button.addEventListener("click", function () {
        post("/api/write/" + what, {}).then(function (reply) {
          show(reply.ok ? reply.data.message : reply.data.error, reply.ok ? "info" : "error");
        });
      });
    });
    onKeys(null);
    return;
  }
  if (page !== "answer") { onKeys(null); return; }

  /* -- the answer page ------------------------------------------------------------------ */
  var state = JSON.parse(document.getElementById("state").textContent);
  var editing = false;
  var base = "/api/q/" + encodeURIComponent(state.question);

  function apply(reply, success) {
    if (reply.ok) {
      state = reply.data;
      render();
      if (success) show(success, "info");
      else show("");
      return true;
    }
    if (reply.data && reply.data.state) { state = reply.data.state; render(); }
    show(reply.data.error || "HTTP " + reply.status, reply.status === 409 ? "conflict" : "error");
    return false;
  }

  function changeMark(change, success) {
    return enqueue(function () {
      var started = performance.now();
      change.version = state.mark.version;
      return post(base + "/" + state.number + "/mark", change).then(function (reply) {
        var ok = apply(reply, success);
        /* How long the grader waited, request to repainted panel (the benchmark reads it). */
        document.body.setAttribute("data-change-ms", (performance.now() - started).toFixed(1));
        return ok;
      });
    });
  }

  function changeRubric(change, success) {
    return enqueue(function () {
      change.number = state.number;
      return post(base + "/rubric", change).then(function (reply) {
        return apply(reply, success);
      });
    });
  }

  function toggleItem(index) {
    var item = state.rubric.items[index];
    if (!item) { show("no rubric item " + (index + 1) + " (add one with i)", "error"); return; }
    var on = state.mark.items.indexOf(item.id) >= 0;
    changeMark(on ? { remove: [item.id] } : { apply: [item.id] });
  }

  function keyOf(index) { return index < 9 ? String(index + 1) : index === 9 ? "0" : ""; }

  function renderScore() {
    var line = document.getElementById("score-line");
    var mark = state.mark;
    line.textContent = "";
    var graded = mark.score !== null && mark.score !== undefined;
    line.appendChild(el("strong", { id: "score", "data-score": graded ? String(mark.score) : "",
      text: graded ? mark.score + " / " + state.points : "not graded yet" }));
    var rest = graded ? " · " + (mark.updated_by || "") + " " + when(mark.updated_at) :
      " · Enter accepts " + state.rubric.base + " / " + state.points;
    line.appendChild(document.createTextNode(rest));
    line.appendChild(el("span", { id: "progress", class: "progress",
      text: " · " + state.graded + " of " + state.submitted + " graded" }));
    var name = document.getElementById("student-name");
    name.textContent = state.name ? state.name + " (" + state.origin + ")" : "";
  }

  function renderItems() {
    var list = document.getElementById("items");
    list.textContent = "";
    state.rubric.items.forEach(function (item, index) {
      var on = state.mark.items.indexOf(item.id) >= 0;
      var li = el("li", { "data-item": String(item.id), class: on ? "applied" : "" });
      if (!editing) {
        var button = el("button", { type: "button", class: "item", "aria-pressed": on ? "true" : "false",
          "data-item": String(item.id), tabindex: "-1" }, [
          el("kbd", { text: keyOf(index) }),
          el("span", { class: "points", text: signed(item.points) }),
          withMath("span", { class: "description" }, item.description),
          el("span", { class: "count", title: "answers with this item", text: String(item.count) }),
        ]);
        button.addEventListener("click", function () { toggleItem(index); });
        li.appendChild(button);
      } else {
        li.appendChild(editForm(item, index));
      }
      list.appendChild(li);
    });
    if (!state.rubric.items.length) {
      list.appendChild(el("li", { class: "empty", text: "no rubric items yet: press i to add one" }));
    }
    if (window.renderMath) window.renderMath(list);
  }

  function editForm(item, index) {
    var form = el("form", { class: "edit-item", autocomplete: "off" });
    var points = el("input", { class: "edit-points", value: String(item.points), size: "6",
      inputmode: "decimal", "aria-label": "points of item " + (index + 1) });
    var text = el("input", { class: "edit-description", value: item.description,
      "aria-label": "description of item " + (index + 1) });
    var up = el("button", { type: "button", class: "up", text: "\u2191", title: "move up" });
    var down = el("button", { type: "button", class: "down", text: "\u2193", title: "move down" });
    var save = el("button", { type: "submit", class: "save", text: "save" });
    var remove = el("button", { type: "button", class: "delete", text: "delete" });
    form.appendChild(el("kbd", { text: keyOf(index) }));
    [points, text, save, up, down, remove].forEach(function (n) { form.appendChild(n); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      changeRubric({ action: "edit", item: item.id, version: item.version,
        points: points.value, description: text.value },
        "item " + (index + 1) + " saved; every answer with it is re-scored");
    });
    up.addEventListener("click", function () { changeRubric({ action: "move", item: item.id, offset: -1 }); });
    down.addEventListener("click", function () { changeRubric({ action: "move", item: item.id, offset: 1 }); });
    remove.addEventListener("click", function () {
      if (remove.getAttribute("data-armed") !== "1") {
        remove.setAttribute("data-armed", "1");
        remove.textContent = "delete? applied to " + item.count + ": press again";
        return;
      }
      changeRubric({ action: "delete", item: item.id, version: item.version }, "item deleted");
    });
    return form;
  }

  function renderHistory() {
    var list = document.getElementById("history");
    list.textContent = "";
    var names = {};
    state.rubric.items.forEach(function (item) { names[item.id] = item.description; });
    state.history.forEach(function (entry) {
      var bits = [];
      (entry.detail.applied || []).forEach(function (id) { bits.push("applied \u201c" + (names[id] || "item " + id) + "\u201d"); });
      (entry.detail.removed || []).forEach(function (id) { bits.push("removed \u201c" + (names[id] || "item " + id) + "\u201d"); });
      if ("comment" in entry.detail) bits.push("comment");
      if ("adjustment" in entry.detail) bits.push("adjustment " + signed(entry.detail.adjustment));
      if ("score" in entry.detail) bits.push("score set to " + entry.detail.score);
      list.appendChild(withMath("li", {}, when(entry.at) + " " + entry.grader + ": " + (bits.join(", ") || entry.action)));
    });
    if (window.renderMath) window.renderMath(list);
  }

  function renderFields() {
    var comment = document.getElementById("comment");
    if (document.activeElement !== comment) comment.value = state.mark.comment;
    var points = document.getElementById("adjust-points");
    var reason = document.getElementById("adjust-reason");
    if (document.activeElement !== points && document.activeElement !== reason) {
      points.value = state.mark.adjustment ? String(state.mark.adjustment) : "";
      reason.value = state.mark.reason;
    }
    document.getElementById("scoring").value = state.rubric.scoring;
    var prev = document.getElementById("prev");
    var next = document.getElementById("next");
    prev.href = state.prev ? "/q/" + state.question + "/" + state.prev : "#";
    next.href = state.next ? "/q/" + state.question + "/" + state.next : "#";
    prev.classList.toggle("disabled", !state.prev);
    next.classList.toggle("disabled", !state.next);
  }

  function render() {
    renderScore();
    renderItems();
    renderHistory();
    renderFields();
    document.body.setAttribute("data-version", String(state.mark.version));
  }

  function go(number) {
    if (number) location.href = "/q/" + encodeURIComponent(state.question) + "/" + number;
  }

  function nextUngraded() {
    enqueue(function () {
      location.href = "/q/" + encodeURIComponent(state.question) + "/next?after=" + state.number;
    });
  }

  function accept() {
    if (state.mark.version === 0) {
      changeMark({}).then(function (ok) { if (ok !== false) nextUngraded(); });
    } else {
      nextUngraded();
    }
  }

  function startEditing(on) {
    editing = on;
    renderItems();
    document.getElementById("panel").classList.toggle("editing", on);
    if (on) {
      var first = document.querySelector("#items .edit-points");
      if (first) first.focus();
      else document.getElementById("new-points").focus();
      show("editing the rubric: Tab between fields, Enter saves a row, Esc ends", "info");
    }
  }

  document.getElementById("new-item").addEventListener("submit", function (event) {
    event.preventDefault();
    var points = document.getElementById("new-points");
    var text = document.getElementById("new-description");
    changeRubric({ action: "add", points: points.value, description: text.value }).then(function (ok) {
      if (!ok) return;
      var index = state.rubric.items.length;
      show("item " + index + " added: press " + keyOf(index - 1) + " to apply it", "info");
      points.value = "";
      text.value = "";
      text.blur();
    });
  });

  document.getElementById("adjust").addEventListener("submit", function (event) {
    event.preventDefault();
    var points = document.getElementById("adjust-points");
    var reason = document.getElementById("adjust-reason");
    changeMark({ adjustment: points.value.trim() ? points.value : 0, reason: reason.value },
      "adjustment saved").then(function (ok) { if (ok) reason.blur(); });
  });

  var comment = document.getElementById("comment");
  function saveComment() {
    if (comment.value !== state.mark.comment) changeMark({ comment: comment.value }, "comment saved");
  }
  comment.addEventListener("blur", saveComment);
  comment.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); comment.blur(); }
  });

  document.getElementById("scoring").addEventListener("change", function (event) {
    changeRubric({ action: "scoring", scoring: event.target.value, version: state.rubric.version });
  });
  document.getElementById("edit-rubric").addEventListener("click", function () { startEditing(!editing); });

  document.addEventListener("keydown", function (event) {
    if (editing && event.key === "Escape" && isField(event.target) && event.target.closest("#items")) {
      startEditing(false);
    }
  }, true);

  onKeys(function (event) {
    var key = event.key;
    if (/^[0-9]$/.test(key)) { toggleItem(key === "0" ? 9 : Number(key) - 1); return true; }
    switch (key) {
      case "j": case "ArrowRight": go(state.next); return true;
      case "k": case "ArrowLeft": go(state.prev); return true;
      case "n": nextUngraded(); return true;
      case "Enter":
        if (event.target.tagName === "A" || event.target.tagName === "BUTTON") return false;
        accept(); return true;
      case "c": comment.focus(); return true;
      case "a": document.getElementById("adjust-points").focus(); return true;
      case "i": document.getElementById("new-points").focus(); return true;
      case "e": startEditing(!editing); return true;
      case "u": location.href = "/q/" + encodeURIComponent(state.question); return true;
      case "Escape": if (editing) { startEditing(false); return true; } return false;
    }
    return false;
  });

  render();
})();
