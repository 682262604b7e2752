"""The 404 page, and every page as it prints: in headless Chromium against the built site."""

import pytest
from browser import new_context, open_page, page_urls, wait_for_math
from conftest import PROJECT

PAGES = page_urls(PROJECT)
PAPER_WIDTH_PX = 718  # A4 (210 mm at 96 px per inch) less Chromium's default print margins of about 1 cm


def test_a_missing_page_gets_the_404_page_with_working_links(browser, base_url):
    context = new_context(browser, base_url)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(base_url + "no/such/page/", wait_until="networkidle")
        assert response.status == 404, f"a missing page answered {response.status}"
        assert page.inner_text("article h1") == "Page not found"
        assert page.locator(".md-search__input").count() == 1, "the 404 page has no search box"
        links = page.eval_on_selector_all(".not-found-links a", "links => links.map(a => [a.textContent, a.href])")
        titles = [title for title, _ in links]
        assert titles[:4] == ["Home", "1. What are LLMs?", "2. The transformer", "3. How LLMs learn"], titles
        for title, href in links:
            status = context.request.get(href).status
            assert status == 200, f"the 404 page's link {title!r} ({href}) answers {status}"
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky", \
            "the 404 page's theme stylesheet did not load"
    finally:
        context.close()
    assert not errors, f"the 404 page logged errors: {errors}"


PRINT_CHECKS = """() => {
    const shown = (selector) => [...document.querySelectorAll(selector)]
        .filter(e => getComputedStyle(e).display !== 'none');
    const cut = (elements) => elements.filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.trim().slice(0, 60));
    return {
        chrome: shown('.md-header, .md-sidebar--primary, .md-footer').length,
        wrap: [...document.querySelectorAll('.md-typeset pre > code')]
            .filter(e => getComputedStyle(e).whiteSpace !== 'pre-wrap').length,
        cutCode: cut([...document.querySelectorAll('.md-typeset pre > code')]),
        cutMath: cut([...document.querySelectorAll('.md-typeset div.arithmatex, .md-typeset span.arithmatex.display')]),
        closed: document.querySelectorAll('details:not([open])').length,
        scheme: document.body.getAttribute('data-md-color-scheme'),
        darkFigures: shown('img[src*="-dark."]').length,
    };
}"""


@pytest.mark.parametrize(("source", "path"), PAGES, ids=[source for source, _ in PAGES])
def test_page_prints_whole(browser, base_url, source, path):
    """As print media, on A4 paper in the dark palette: no site chrome, code wrapped and math whole, every
    collapsed block opened and the light palette (with its figures) used, by print.js's beforeprint handler."""
    context = new_context(browser, base_url, color_scheme="dark", viewport={"width": PAPER_WIDTH_PX, "height": 1000})
    try:
        page, visit = open_page(context, base_url + path, base_url)
        wait_for_math(page)
        page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'", timeout=5_000)  # the reader's
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        state = page.evaluate(PRINT_CHECKS)
        if path == "":
            page.pdf(path=str(PROJECT.root / "build" / "print-home.pdf"), format="A4")
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    finally:
        context.close()
    assert state["chrome"] == 0, f"{source}: the header, navigation or footer would be printed"
    assert state["wrap"] == 0, f"{source}: {state['wrap']} code blocks do not wrap in print"
    assert not state["cutCode"], f"{source}: code cut at the paper's edge: {state['cutCode']}"
    assert not state["cutMath"], f"{source}: display math cut at the paper's edge: {state['cutMath']}"
    assert state["closed"] == 0, f"{source}: {state['closed']} collapsed blocks stay closed in print"
    assert state["scheme"] == "default" and state["darkFigures"] == 0, f"{source}: printed in the dark palette"
    assert after == "slate", f"{source}: after printing the palette is {after!r}, not the reader's dark one"
    assert not visit.console_errors, f"{source}: console errors: {visit.console_errors}"
