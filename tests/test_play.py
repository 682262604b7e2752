"""The tiny GPT in the browser (docs/ch3/play.md; the model docs/javascripts/tiny-gpt.js, the controls
tiny-gpt-play.js), checked against PyTorch in headless Chromium on the built site served on 127.0.0.1.

snippets/ch3/play/export_tiny_gpt_web.py wrote the float16 weights and, from exactly those weights, PyTorch's
logits at every position, every head's attention weights and the seeded sampler's text for fixed prompts and
settings (tiny-gpt-reference.json). Here the page's JavaScript must give the same logits and weights (within
TOLERANCE), draw those weights, compute the same logits with and without its KV cache, and write the same text,
character for character. The weights are fetched only on this page, and only when the reader starts the model.
Screenshots go to build/screenshots/ for review."""

import json
import math

import pytest
import torch
from browser import horizontal_overflow, new_context, open_page, run_axe
from conftest import PROJECT
from safetensors.torch import load_file

from foundations_of_llms.play import XorShift32
from foundations_of_llms.training import SHIPPED_MODEL

SOURCE = "docs/ch3/play.md"
PATH = "ch3/play/"
pytestmark = pytest.mark.page(SOURCE)
FIGURES = PROJECT.figures / "ch3" / "play"
WEIGHTS = FIGURES / "tiny-gpt-f16.safetensors"
REFERENCE = json.loads((FIGURES / "tiny-gpt-reference.json").read_text(encoding="utf-8"))
# JavaScript and PyTorch both compute in float64 from the same float16 weights; the reference keeps 6 decimals,
# so a value may differ by its rounding (5e-7) and float64 rounding (measured: under 1e-12). A change to the
# model (LayerNorm's eps from 1e-5 to 1e-6) moves the logits by more than 1e-3.
TOLERANCE = 1e-5
SCREENSHOTS = PROJECT.root / "build" / "screenshots"
READY = "[data-tiny-gpt][data-ready='true']"
MARSAGLIA_SEED, MARSAGLIA_FIRST = 2463534242, [723471715, 2497366906, 2064144800]  # his 32-bit example's seed

LOAD_MODEL = """async (url) => {
    const response = await fetch(url);
    window.testModel = TinyGPT.loadModel(await response.arrayBuffer());
    return window.testModel.config;
}"""


def assert_clean(visit):
    assert not visit.console_errors, f"{SOURCE}: console errors: {visit.console_errors}"
    assert not visit.foreign_requests, f"{SOURCE}: requests left 127.0.0.1: {visit.foreign_requests}"


def largest_difference(actual, expected, where):
    """The largest absolute difference between two nested lists of numbers of the same shape."""
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: shape differs"
        pairs = enumerate(zip(actual, expected, strict=True))
        return max((largest_difference(a, e, f"{where}[{i}]") for i, (a, e) in pairs), default=0.0)
    return abs(actual - expected)


@pytest.fixture
def context(browser, base_url):
    context = new_context(browser, base_url, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def open_play(context, base_url, requests=None):
    on_page = (lambda page: page.on("request", lambda r: requests.append(r.url))) if requests is not None else None
    page, visit = open_page(context, base_url + PATH, base_url, on_page=on_page)
    page.wait_for_selector("[data-tiny-gpt][data-ready='waiting']", state="attached", timeout=15_000)
    return page, visit


def start(page):
    page.get_by_role("button", name="Start the model").click()
    page.wait_for_selector(READY, state="attached", timeout=30_000)


def settle(page):
    page.wait_for_function("() => document.querySelector('[data-tiny-gpt]').dataset.running !== 'true'",
                           timeout=60_000)


def set_field(page, label, value):
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.dispatch_event("change")


def test_the_weights_are_the_shipped_model_in_float16_and_the_reference_has_every_shape():
    shipped, web = load_file(SHIPPED_MODEL / "model.safetensors"), load_file(WEIGHTS)
    assert set(web) == set(shipped) - {"lm_head.weight"}, f"{WEIGHTS.name}: other tensors than the shipped model's"
    for name, tensor in web.items():
        assert tensor.dtype == torch.float16 and torch.equal(tensor, shipped[name].half()), \
            f"{WEIGHTS.name}: {name} is not the shipped float32 tensor rounded to float16"
    chars = json.loads((SHIPPED_MODEL / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    config = json.loads((SHIPPED_MODEL / "config.json").read_text())
    for prompt in REFERENCE["prompts"]:
        n = len(prompt["text"])
        assert all(c in chars for c in prompt["text"]), f"{prompt['text']!r}: outside the alphabet"
        assert [len(row) for row in prompt["logits"]] == [config["vocab_size"]] * n
        attention = prompt["attention"]
        assert (len(attention), len(attention[0])) == (config["n_layer"], config["n_head"])
        for layer in attention:
            for head in layer:
                assert [len(row) for row in head] == list(range(1, n + 1)), "rows of a causal map: 1, 2, ... n"
                assert all(abs(sum(row) - 1) < 1e-5 for row in head), f"{prompt['text']!r}: a row does not sum to 1"


def test_the_python_generator_is_marsaglias_xorshift32():
    rng = XorShift32(MARSAGLIA_SEED)
    assert [round(rng.uniform() * 2**32) for _ in MARSAGLIA_FIRST] == MARSAGLIA_FIRST


def test_the_javascript_model_computes_pytorchs_logits_and_attention(context, base_url):
    page, visit = open_play(context, base_url)
    page.evaluate(LOAD_MODEL, base_url + "figures/ch3/play/tiny-gpt-f16.safetensors")
    for prompt in REFERENCE["prompts"]:
        got = page.evaluate("""(text) => {
            const ids = [...text].map((c) => testModel.chars.indexOf(c));
            const cached = TinyGPT.run(testModel, ids);
            const uncached = TinyGPT.forward(testModel, ids);
            let cacheDifference = 0;
            cached.logits.forEach((row, p) => row.forEach((z, t) => {
                cacheDifference = Math.max(cacheDifference, Math.abs(z - uncached[p][t]));
            }));
            // attention: (position, layer, head, key) -> (layer, head, position, key), as the reference keeps it
            const heads = testModel.config.n_head;
            const attention = testModel.h.map((_, l) => Array.from({ length: heads }, (_, h) =>
                cached.attention.map((perLayer) => Array.from(perLayer[l][h]))));
            return { logits: cached.logits.map((row) => Array.from(row)), attention, cacheDifference };
        }""", prompt["text"])
        where = f"{prompt['text']!r}"
        logits = largest_difference(got["logits"], prompt["logits"], where)
        assert logits <= TOLERANCE, f"{where}: the JavaScript logits differ from PyTorch's by {logits:.2e}"
        weights = largest_difference(got["attention"], prompt["attention"], where)
        assert weights <= TOLERANCE, f"{where}: the JavaScript attention differs from PyTorch's by {weights:.2e}"
        assert got["cacheDifference"] <= 1e-12, \
            f"{where}: the KV-cached logits differ from the uncached ones by {got['cacheDifference']:.2e}"
    assert_clean(visit)


def test_the_javascript_generator_and_sampler_match_pythons(context, base_url):
    page, visit = open_play(context, base_url)
    first = page.evaluate("([seed, n]) => { const next = TinyGPT.xorshift32(seed); "
                          "return Array.from({ length: n }, () => Math.round(next() * 2 ** 32)); }",
                          [MARSAGLIA_SEED, len(MARSAGLIA_FIRST)])
    assert first == MARSAGLIA_FIRST, f"docs/javascripts/tiny-gpt.js: xorshift32 gives {first}, not Marsaglia's"
    rng = XorShift32(12345)
    python = [rng.uniform() for _ in range(1000)]
    js = page.evaluate("() => { const next = TinyGPT.xorshift32(12345); return Array.from({ length: 1000 }, next); }")
    assert js == python, "the JavaScript and Python generators part within 1,000 numbers"
    assert_clean(visit)


@pytest.mark.parametrize("sample", REFERENCE["samples"], ids=[f"T{s['temperature']}-k{s['top_k']}-p{s['top_p']}"
                                                             for s in REFERENCE["samples"]])
def test_the_page_writes_pytorchs_text_from_the_same_seed(context, base_url, sample):
    page, visit = open_play(context, base_url)
    start(page)
    page.get_by_label("Prompt", exact=True).fill(sample["prompt"])
    set_field(page, "Temperature T", sample["temperature"])
    set_field(page, "Top-k", sample["top_k"])
    set_field(page, "Top-p", sample["top_p"])
    set_field(page, "Seed", sample["seed"])
    set_field(page, "Characters to write", sample["length"])
    for cache in (True, False):
        page.get_by_label("Use the KV cache").set_checked(cache)
        page.get_by_role("button", name="Reset").click()
        page.get_by_role("button", name="Generate").click()
        settle(page)
        text = page.eval_on_selector("[data-tiny-gpt]", "e => e.dataset.text")
        assert text == sample["text"], (f"{SOURCE} ({'with' if cache else 'without'} the KV cache) wrote\n{text!r}\n"
                                        f"where PyTorch wrote\n{sample['text']!r}")
        shown = page.locator("[data-tiny-gpt] .tg-text").inner_text()
        assert shown == sample["text"], f"{SOURCE}: the text shown is not the text written: {shown!r}"
    assert_clean(visit)


def drawn_weights(page):
    return page.eval_on_selector_all(
        "[data-tiny-gpt] svg.ae-map rect.ae-cell",
        "cells => cells.map(c => [Number(c.dataset.query), Number(c.dataset.key), Number(c.dataset.weight), "
        "c.classList.contains('ae-masked')])")


@pytest.mark.parametrize("layer,head", [(0, 3), (1, 1), (3, 0)])
def test_the_attention_drawn_is_pytorchs(context, base_url, layer, head):
    prompt = REFERENCE["prompts"][1]
    page, visit = open_play(context, base_url)
    start(page)
    page.get_by_label("Prompt", exact=True).fill(prompt["text"])
    page.locator("[data-tiny-gpt] details.tg-attention > summary").click()
    page.get_by_label("Layer", exact=True).select_option(str(layer))
    page.get_by_label("Head", exact=True).select_option(str(head))
    expected = prompt["attention"][layer][head]
    cells = drawn_weights(page)
    n = len(prompt["text"])
    assert len(cells) == n * n, f"{SOURCE}: {len(cells)} cells drawn for {n} characters"
    for query, key, weight, masked in cells:
        assert masked == (key > query), f"cell ({query}, {key}): masked is {masked}"
        if not masked:
            assert abs(weight - expected[query][key]) <= TOLERANCE, \
                f"{SOURCE}: cell (query {query}, key {key}) is drawn at {weight}, PyTorch's {expected[query][key]}"
    pressed = page.locator("[data-tiny-gpt] .ae-thumb[aria-pressed='true']")
    assert pressed.count() == 1 and pressed.get_attribute("aria-label") == f"layer {layer}, head {head}"
    assert_clean(visit)


def test_a_character_outside_the_alphabet_gets_a_message_not_an_error(context, base_url):
    page, visit = open_play(context, base_url)
    start(page)
    page.get_by_label("Prompt", exact=True).fill("My lord, café")
    message = page.locator("[data-tiny-gpt] .tg-message").inner_text()
    assert '"é"' in message and "position 13" in message, f"{SOURCE}: the message says {message!r}"
    assert page.get_by_role("button", name="Generate").is_disabled()
    assert page.get_by_role("button", name="Step").is_disabled()
    page.get_by_label("Prompt", exact=True).fill("My lord, ")
    assert page.locator("[data-tiny-gpt] .tg-message").inner_text() == ""
    page.get_by_role("button", name="Step").click()
    assert len(page.eval_on_selector("[data-tiny-gpt]", "e => e.dataset.text")) == len("My lord, ") + 1
    assert_clean(visit)


def test_the_weights_load_only_when_the_reader_starts_the_model(context, base_url, site):
    requests = []
    page, visit = open_play(context, base_url, requests)
    before = sum(visit.bytes_by_type.values())
    assert not any(u.endswith(".safetensors") for u in requests), f"{SOURCE}: weights fetched before Start"
    start(page)
    after = sum(visit.bytes_by_type.values())
    fetched = [u for u in requests if u.endswith(".safetensors")]
    assert fetched == [base_url + "figures/ch3/play/tiny-gpt-f16.safetensors"], f"{SOURCE}: fetched {fetched}"
    assert after - before >= WEIGHTS.stat().st_size * 0.9, f"{SOURCE}: {after - before} bytes arrived with the model"
    others = [p.relative_to(site).as_posix() for p in site.rglob("*.html")
              if "tiny-gpt-play.js" in p.read_text(encoding="utf-8") and p.parent.name != "play"]
    assert not others, f"pages other than {SOURCE} load the model's script: {others}"
    assert_clean(visit)


def test_the_page_works_when_reached_by_instant_navigation(context, base_url):
    page, visit = open_page(context, base_url + "ch3/training/", base_url)
    page.locator("article a[href$='play/']").first.click()
    page.wait_for_url("**/ch3/play/")
    page.wait_for_selector("[data-tiny-gpt][data-ready='waiting']", state="attached", timeout=15_000)
    start(page)
    page.get_by_role("button", name="Step").click()
    assert page.locator("[data-tiny-gpt] .tg-bar-row").count() == 12
    assert_clean(visit)


def test_every_control_works_from_the_keyboard(context, base_url):
    page, visit = open_play(context, base_url)
    page.get_by_role("button", name="Start the model").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(READY, state="attached", timeout=30_000)
    page.get_by_label("Prompt", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "tg-temperature", "Tab from the prompt: the temperature"
    page.get_by_role("button", name="Step").focus()
    page.keyboard.press("Enter")
    assert len(page.eval_on_selector("[data-tiny-gpt]", "e => e.dataset.text")) == len("My lord, ") + 1
    assert_clean(visit)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, base_url, scheme):
    context = new_context(browser, base_url, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page, visit = open_play(context, base_url)
        start(page)
        page.get_by_role("button", name="Step").click()
        page.locator("[data-tiny-gpt] details.tg-attention > summary").click()
        violations = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"play-1280px-{scheme}.png"), full_page=True)
    finally:
        context.close()
    assert not violations, f"{SOURCE} ({scheme}): " + json.dumps(violations, indent=1)[:3000]
    assert_clean(visit)


def test_a_phone_wide_page_does_not_scroll_sideways(browser, base_url):
    context = new_context(browser, base_url, viewport={"width": 390, "height": 844}, color_scheme="dark")
    try:
        page, visit = open_play(context, base_url)
        start(page)
        page.get_by_role("button", name="Generate").click()
        settle(page)
        page.locator("[data-tiny-gpt] details.tg-attention > summary").click()
        fit = horizontal_overflow(page)
        # The map is wider than the phone and scrolled to the newest characters: the characters that name its
        # rows and its columns must be in view there too (heatMap's bothSides)
        labels = page.eval_on_selector("[data-tiny-gpt] .ae-grid-box", """box => {
            const view = box.getBoundingClientRect();
            const inside = (r) => r.left >= view.left && r.right <= view.right && r.top >= view.top
                && r.bottom <= view.bottom;
            const texts = [...box.querySelectorAll(".ae-labels text")];
            const shown = (rotated) => texts.filter((t) => t.hasAttribute("transform") === rotated
                && inside(t.getBoundingClientRect())).length;
            return {wider: box.scrollWidth > box.clientWidth, rows: shown(false), columns: shown(true)};
        }""")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "play-390px-dark.png"), full_page=True)
    finally:
        context.close()
    assert fit["scrollWidth"] <= fit["innerWidth"] and not fit["wide"], f"{SOURCE} at 390 px: {fit}"
    assert labels["wider"] and labels["rows"] > 0 and labels["columns"] > 0, \
        f"{SOURCE} at 390 px: the scrolled map shows no row or no column labels: {labels}"
    assert_clean(visit)


def test_tolerance_can_catch_a_change_of_the_model():
    """TOLERANCE must be far below what a real change to the model moves: LayerNorm's eps from 1e-5 to 1e-6."""
    from foundations_of_llms.training import from_pretrained

    model = from_pretrained(SHIPPED_MODEL)[0].double()
    model.load_state_dict({name: t.double() for name, t in load_file(WEIGHTS).items()}, strict=False)
    chars = json.loads((SHIPPED_MODEL / "tokenizer.json").read_text(encoding="utf-8"))["chars"]
    ids = torch.tensor([[chars.index(c) for c in REFERENCE["prompts"][0]["text"]]])
    with torch.no_grad():
        before = model(ids)
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.eps = 1e-6
        moved = float((model(ids) - before).abs().max())
    assert moved > 100 * TOLERANCE, f"LayerNorm's eps 1e-6 moves a logit by {moved:.2e} only"
    assert math.isfinite(moved)
