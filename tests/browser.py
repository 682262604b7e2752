"""Headless Chromium (Debian's, driven by Playwright) against a built site served on 127.0.0.1.
Used by test_browser.py and by tools/bench.py."""

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Without the background-networking flags Chromium tries to reach Google's hosts at every start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_path():
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


def page_urls(project):
    """(docs path, URL path) for every page, as MkDocs lays them out with directory URLs; the labs
    (docs/labs/lab*.py, rendered by mkdocs-jupyter) are pages too."""
    urls = []
    for page in sorted([*project.pages(), *project.docs.glob("labs/lab*.py")]):
        rel = page.relative_to(project.docs).with_suffix("").as_posix()
        path = "" if rel == "index" else rel.removesuffix("/index") + "/"
        urls.append((page.relative_to(project.root).as_posix(), path))
    return urls


@dataclass
class Visit:
    url: str
    console_errors: list = field(default_factory=list)
    foreign_requests: list = field(default_factory=list)
    bytes_by_type: dict = field(default_factory=dict)  # transferred (compressed) body bytes
    status: int | None = None  # the HTTP status of the document itself


def new_context(browser, base_url, **options):
    """A fresh browser context in which any request to another host is recorded (by open_page) and aborted."""
    local = urlparse(base_url).netloc
    context = browser.new_context(**options)
    context.route(lambda u: urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != local,
                  lambda route: route.abort())
    return context


def open_page(context, url, base_url, on_page=None):
    """Load a page, recording console errors, requests to other hosts and the bytes transferred; on_page(page), if
    given, is called before the page loads (to listen to its events)."""
    visit = Visit(url)
    local = urlparse(base_url).netloc

    def on_request(request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != local:
            visit.foreign_requests.append(request.url)

    def on_response(response):
        try:
            size = response.request.sizes()["responseBodySize"]
        except Exception:  # a response whose body was never read (for example an aborted one)
            return
        kind = response.request.resource_type
        kind = {"stylesheet": "css", "script": "js", "document": "html", "font": "fonts"}.get(kind, kind)
        visit.bytes_by_type[kind] = visit.bytes_by_type.get(kind, 0) + size

    page = context.new_page()
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("console", lambda message: message.type == "error" and visit.console_errors.append(message.text))
    page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
    if on_page is not None:
        on_page(page)
    response = page.goto(url, wait_until="networkidle")
    visit.status = response.status if response is not None else None
    return page, visit


def wait_for_math(page, timeout_ms=15_000):
    """Wait until katex-init.js has typeset the page's math; returns how many math elements it has."""
    count = page.locator(".arithmatex").count()
    if count:
        page.wait_for_selector("body[data-math-typeset]", state="attached", timeout=timeout_ms)
    return count


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def page_title(path):
    """A page's title: its first line, or for a lab (jupytext percent format, which opens with `# %% [markdown]`)
    its first Markdown heading, `# # Title`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".py":
        lines = [line.removeprefix("# ") for line in lines if line.startswith("# # ")]
    return lines[0].lstrip("# ").strip()


# --- Accessibility (axe-core), Lighthouse and the mobile layout: test_quality.py and tools/bench.py ---
ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"  # `npm ci` from package-lock.json (the Makefile's node-packages target)
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_SCRIPT = ROOT / "tests" / "lighthouse.mjs"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.0 and 2.1, levels A and AA
AXE_FAILING_IMPACTS = ("serious", "critical")
# Third-party markup that cannot be fixed at its source; each entry is the narrowest selector, with why.
AXE_EXCLUDE = []


def node_packages_missing():
    """A sentence saying what is missing for the axe-core and Lighthouse checks, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the set-up installs Debian's nodejs and npm: run `make test`)"
    for package in ("axe-core", "lighthouse", "chrome-launcher"):
        if not (NODE_MODULES / package / "package.json").is_file():
            return f"node_modules/{package} is missing (`make test` runs `npm ci` from package-lock.json)"
    return None


RENDER_EVERYTHING = "* { content-visibility: visible !important; }"


def render_everything(page):
    """Draw the whole page now, including the blocks that extra.css leaves until they near the screen
    (content-visibility: auto): what a reader sees by scrolling through it. A skipped block keeps the styles
    it had when it was last drawn, so without this a change of palette is not seen in it. Returns once the page
    is drawn and the fonts it asked for have arrived."""
    page.add_style_tag(content=RENDER_EVERYTHING)
    page.evaluate("""async () => {
        // Two frames: the blocks are laid out and drawn; then every font that drawing them asked for.
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        await document.fonts.ready;
    }""")


def run_axe(page, tags=AXE_TAGS, exclude=AXE_EXCLUDE):
    """axe-core's WCAG rules on the whole page as it is now (render_everything first); returns the violations as
    dicts with the rule's id, impact, help text and URL, and the CSS selectors of the elements at fault."""
    render_everything(page)
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate("""async ([tags, exclude]) => {
        const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])} : document;
        const results = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
        return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            targets: v.nodes.map(n => n.target.join(" ")),
            summaries: v.nodes.map(n => n.failureSummary)}));
    }""", [list(tags), list(exclude)])


def run_lighthouse(base_url, paths, out_dir, timeout_s=1800):
    """Lighthouse (tests/lighthouse.mjs: desktop preset, simulated throttling) on each URL path, in one
    headless Chromium; JSON reports go to out_dir. Returns one dict per page: path, report, seconds,
    performance and accessibility (0 to 1), bytes (transferred), requests (URLs) and failing (audits)."""
    env = {**os.environ, "CHROME_PATH": chromium_path() or "/usr/bin/chromium"}
    done = subprocess.run(["node", str(LIGHTHOUSE_SCRIPT), base_url, str(out_dir), *paths], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout_s)
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(results) != len(paths):
        raise RuntimeError(f"tests/lighthouse.mjs failed (exit {done.returncode}) after {len(results)} of "
                           f"{len(paths)} pages:\n{done.stderr[-4000:]}")
    return results


def run_lighthouse_median(base_url, paths, out_dir, min_performance, runs=3):
    """run_lighthouse, then twice more for the pages whose performance score is under min_performance: a page's
    score varies from run to run (CPU load, timers), and Lighthouse's documentation advises the median of several
    runs. Such a page's performance is the median of its runs; every result lists its scores under "runs".
    The reports of the extra runs go to out_dir/run-2/ and out_dir/run-3/."""
    results = run_lighthouse(base_url, paths, out_dir)
    for result in results:
        result["runs"] = [result["performance"]]
    by_path = {result["path"]: result for result in results}
    for run in range(2, runs + 1):
        again = [path for path, result in by_path.items() if result["performance"] is not None
                 and len(result["runs"]) == run - 1 and result["performance"] < min_performance]
        if not again:
            break
        for extra in run_lighthouse(base_url, again, Path(out_dir) / f"run-{run}"):
            result = by_path[extra["path"]]
            result["runs"].append(extra["performance"])
            if None not in result["runs"]:
                result["performance"] = statistics.median(result["runs"])
    return results


def lighthouse_table(rows):
    """The per-page table: page, KB transferred, performance (with every run's score when there were several)
    and accessibility scores, seconds taken."""
    lines = [f"{'page':34}{'KB':>8}{'perf':>6}{'a11y':>6}{'time':>8}  perf of each run"]
    for source, result in rows:
        score = {k: "-" if result[k] is None else f"{round(100 * result[k])}" for k in ("performance", "accessibility")}
        runs = result.get("runs", [])
        each = "/".join("-" if r is None else f"{round(100 * r)}" for r in runs) if len(runs) > 1 else ""
        lines.append(f"{source.removeprefix('docs/'):34}{result['bytes'] / 1024:8.1f}{score['performance']:>6}"
                     f"{score['accessibility']:>6}{result['seconds']:7.1f}s  {each}".rstrip())
    return "\n".join(lines)


# Elements of running prose: none of them may be wider than a phone's screen. Code blocks, tables and display
# math scroll inside their own box, so what is inside them is left out.
PROSE_SELECTOR = ("article p, article li, article h1, article h2, article h3, article h4, article h5, article h6, "
                  "article .admonition, article details, article figure, article img, article blockquote")
SCROLLING_BOXES = "pre, .highlight, .md-typeset__scrollwrap, table, div.arithmatex, .katex-display"


def horizontal_overflow(page):
    """How the page fits the viewport's width: the document's scroll width and the viewport's, and the prose
    elements that stick out (tag, classes, text, left and right edges in CSS pixels)."""
    return page.evaluate("""([prose, boxes]) => {
        const width = window.innerWidth;
        const wide = [];
        for (const element of document.querySelectorAll(prose)) {
            if (element.closest(boxes) || !element.getClientRects().length) continue;
            const box = element.getBoundingClientRect();
            if (box.left < -1 || box.right > width + 1) {
                wide.push({tag: element.tagName.toLowerCase(), classes: element.className,
                           text: (element.innerText || element.alt || "").trim().slice(0, 60),
                           left: Math.round(box.left), right: Math.round(box.right)});
            }
        }
        return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
    }""", [PROSE_SELECTOR, SCROLLING_BOXES])


SCROLLING_CODE_AND_TABLES = "article pre > code, article .md-typeset__scrollwrap"


def overflowing_boxes(page, selector=SCROLLING_CODE_AND_TABLES, slack=1):
    """The boxes matching selector that are more than `slack` px wider than their box: their first characters,
    how many edge shadows they draw (the scroll cue of extra.css is one radial gradient on each side) and their
    tabIndex."""
    return page.evaluate("""([selector, slack]) => [...document.querySelectorAll(selector)]
        .filter(box => box.scrollWidth > box.clientWidth + slack)
        .map(box => ({text: box.textContent.trim().slice(0, 40), tabIndex: box.tabIndex,
                      shadows: getComputedStyle(box).backgroundImage.split("radial-gradient").length - 1}))""",
                         [selector, slack])


def without_scroll_cue(boxes):
    """Those of the overflowing boxes that lack the scroll cue, two edge shadows, or that the keyboard cannot
    reach (tabindex 0)."""
    return [box for box in boxes if box["shadows"] != 2 or box["tabIndex"] != 0]


def scroll_boxes_without_cue(page):
    """Code blocks, outputs and tables wider than their box without the scroll cue or keyboard focus."""
    return without_scroll_cue(overflowing_boxes(page))


def copy_buttons_over_code(page):
    """Copy buttons (Material's, in .md-code__nav) drawn over a line of the code they copy (the line boxes of its
    text, scrolled to the start): the first characters of each such block. extra.css puts the button in the
    block's title bar, or above the first line of a block without a title."""
    return page.evaluate("""() => {
        const over = [];
        for (const nav of document.querySelectorAll("article pre > .md-code__nav")) {
            const code = nav.parentElement.querySelector(":scope > code");
            if (!code || !nav.getClientRects().length) continue;
            const a = nav.getBoundingClientRect(), text = document.createRange();
            text.selectNodeContents(code);
            const hit = [...text.getClientRects()].some(b => b.width > 0 &&
                a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
            if (hit) over.push(code.textContent.trim().slice(0, 40));
        }
        return over;
    }""")


# Figures' text, in CSS px as the reader sees it, at 1280 px and on a 390 px phone: a label at least 10 (issue 19's
# floor), an exponent or index in one at least 7, TeX's 70 % of it.
FIGURE_TEXT_PX, FIGURE_SCRIPT_PX = 10, 7


def small_figure_text(page):
    """The figures on the page whose text is under the floors above, with their sizes."""
    return [size for size in figure_text_sizes(page)
            if size["text"] < FIGURE_TEXT_PX or size["script"] < FIGURE_SCRIPT_PX]


def figure_text_sizes(page):
    """The text of every figure the page shows (docs/figures/, the variant the browser chose), in CSS px as
    drawn: {file, width, text, script}, where text is the smallest font of a label and script the smallest of
    an exponent or index inside one (matplotlib writes each label as a <g id="text_N">; in a label with several
    sizes, those below its largest are scripts, which TeX draws at 70 %)."""
    return page.evaluate("""async () => {
        const sizes = [];
        for (const image of document.querySelectorAll("article img[src*='/figures/']")) {
            const file = image.currentSrc.split("#")[0];
            if (!image.checkVisibility() || !file.endsWith(".svg")) continue;
            const svg = new DOMParser().parseFromString(await (await fetch(file)).text(),
                                                        "image/svg+xml").documentElement;
            const scale = image.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const size = (node) => Number((node.getAttribute("style") || "").match(
                /font(?:-size)?:\\s*([0-9.]+)px/)?.[1] ?? NaN);
            let text = Infinity, script = Infinity;
            for (const label of svg.querySelectorAll("g[id^='text_']")) {
                const found = [...label.querySelectorAll("text, tspan"), label].map(size).filter(Number.isFinite);
                if (!found.length) continue;
                const largest = Math.max(...found);
                text = Math.min(text, largest);
                for (const s of found) if (s < largest) script = Math.min(script, s);
            }
            sizes.push({file: file.split("/figures/")[1], width: Math.round(image.width),
                        text: +(text * scale).toFixed(2), script: +(script * scale).toFixed(2)});
        }
        return sizes;
    }""")


def short_formulas_broken(page, most_glyphs):
    """Inline formulas of at most most_glyphs drawn characters that the browser broke across two lines (an inline
    element broken across lines has a client rectangle on each)."""
    return page.evaluate(r"""(most) => {
        const broken = [];
        for (const math of document.querySelectorAll("article span.arithmatex:not(.display)")) {
            const drawn = math.querySelector(".katex-html");
            if (!drawn || drawn.textContent.replace(/\s/g, "").length > most) continue;
            const tops = new Set([...math.getClientRects()].map(rect => Math.round(rect.top)));
            if (tops.size > 1) broken.push(math.querySelector("annotation")?.textContent.slice(0, 40) ?? "");
        }
        return broken;
    }""", most_glyphs)


def punctuation_parted_from_math(page):
    """Inline formulas whose touching punctuation ("$x$," or "($x$") was drawn on another line than the formula:
    "before: TEXT | FORMULA" or "after: FORMULA | TEXT". tools/mkdocs_hooks.py ties short formulas to it."""
    return page.evaluate(r"""() => {
        const parted = [];
        const snippet = (math) => math.querySelector(".katex-mathml annotation")?.textContent.slice(0, 40) ?? "";
        for (const math of document.querySelectorAll("article span.arithmatex:not(.display)")) {
            const rects = math.getClientRects();
            if (!rects.length) continue;
            const [first, last] = [rects[0], rects[rects.length - 1]];
            const [before, after] = [math.previousSibling, math.nextSibling];  // the text that touches it, if any
            if (after && after.nodeType === Node.TEXT_NODE && /^\S/.test(after.data)) {
                const range = document.createRange();
                range.setStart(after, 0);
                range.setEnd(after, 1);
                if (range.getBoundingClientRect().top >= last.bottom - 2)
                    parted.push(`after: ${snippet(math)} | ${after.data.slice(0, 20)}`);
            }
            if (before && before.nodeType === Node.TEXT_NODE && /\S$/.test(before.data)) {
                const range = document.createRange();
                range.setStart(before, before.data.length - 1);
                range.setEnd(before, before.data.length);
                if (first.top >= range.getBoundingClientRect().bottom - 2)
                    parted.push(`before: ${before.data.slice(-20)} | ${snippet(math)}`);
            }
        }
        return parted;
    }""")
