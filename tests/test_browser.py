"""Test 5: the built site in headless Chromium, served on 127.0.0.1.

Every page loads in light and dark without console errors and without a request to another host, its
math is typeset (no short formula broken across lines), it transfers at most 600 KB (gzip, as a static host
serves it, fonts included), and a search for its title lists it. Screenshots go to build/screenshots/ for review."""

import re

import pytest
from browser import (
    FIGURE_SCRIPT_PX,
    FIGURE_TEXT_PX,
    new_context,
    open_page,
    page_title,
    page_urls,
    short_formulas_broken,
    small_figure_text,
    wait_for_math,
)
from conftest import PROJECT
from mkdocs_hooks import NOWRAP_GLYPHS  # the hook's own limit: formulas it keeps on one line

PAGES = page_urls(PROJECT)
SCREENSHOTS = PROJECT.root / "build" / "screenshots"
SCHEMES = ("light", "dark")
PAGE_BUDGET_BYTES = 600 * 1024  # what a page transfers, all it loads included; make bench prints the breakdown
STOP_WORDS = {"what", "are", "the", "and", "of", "how", "a", "an"}  # words search ignores


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("source", "path"), PAGES, ids=[source for source, _ in PAGES])
def test_page_loads_offline_with_math_typeset(browser, base_url, source, path, scheme):
    context = new_context(browser, base_url, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page, visit = open_page(context, base_url + path, base_url)
        if wait_for_math(page):
            page.wait_for_load_state("networkidle")  # KaTeX's fonts arrive after the typesetting
            untypeset = page.evaluate("""() => [...document.querySelectorAll('.arithmatex')]
                .filter(e => !e.querySelector('.katex')).map(e => e.textContent.slice(0, 80))""")
            assert not untypeset, f"{source}: math left untypeset: {untypeset}"
            broken = short_formulas_broken(page, NOWRAP_GLYPHS)  # "p =" | "0.9": tools/mkdocs_hooks.py ties them
            assert not broken, f"{source}: at 1280 px, short formulas broken across two lines: {broken}"
        small = small_figure_text(page)
        assert not small, (f"{source}: at 1280 px, figure text under {FIGURE_TEXT_PX} CSS px (exponents under "
                           f"{FIGURE_SCRIPT_PX}): {small}")
        text = page.inner_text("article")
        for raw in ("$$", "\\(", "\\["):
            assert raw not in text, f"{source}: raw math delimiter {raw!r} is visible on the page"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = source.removeprefix("docs/").removesuffix(".md").replace("/", "-")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=True)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light"), \
            f"{source}: the {scheme} palette was not applied (body background {background})"
    finally:
        context.close()
    assert not visit.console_errors, f"{source} ({scheme}): console errors: {visit.console_errors}"
    assert not visit.foreign_requests, f"{source} ({scheme}): requests left 127.0.0.1: {visit.foreign_requests}"
    weight = sum(visit.bytes_by_type.values())
    assert weight <= PAGE_BUDGET_BYTES, (f"{source} ({scheme}): {weight / 1024:.0f} KB transferred, over the "
                                         f"{PAGE_BUDGET_BYTES // 1024} KB budget: {visit.bytes_by_type}")


@pytest.mark.parametrize(("source", "path"), PAGES, ids=[source for source, _ in PAGES])
def test_search_for_a_page_title_lists_that_page(browser, base_url, source, path):
    context = new_context(browser, base_url)
    try:
        page, visit = open_page(context, base_url, base_url)
        title = page_title(PROJECT.root / source)
        query = " ".join(w for w in re.findall(r"[A-Za-z][A-Za-z-]+", title) if w.lower() not in STOP_WORDS)
        page.click(".md-search__input")
        page.locator(".md-search__input").press_sequentially(query, delay=20)  # as a reader types
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
        try:  # results are drawn while the reader types: wait for those of the whole query to list the page
            page.wait_for_function("(want) => [...document.querySelectorAll('.md-search-result__item > a')]"
                                   ".some((a) => a.href.split(/[?#]/)[0] === want)", arg=base_url + path,
                                   timeout=10_000)
        except Exception:  # noqa: BLE001 - the assertion below names what was listed instead
            pass
        links = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
        hits = [re.split(r"[?#]", link)[0] for link in links]  # drop ?h=term highlighting
    finally:
        context.close()
    assert base_url + path in hits, f"searching for {query!r} did not list {source}; results: {links}"
    assert not visit.console_errors, f"search on the home page logged errors: {visit.console_errors}"
