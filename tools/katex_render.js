// Render TeX to HTML with the KaTeX the site serves (docs/assets/katex/katex.min.js), for tools/mkdocs_hooks.py.
//
//     node tools/katex_render.js KATEX_JS < [{"tex": "...", "display": true}, ...] > [{"html": "..."} | {"error": "..."}]
const katex = require(process.argv[2]);

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const rendered = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true }) };
    } catch (error) {
      return { error: error.message };
    }
  });
  process.stdout.write(JSON.stringify(rendered));
});
