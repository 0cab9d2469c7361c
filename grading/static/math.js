/* Renders the TeX of every .math element with the vendored KaTeX (grading/static/katex).
 *
 * The TeX is a student's: KaTeX runs with trust off (\href, \url, \includegraphics and \html*
 * do nothing), bounded macro expansion and sizes, and each formula gets its own macro table
 * so a \def in one answer cannot change another. A formula KaTeX cannot parse (or that
 * exceeds the limits) stays visible as its source, in red (class math-error).
 * Sets data-math-rendered on <html> when done (tests and benchmarks).
 */
"use strict";
(function () {
  function renderMath(root) {
    var count = 0;
    if (typeof katex === "undefined") {
      document.documentElement.setAttribute("data-math-rendered", "unavailable");
      return 0;
    }
    var nodes = (root || document).querySelectorAll(".math:not([data-rendered])");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var tex = el.textContent;
      el.setAttribute("data-rendered", "1");
      try {
        katex.render(tex, el, {
          displayMode: el.classList.contains("display"),
          throwOnError: true, // KaTeX's own error display sets a style attribute: CSP refuses it
          trust: false,
          strict: "ignore",
          maxExpand: 500,
          maxSize: 20,
          macros: {},
          output: "htmlAndMathml",
        });
        count++;
      } catch (error) {
        el.textContent = tex;
        el.classList.add("math-error");
        el.setAttribute("title", String(error && error.message || error).slice(0, 300));
      }
    }
    document.documentElement.setAttribute("data-math-rendered", String(count));
    if (window.performance && performance.mark) performance.mark("math-rendered");
    return count;
  }
  window.renderMath = renderMath;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { renderMath(document); });
  } else {
    renderMath(document);
  }
})();
