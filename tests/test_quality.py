"""Test 6: accessibility, keyboard use, performance and the phone layout of every page, in headless Chromium.

- axe-core (pinned in package.json, injected from node_modules, never from a CDN) runs the WCAG 2.0 and 2.1
  A and AA rules on every page in light and dark: no serious or critical violation.
- Keyboard: tabbing from the top of a sample of pages (one of each kind) reaches the skip link, the search box,
  the navigation and a link in the content, each with a visible focus indicator; the search dialog opens and
  closes from the keyboard.
- Lighthouse's scores are timings of this machine, so they live in `make bench` (tools/bench.py), not here;
  the page weight in bytes is checked by test_browser.py, accessibility by axe above.
- Math fonts: every page preloads exactly the KaTeX fonts that Chromium loads for its formulas.
- Phone, 390x844: the document does not scroll sideways and no prose element is wider than the screen (code,
  tables and display math scroll in their own box, with a visible cue and keyboard focus); no copy button
  covers code; full-page screenshots go to build/screenshots/mobile/.

Every test iterates over all pages (browser.page_urls), so a new page is covered without editing this file."""

import re

import pytest
from browser import (
    AXE_FAILING_IMPACTS,
    AXE_TAGS,
    FIGURE_SCRIPT_PX,
    FIGURE_TEXT_PX,
    copy_buttons_over_code,
    horizontal_overflow,
    in_ci,
    new_context,
    node_packages_missing,
    open_page,
    overflowing_boxes,
    page_urls,
    punctuation_parted_from_math,
    render_everything,
    run_axe,
    scroll_boxes_without_cue,
    short_formulas_broken,
    small_figure_text,
    wait_for_math,
    without_scroll_cue,
)
from conftest import PROJECT
from mkdocs_hooks import NOWRAP_GLYPHS  # the hook's own limit: formulas it keeps on one line
from playwright.sync_api import TimeoutError as PlaywrightTimeout

PAGES = page_urls(PROJECT)
IDS = [source for source, _ in PAGES]
BUILD = PROJECT.root / "build"
MOBILE_SCREENSHOTS = BUILD / "screenshots" / "mobile"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# Keyboard use depends on the theme's templates, which every page shares, and on what a page adds: a sample of
# each kind of page (plain prose, heavy math, a quiz, the explorer's controls, a lab).
KEYBOARD_PAGES = [(source, path) for source, path in PAGES if source in {
    "docs/index.md", "docs/ch1/scale.md", "docs/ch1/quiz.md", "docs/ch2/attention-explorer.md",
    "docs/labs/lab2-transformer-block.py"}]
MAX_TABS = 400  # Tab presses before giving up: the header, the tabs, the whole navigation, the table of contents


def missing(message):
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def node_tools():
    problem = node_packages_missing()
    if problem:
        missing(problem)


def opened(context, base_url, source, path):
    """open_page, failing (naming the page) if what loaded is not the site's page: a 404 or a server's error."""
    page, visit = open_page(context, base_url + path, base_url)
    if visit.status != 200 or page.locator("article.md-content__inner").count() != 1:
        # what was there instead, for a failure that does not come back when rerun
        body = page.evaluate("document.body ? document.body.outerHTML : '(no body)'")
        pytest.fail(f"{source}: {base_url + path} did not load the page: HTTP {visit.status}, "
                    f"title {page.title()!r}, at {page.url}, "
                    f"{page.locator('article').count()} article elements, console errors {visit.console_errors}, "
                    f"{len(body):,} characters of body, beginning {body[:1500]!r}", pytrace=False)
    return page, visit


def test_a_missing_page_is_not_taken_for_a_page(browser, base_url):
    """The server answers a missing path with Material's 404 page, which has an article like any page: opened
    must still refuse it, by its status."""
    context = new_context(browser, base_url, **DESKTOP)
    try:
        with pytest.raises(pytest.fail.Exception, match="did not load the page: HTTP 404"):
            opened(context, base_url, "docs/missing.md", "missing/")
    finally:
        context.close()


def short(source):
    return source.removeprefix("docs/").rsplit(".", 1)[0].replace("/", "-")


# --- axe-core ---

@pytest.mark.parametrize(("source", "path"), PAGES, ids=IDS)
def test_axe_finds_no_serious_violation(browser, base_url, node_tools, source, path):
    """In light, then in dark: the reader's switch of palette, on the same loaded page (one load, two runs)."""
    context = new_context(browser, base_url, color_scheme="light", **DESKTOP)
    failing = {}
    try:
        page, _ = opened(context, base_url, source, path)
        wait_for_math(page)  # check the typeset math, not the TeX source
        for scheme, material_name in (("light", "default"), ("dark", "slate")):
            page.emulate_media(color_scheme=scheme)  # Material follows the system's setting
            page.wait_for_function(f"document.body.dataset.mdColorScheme === '{material_name}'", timeout=5_000)
            failing[scheme] = [v for v in run_axe(page) if v["impact"] in AXE_FAILING_IMPACTS]
    finally:
        context.close()
    report = "\n".join(f"  {scheme}: {v['id']} ({v['impact']}): {v['help']}, on {len(v['targets'])} element(s), "
                       f"for example {v['targets'][:5]}\n    first: {' '.join(v['summaries'][0].split())}\n"
                       f"    {v['helpUrl']}" for scheme, violations in failing.items() for v in violations)
    assert not report, f"{source}: axe-core ({', '.join(AXE_TAGS)}) found:\n{report}"


# --- Math fonts ---

USED_AND_PRELOADED_FONTS = """async () => {
    // After render_everything, which waited for every font that drawing the whole page asked for.
    const unquoted = (family) => family.replaceAll('"', "");
    return {
        used: [...document.fonts].filter((f) => f.status === "loaded" && unquoted(f.family).startsWith("KaTeX_"))
            .map((f) => [unquoted(f.family).slice("KaTeX_".length), f.weight, f.style]),
        preloaded: [...document.querySelectorAll('link[rel="preload"][as="font"]')]
            .map((link) => link.href.split("/").pop()),
    };
}"""


def katex_font_files():
    """(family, weight, style) -> woff2 file name, from the @font-face rules of the KaTeX stylesheet the site serves."""
    css = (PROJECT.root / "docs" / "assets" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    faces = {}
    for rule in re.findall(r"@font-face\{([^}]*)\}", css):
        field = dict(re.findall(r"([a-z-]+):([^;]+)", rule))
        weight = "bold" if field["font-weight"] in ("700", "bold") else "normal"
        woff2 = re.search(r"fonts/([\w-]+\.woff2)", field["src"]).group(1)
        faces[(field["font-family"].removeprefix("KaTeX_"), weight, field["font-style"])] = woff2
    return faces


@pytest.mark.parametrize(("source", "path"), PAGES, ids=IDS)
def test_a_page_preloads_exactly_the_math_fonts_it_uses(browser, base_url, source, path):
    """The build preloads the KaTeX fonts that a page's formulas need (tools/katex_fonts.py), so that the text
    does not move when they arrive. A font the page uses but did not preload is a layout shift; one it preloads
    but never uses is wasted bytes (and a console warning)."""
    context = new_context(browser, base_url, **DESKTOP)
    try:
        page, _ = opened(context, base_url, source, path)
        render_everything(page)
        fonts = page.evaluate(USED_AND_PRELOADED_FONTS)
    finally:
        context.close()
    files = katex_font_files()
    used = {files[family, "bold" if weight in ("700", "bold") else "normal", style]
            for family, weight, style in fonts["used"]}
    preloaded = set(fonts["preloaded"])
    assert used <= preloaded, f"{source}: uses KaTeX fonts it does not preload: {sorted(used - preloaded)}"
    assert preloaded <= used, f"{source}: preloads KaTeX fonts it never uses: {sorted(preloaded - used)}"


# --- Keyboard ---

RECORD_FOCUS = """() => {
    window.__focusTrail = [];
    document.addEventListener("focusin", (event) => {
        const element = event.target;
        const kind = element.matches(".md-skip") ? "skip link"
            : element.matches(".md-search__input") ? "search"
            : element.closest(".md-sidebar--primary .md-nav, .md-tabs") ? "navigation"
            : element.matches("article a[href]") ? "content link" : "other";
        // A ring (outline or box-shadow) on the element, or on the form around it (the search box).
        const ring = (e) => {
            const style = getComputedStyle(e);
            return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
        };
        window.__focusTrail.push({kind, visible: ring(element) || (element.form ? ring(element.form) : false),
            what: element.tagName.toLowerCase() + (element.className ? "." + element.className : "")
                  + " " + (element.textContent || element.placeholder || "").trim().slice(0, 40)});
    });
}"""
WANTED = ("skip link", "search", "navigation", "content link")


@pytest.mark.parametrize(("source", "path"), KEYBOARD_PAGES, ids=[source for source, _ in KEYBOARD_PAGES])
def test_keyboard_reaches_skip_link_search_navigation_and_content(browser, base_url, source, path):
    context = new_context(browser, base_url, **DESKTOP)
    try:
        page, visit = opened(context, base_url, source, path)
        page.evaluate(RECORD_FOCUS)
        first = {}
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            trail = page.evaluate("window.__focusTrail")
            for step in trail:
                first.setdefault(step["kind"], step)
            if all(kind in first for kind in WANTED):
                break
    finally:
        context.close()
    unreached = [kind for kind in WANTED if kind not in first]
    assert not unreached, (f"{source}: {MAX_TABS} presses of Tab never reached the {', '.join(unreached)}; "
                           f"the first stops were {[step['what'] for step in trail[:12]]}")
    invisible = [f"{kind} ({first[kind]['what']})" for kind in WANTED if not first[kind]["visible"]]
    assert not invisible, f"{source}: no visible focus indicator (outline or box-shadow) on: {invisible}"


@pytest.mark.parametrize(("source", "path"), KEYBOARD_PAGES, ids=[source for source, _ in KEYBOARD_PAGES])
def test_search_dialog_opens_and_closes_from_the_keyboard(browser, base_url, source, path):
    context = new_context(browser, base_url, **DESKTOP)
    try:
        page, visit = opened(context, base_url, source, path)
        page.keyboard.press("/")  # Material's shortcut (also "s" and "f")
        try:  # Material opens the dialog in its next animation frame
            page.wait_for_function("document.getElementById('__search').checked", timeout=5_000)
        except PlaywrightTimeout:
            pass
        is_open = page.is_checked("#__search")
        focused = page.evaluate("document.activeElement.matches('.md-search__input')")
        page.keyboard.type("attention")
        typed = page.input_value(".md-search__input")
        page.keyboard.press("Escape")
        closed = not page.is_checked("#__search")
        left = not page.evaluate("document.activeElement.matches('.md-search__input')")
    finally:
        context.close()
    assert is_open and focused, f"{source}: pressing / did not open the search dialog with the focus in its box"
    assert typed == "attention", f"{source}: typing after / did not reach the search box (it holds {typed!r})"
    assert closed and left, f"{source}: Escape did not close the search dialog and leave its box"


# --- Phone layout ---

@pytest.mark.parametrize(("source", "path"), PAGES, ids=IDS)
def test_phone_layout_does_not_scroll_sideways(browser, base_url, source, path):
    context = new_context(browser, base_url, color_scheme="light", **PHONE)
    try:
        page, _ = opened(context, base_url, source, path)
        if wait_for_math(page):
            page.wait_for_load_state("networkidle")  # KaTeX's fonts change the width of the math
        # The whole page drawn, as a reader scrolling through it sees it: a block that content-visibility skips
        # is blank in a full-page screenshot, and its content does not count in the page's width.
        render_everything(page)
        MOBILE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(MOBILE_SCREENSHOTS / f"{short(source)}.png"), full_page=True)
        fit = horizontal_overflow(page)
        parted = punctuation_parted_from_math(page)
        broken = short_formulas_broken(page, NOWRAP_GLYPHS)
        no_cue = scroll_boxes_without_cue(page)
        covered = copy_buttons_over_code(page)
        small = small_figure_text(page)
    finally:
        context.close()
    assert fit["innerWidth"] == PHONE["viewport"]["width"], \
        f"{source}: the page is laid out {fit['innerWidth']} px wide on a 390 px phone (its viewport meta tag?)"
    assert fit["scrollWidth"] <= fit["innerWidth"], (f"{source}: at 390 px the page scrolls sideways (document "
                                                     f"{fit['scrollWidth']} px wide); wider prose: {fit['wide'][:5]}")
    assert not fit["wide"], f"{source}: prose elements wider than the 390 px screen: {fit['wide'][:8]}"
    assert not parted, (f"{source}: at 390 px, punctuation that touches a formula is drawn on another line than the "
                        f"formula (tools/mkdocs_hooks.py ties formulas of up to NOWRAP_GLYPHS characters): {parted}")
    assert not broken, f"{source}: at 390 px, short formulas broken across two lines: {broken}"
    assert not no_cue, (f"{source}: at 390 px, code or tables wider than their box without the scroll cue "
                        f"(extra.css) or keyboard focus: {no_cue[:5]}")
    assert not covered, f"{source}: at 390 px, the copy button covers the code of: {covered[:5]}"
    assert not small, (f"{source}: at 390 px, figure text under {FIGURE_TEXT_PX} CSS px (exponents under "
                       f"{FIGURE_SCRIPT_PX}): {small}")


@pytest.mark.page("docs/ch2/attention.md")
def test_the_active_tab_stands_out_by_more_than_colour(browser, base_url):
    """In Chromium at desktop width: the active chapter tab is bold and underlined, the others are neither."""
    context = new_context(browser, base_url, viewport={"width": 1280, "height": 800})
    page, _ = open_page(context, base_url + "ch2/attention/", base_url)
    styles = page.eval_on_selector_all(".md-tabs__item", """items => items.map(item => {
        const link = getComputedStyle(item.querySelector('.md-tabs__link'));
        return [item.classList.contains('md-tabs__item--active'), link.fontWeight, link.textDecorationLine];
    })""")
    context.close()
    active = [s for s in styles if s[0]]
    assert len(active) == 1 and active[0][1:] == ["700", "underline"], styles
    assert all(s[1] != "700" and "underline" not in s[2] for s in styles if not s[0]), styles


@pytest.mark.page("docs/ch2/encoder-decoder.md")
def test_a_formula_wider_than_its_box_shows_a_scroll_cue(browser, base_url):
    """On a phone, a display formula that overflows scrolls, can be focused from the keyboard, and draws the
    edge shadows of extra.css that say more of it is hidden."""
    context = new_context(browser, base_url, viewport={"width": 390, "height": 844})
    page, _ = open_page(context, base_url + "ch2/encoder-decoder/", base_url)
    wait_for_math(page)
    found = overflowing_boxes(page, "div.arithmatex", slack=0)
    context.close()
    assert found, "no display formula overflows at 390 px on ch2/encoder-decoder"
    assert not without_scroll_cue(found), found
