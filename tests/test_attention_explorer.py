"""The attention explorer (docs/ch2/attention-explorer.md, drawn by docs/javascripts/attention-explorer.js) in
headless Chromium, on the built site served on 127.0.0.1.

Choosing a model, sentence, layer and head draws exactly the weights that
snippets/ch2/attention-explorer/attention_export.py exported to
docs/figures/ch2/attention-explorer/attention-explorer.json; the temperature slider draws softmax(z / T) of the logits
in that file; the page loads without console errors or requests to other hosts, also when reached by Material's
instant navigation, says what it needs without JavaScript, and works in the dark palette and 390 px wide.
Screenshots go to build/screenshots/ for review."""

import json
import math

import matplotlib
import pytest
from browser import new_context, open_page
from conftest import PROJECT
from harness import mkdocs_yml

SOURCE = "docs/ch2/attention-explorer.md"
SCRIPT = "docs/javascripts/attention-explorer.js"
PATH = "ch2/attention-explorer/"
pytestmark = pytest.mark.page(SOURCE)
DATA_FILE = PROJECT.figures / "ch2" / "attention-explorer" / "attention-explorer.json"
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))
SCREENSHOTS = PROJECT.root / "build" / "screenshots"
READY = "[data-ae-explorer][data-ae-ready='true']"
# (model id, sentence, layer, head): MiniLM's [CLS] head and previous-token head, two of the tiny GPT's heads
CHOICES = [("minilm", 0, 2, 7), ("minilm", 1, 0, 2), ("tiny-gpt", 0, 1, 1), ("tiny-gpt", 2, 3, 0)]
TEMPERATURES = (0.1, 1.0, 2.3, 5.0)


def model_index(model_id):
    return [m["id"] for m in DATA["models"]].index(model_id)


def open_explorer(context, base_url):
    page, visit = open_page(context, base_url + PATH, base_url)
    page.wait_for_selector(READY, state="attached", timeout=15_000)
    return page, visit


def choose(page, model_id, sentence, layer, head):
    page.get_by_label("Model", exact=True).select_option(str(model_index(model_id)))
    page.get_by_label("Sentence", exact=True).select_option(str(sentence))
    page.get_by_label("Layer", exact=True).select_option(str(layer))
    page.get_by_label("Head", exact=True).select_option(str(head))


# A weight's colour is matplotlib's viridis, as in the chapter's figures; the explorer draws it from 17 of its
# colours joined by straight lines, within 5.5 of 255 per channel (measured over 4,001 weights).
VIRIDIS_TOLERANCE = 6


def viridis_rgb(weight):
    return [round(255 * c) for c in matplotlib.colormaps["viridis"](weight)[:3]]


def colour_distance(rgb, other):
    return max(abs(a - b) for a, b in zip(rgb, other, strict=True))


def drawn_cells(page):
    """[query, key, data-weight, computed fill as [r, g, b], masked] for every cell of the large map."""
    return page.eval_on_selector_all(
        "[data-ae-explorer] svg.ae-map rect.ae-cell",
        """cells => cells.map(c => [Number(c.dataset.query), Number(c.dataset.key), c.dataset.weight,
                                    getComputedStyle(c).fill.match(/[0-9.]+/g).slice(0, 3).map(Number),
                                    c.classList.contains('ae-masked')])""")


def mismatches(page, model_id, sentence, layer, head):
    """What the drawing gets wrong against the JSON for this choice (an empty list if nothing)."""
    model = DATA["models"][model_index(model_id)]
    matrix = model["sentences"][sentence]["weights"][layer][head]
    n, scale = len(matrix), DATA["scale"]
    where = f"{model_id}, sentence {sentence}, layer {layer}, head {head}"
    state = page.eval_on_selector(READY, "e => [e.dataset.model, e.dataset.sentence, e.dataset.layer, e.dataset.head]")
    if state != [model_id, str(sentence), str(layer), str(head)]:
        return [f"{where}: the explorer says it shows {state}"]
    cells = drawn_cells(page)
    problems = [] if len(cells) == n * n else [f"{where}: {len(cells)} cells drawn for {n} tokens, not {n * n}"]
    seen = set()
    for query, key, weight, fill, masked in cells:
        expected = matrix[query][key] / scale
        seen.add((query, key))
        if round(float(weight) * scale) != matrix[query][key]:
            problems.append(f"{where}: cell (query {query}, key {key}) says weight {weight}, the JSON {expected}")
        if masked != (model["causal"] and key > query):
            problems.append(f"{where}: cell (query {query}, key {key}) is {'' if masked else 'not '}drawn masked")
        elif not masked and colour_distance(fill, viridis_rgb(expected)) > VIRIDIS_TOLERANCE:
            problems.append(f"{where}: cell (query {query}, key {key}) is drawn rgb{tuple(fill)}, not viridis "
                            f"({expected}) = rgb{tuple(viridis_rgb(expected))}")
        if masked and matrix[query][key] != 0:
            problems.append(f"{where}: masked cell (query {query}, key {key}) has weight {expected} in the JSON")
    if len(seen) != len(cells):
        problems.append(f"{where}: some (query, key) pairs are drawn twice")
    return problems


@pytest.fixture
def context(browser, base_url):
    context = new_context(browser, base_url, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def assert_clean(visit):
    assert not visit.console_errors, f"{SOURCE}: console errors: {visit.console_errors}"
    assert not visit.foreign_requests, f"{SOURCE}: requests left 127.0.0.1: {visit.foreign_requests}"


def test_the_data_file_has_what_the_explorer_needs():
    assert DATA["scale"] == 1000, f"{DATA_FILE}: weights are whole thousandths (scale 1000)"
    for model in DATA["models"]:
        for sentence in model["sentences"]:
            n = len(sentence["tokens"])
            shape = (len(sentence["weights"]), len(sentence["weights"][0]), n)
            assert shape == (model["layers"], model["heads"], n), f"{DATA_FILE}: {model['id']} {sentence['text']!r}"
            for layer in sentence["weights"]:
                for head in layer:
                    assert all(abs(sum(row) - 1000) <= 10 for row in head), \
                        f"{DATA_FILE}: a row of {model['id']} for {sentence['text']!r} does not sum to 1"


@pytest.mark.parametrize("choice", CHOICES, ids=["-".join(map(str, c)) for c in CHOICES])
def test_choosing_a_head_draws_its_exported_weights(context, base_url, choice):
    page, visit = open_explorer(context, base_url)
    choose(page, *choice)
    problems = mismatches(page, *choice)
    assert not problems, f"{SCRIPT} drew what {DATA_FILE.name} does not hold:\n" + "\n".join(problems[:20])
    assert_clean(visit)


def test_hover_keyboard_and_thumbnails(context, base_url):
    page, visit = open_explorer(context, base_url)
    choose(page, "minilm", 0, 2, 0)
    matrix = DATA["models"][model_index("minilm")]["sentences"][0]["weights"][2][7]
    readout = page.locator("[data-ae-explorer] .ae-readout")
    assert not page.locator("[data-ae-explorer] .ae-scroll-hint").is_visible(), \
        f"{SCRIPT}: at 1280 px the map fits its box, yet the hint says to scroll it sideways"

    thumbs = page.locator("[data-ae-explorer] .ae-thumb")
    assert thumbs.count() == DATA["models"][model_index("minilm")]["heads"], f"{SCRIPT}: one thumbnail per head"
    thumbs.nth(7).click()
    assert page.get_by_label("Head", exact=True).input_value() == "7", f"{SCRIPT}: a thumbnail did not choose its head"
    problems = mismatches(page, "minilm", 0, 2, 7)
    assert not problems, f"{SCRIPT}: after choosing head 7 by its thumbnail:\n" + "\n".join(problems[:20])
    assert thumbs.nth(7).get_attribute("aria-pressed") == "true"

    page.hover("[data-ae-explorer] rect.ae-cell[data-query='3'][data-key='0']")
    assert f"{matrix[3][0] / 1000:.3f}" in readout.inner_text(), \
        f"{SCRIPT}: hovering cell (3, 0) shows {readout.inner_text()!r}, not its weight {matrix[3][0] / 1000:.3f}"
    title = page.locator("[data-ae-explorer] rect.ae-cell[data-query='3'][data-key='0'] title").text_content()
    assert f"{matrix[3][0] / 1000:.3f}" in title, f"{SCRIPT}: the cell's <title> is {title!r}"

    page.focus("[data-ae-explorer] svg.ae-map")  # the keys move on from the cell last pointed at, (3, 0)
    for key in ("ArrowDown", "ArrowDown", "ArrowRight"):
        page.keyboard.press(key)
    shown = readout.inner_text()
    assert shown.startswith("query 5") and "key 1" in shown and f"{matrix[5][1] / 1000:.3f}" in shown, \
        f"{SCRIPT}: after Down, Down, Right from cell (3, 0) the readout is {shown!r}, not cell (5, 1)"
    assert_clean(visit)


def softmax(logits, temperature):
    top = max(z / temperature for z in logits)
    exps = [math.exp(z / temperature - top) for z in logits]
    return [e / sum(exps) for e in exps]


def test_the_temperature_slider_draws_softmax(context, base_url):
    page, visit = open_explorer(context, base_url)
    page.wait_for_selector("[data-ae-temperature][data-ae-ready='true']", state="attached")
    slider = page.get_by_label("Temperature T", exact=True)
    logits = DATA["slider"]["logits"]
    for temperature in TEMPERATURES:
        slider.fill(str(temperature))
        rows = page.eval_on_selector_all(
            "[data-ae-temperature] .ae-bar-row",
            """rows => rows.map(r => [r.dataset.label, Number(r.dataset.probability),
                                      r.querySelector('.ae-bar-value').textContent,
                                      r.querySelector('.ae-bar-fill').style.width])""")
        expected = softmax(logits, temperature)
        where = f"{SCRIPT}, temperature slider at T = {temperature}"
        assert [r[0] for r in rows] == DATA["slider"]["labels"], f"{where}: bars {[r[0] for r in rows]}"
        for (label, probability, text, width), p in zip(rows, expected, strict=True):
            assert math.isclose(probability, p, rel_tol=1e-12, abs_tol=1e-15), \
                f"{where}: bar {label!r} is {probability}, softmax(z / T) gives {p}"
            assert text == f"{p:.3f}", f"{where}: bar {label!r} prints {text!r}, not {p:.3f}"
            assert width.endswith("%") and math.isclose(float(width[:-1]), 100 * p, abs_tol=0.006), \
                f"{where}: bar {label!r} is {width} wide, not {100 * p:.2f}%"
        shown = page.locator("[data-ae-temperature] output").inner_text()
        assert shown == f"{temperature:.1f}", f"{where}: the slider's label says T = {shown}"
    assert_clean(visit)


def test_instant_navigation_draws_the_explorer(context, base_url):
    """Material's instant navigation replaces the page without reloading scripts: the explorer must still draw.

    It only takes over links to pages that sitemap.xml lists, under site_url (SITE_URL, port 8000 by default); the
    tests serve the site on another port, so the sitemap is rewritten on its way to the browser."""
    site_url = mkdocs_yml(PROJECT.root)["site_url"]

    def rewrite_sitemap(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(site_url, base_url))

    context.route("**/sitemap.xml", rewrite_sitemap)
    page, visit = open_page(context, base_url + "ch2/multi-head/", base_url)
    page.evaluate("window.__notReloaded = true")
    page.click("article a[href$='attention-explorer/']")
    page.wait_for_selector(READY, state="attached", timeout=15_000)
    assert page.evaluate("window.__notReloaded === true"), "the link reloaded the page: instant navigation is off?"
    choose(page, "tiny-gpt", 1, 0, 0)
    problems = mismatches(page, "tiny-gpt", 1, 0, 0)
    assert not problems, f"{SCRIPT} after instant navigation:\n" + "\n".join(problems[:20])
    assert_clean(visit)


def test_without_javascript_the_page_says_what_it_needs(browser, base_url):
    context = new_context(browser, base_url, java_script_enabled=False)
    try:
        page, _ = open_page(context, base_url + PATH, base_url)
        text = page.inner_text("[data-ae-explorer]")
        slider_text = page.inner_text("[data-ae-temperature]")
    finally:
        context.close()
    assert "needs JavaScript" in text, f"{SOURCE}: without JavaScript the explorer's box says {text!r}"
    assert "needs JavaScript" in slider_text, f"{SOURCE}: without JavaScript the slider's box says {slider_text!r}"


def luminance(css_colour):
    """Relative luminance (0 black, 1 white) of a computed 'rgb(r, g, b)' or 'rgba(...)' colour."""
    numbers = css_colour[css_colour.index("(") + 1: css_colour.index(")")].replace("/", ",").split(",")
    r, g, b = (float(v) / 255 for v in numbers[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", ("light", "dark"))
def test_the_map_is_readable_in_both_palettes(browser, base_url, scheme):
    """The colour scale means the same in both palettes (every cell is viridis of its weight, whatever the
    palette: checked cell by cell), masked cells stand out from the page and the token labels are readable."""
    context = new_context(browser, base_url, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page, visit = open_explorer(context, base_url)
        choose(page, "tiny-gpt", 0, 1, 1)  # causal: masked cells above the diagonal
        problems = mismatches(page, "tiny-gpt", 0, 1, 1)
        colours = page.evaluate("""() => {
            const style = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
            return {background: getComputedStyle(document.body).backgroundColor,
                    masked: style('[data-ae-explorer] rect.ae-masked', 'fill'),
                    label: style('[data-ae-explorer] .ae-labels text', 'fill')};
        }""")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("[data-ae-explorer]").screenshot(path=str(SCREENSHOTS / f"attention-explorer-map-{scheme}.png"))
    finally:
        context.close()
    background, masked, label = (luminance(colours[k]) for k in ("background", "masked", "label"))
    assert (background > 0.5) == (scheme == "light"), f"{SOURCE}: the {scheme} palette was not applied: {colours}"
    assert not problems, f"{SOURCE} ({scheme}): " + "\n".join(problems[:10])
    assert abs(masked - background) > 0.1, f"{SOURCE} ({scheme}): masked cells look like the page: {colours}"
    assert abs(label - background) > 0.4, f"{SOURCE} ({scheme}): the token labels are hard to read: {colours}"
    assert_clean(visit)


def test_a_phone_wide_page_does_not_scroll_sideways(browser, base_url):
    context = new_context(browser, base_url, viewport={"width": 390, "height": 844}, color_scheme="dark")
    try:
        page, visit = open_explorer(context, base_url)
        choose(page, "tiny-gpt", 0, 1, 1)  # 44 characters: a map wider than the phone
        widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth, view: window.innerWidth,
            box: document.querySelector('[data-ae-explorer] .ae-grid-box').scrollWidth,
            boxView: document.querySelector('[data-ae-explorer] .ae-grid-box').clientWidth,
            hint: document.querySelector('[data-ae-explorer] .ae-scroll-hint').checkVisibility(),
            logitLines: [...document.querySelectorAll('.ae-bar-logit')].map((e) => e.getClientRects().length
                && Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)))})""")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "attention-explorer-390px-dark.png"), full_page=True)
    finally:
        context.close()
    assert widths["page"] <= widths["view"], f"{SOURCE} at 390 px: the page scrolls sideways: {widths}"
    assert widths["box"] > widths["boxView"], f"{SOURCE} at 390 px: the 44-character map should scroll in its box"
    assert widths["hint"], f"{SOURCE} at 390 px: the map scrolls sideways but the hint that says so is hidden"
    assert set(widths["logitLines"]) == {1}, \
        f"{SOURCE} at 390 px: a slider row's logit label ('z = 3.52') wraps (lines per label: {widths['logitLines']})"
    assert_clean(visit)
