// Before printing: the light palette (dark ink on white paper, and the light variant of every figure) and every
// collapsed block opened, so that solutions and notes are on the paper too. After printing, both as they were.
(function () {
  let restore = null;

  window.addEventListener("beforeprint", () => {
    if (restore) return; // already prepared (a second beforeprint before afterprint): keep what to restore
    const body = document.body;
    const scheme = body.getAttribute("data-md-color-scheme");
    const closed = [...document.querySelectorAll("details:not([open])")];
    closed.forEach((details) => { details.open = true; });
    body.setAttribute("data-md-color-scheme", "default");
    restore = () => {
      closed.forEach((details) => { details.open = false; });
      if (scheme === null) body.removeAttribute("data-md-color-scheme");
      else body.setAttribute("data-md-color-scheme", scheme);
    };
  });

  window.addEventListener("afterprint", () => {
    if (restore) restore();
    restore = null;
  });
})();
