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

  document$.subscribe(({ body }) => {
    if (!body.querySelector(".arithmatex")) return;
    loadKatex().then(() => {
      for (const element of body.querySelectorAll(".arithmatex")) {
        renderMathInElement(element, {
          delimiters: [
            { left: "\\[", right: "\\]", display: true },
            { left: "\\(", right: "\\)", display: false },
          ],
          throwOnError: true,
        });
      }
      body.dataset.mathTypeset = "true";
    });
  });
})();
