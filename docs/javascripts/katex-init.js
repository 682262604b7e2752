// The math is rendered when the site is built (tools/mkdocs_hooks.py runs KaTeX), so the browser has nothing to
// typeset. This script does two small things for it: a display formula wider than its box scrolls sideways
// (extra.css), and keyboard users must be able to focus it to scroll it (WCAG 2.1.1), so it joins the tab order
// while, and only while, it overflows; and once KaTeX's fonts have arrived (they set the formulas' final width) it
// marks the page with data-math-typeset, which the tests wait for. Material's instant navigation swaps page bodies
// without reloading scripts, so every new body arrives through `document$`.
(function () {
  const SCROLLING_MATH = "div.arithmatex, span.arithmatex.display";

  function makeScrollableFocusable(body) {
    for (const element of body.querySelectorAll(SCROLLING_MATH)) {
      if (element.scrollWidth > element.clientWidth) element.tabIndex = 0;
      else element.removeAttribute("tabindex");
    }
  }

  document$.subscribe(({ body }) => {
    if (!body.querySelector(".arithmatex")) return;
    document.fonts.ready.then(() => {
      makeScrollableFocusable(body);
      body.dataset.mathTypeset = "true";
    });
  });
  window.addEventListener("resize", () => makeScrollableFocusable(document.body));
  document.fonts.addEventListener("loadingdone", () => makeScrollableFocusable(document.body));
})();
