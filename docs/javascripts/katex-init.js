// The math is rendered when the site is built (tools/mkdocs_hooks.py runs KaTeX), so the browser has nothing to
// typeset. This script does two small things for it: a display formula, a table or a code block wider than its
// box scrolls sideways (extra.css), and keyboard users must be able to focus it to scroll it (WCAG 2.1.1), so it
// joins the tab order while, and only while, it overflows; and once KaTeX's fonts have arrived (they set the
// formulas' final width) it marks the page with data-math-typeset, which the tests wait for. Material's instant
// navigation swaps page bodies without reloading scripts, so every new body arrives through `document$`.
(function () {
  // Code blocks too: Material gives one tabindex 0 when it sees it overflow, but a block that content-visibility
  // (extra.css) has not yet drawn is never seen, so the keyboard would skip it.
  const SCROLLING = "div.arithmatex, span.arithmatex.display, .md-typeset__scrollwrap, pre > code";

  function makeScrollableFocusable(body) {
    for (const element of body.querySelectorAll(SCROLLING)) {
      if (element.scrollWidth > element.clientWidth) element.tabIndex = 0;
      else element.removeAttribute("tabindex");
    }
  }

  document$.subscribe(({ body }) => {
    const math = body.querySelector(".arithmatex");
    document.fonts.ready.then(() => {
      makeScrollableFocusable(body);
      if (math) body.dataset.mathTypeset = "true";
    });
  });
  window.addEventListener("resize", () => makeScrollableFocusable(document.body));
  document.fonts.addEventListener("loadingdone", () => makeScrollableFocusable(document.body));
})();
