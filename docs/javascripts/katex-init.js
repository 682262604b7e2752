// Typeset the math that pymdownx.arithmatex leaves in the page, with the KaTeX files this site serves.
// KaTeX (about 300 KB with its CSS) is loaded only by pages that contain math, and only once:
// Material's instant navigation swaps page bodies without reloading scripts, so every new body
// arrives through `document$`.
(function () {
  const base = new URL("../assets/katex/", document.currentScript.src);
  let katexReady = null;

  function load(tag, attributes) {
    return new Promise((resolve, reject) => {
      const element = Object.assign(document.createElement(tag), attributes);
      element.onload = resolve;
      element.onerror = () => reject(new Error("could not load " + (attributes.src || attributes.href)));
      document.head.appendChild(element);
    });
  }

  function loadKatex() {
    katexReady ??= Promise.all([
      load("link", { rel: "stylesheet", href: new URL("katex.min.css", base).href }),
      load("script", { src: new URL("katex.min.js", base).href }).then(() =>
        load("script", { src: new URL("contrib/auto-render.min.js", base).href })),
    ]);
    return katexReady;
  }

  // A display equation wider than its box scrolls sideways (extra.css); keyboard users must be able to focus it
  // to scroll it (WCAG 2.1.1), so it joins the tab order while, and only while, it overflows.
  function makeScrollableFocusable(body) {
    for (const element of body.querySelectorAll("div.arithmatex, span.arithmatex.display")) {
      if (element.scrollWidth > element.clientWidth) element.tabIndex = 0;
      else element.removeAttribute("tabindex");
    }
  }

  // Typeset copies of the math elements, away from the page, in slices of about 40 ms with a pause for the
  // browser between them; then put all of them in the page at once. Each change to the page makes the browser
  // lay it out again, and Material measure its headings again, so one change costs far less than one per
  // slice; and no task blocks input for long (Lighthouse's total blocking time counts each beyond 50 ms).
  async function typeset(body) {
    const elements = [...body.querySelectorAll(".arithmatex")];
    const typeset = [];
    let sliceStart = performance.now();
    for (const element of elements) {
      const copy = element.cloneNode(true);
      renderMathInElement(copy, {
        delimiters: [
          { left: "\\[", right: "\\]", display: true },
          { left: "\\(", right: "\\)", display: false },
        ],
        throwOnError: true,
      });
      typeset.push(copy);
      if (performance.now() - sliceStart > 40) {
        await new Promise((resolve) => setTimeout(resolve));
        sliceStart = performance.now();
      }
    }
    elements.forEach((element, i) => element.replaceChildren(...typeset[i].childNodes));
    // KaTeX's fonts are asked for by the next layout and widen the math when they arrive: wait for them.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    await document.fonts.ready;
    makeScrollableFocusable(body);
    body.dataset.mathTypeset = "true";
  }

  document$.subscribe(({ body }) => {
    if (!body.querySelector(".arithmatex")) return;
    loadKatex().then(() => typeset(body));
  });
  window.addEventListener("resize", () => makeScrollableFocusable(document.body));
  document.fonts.addEventListener("loadingdone", () => makeScrollableFocusable(document.body));
})();
