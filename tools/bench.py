"""`make bench`: a calibration figure, build times, each example's wall time, the test suite's time, each page's
weight, the browser GPT's transfer and speed, and Lighthouse's scores.

    .venv/bin/python tools/bench.py [--skip-tests]
    .venv/bin/python tools/bench.py --weights SITE    # the search index and page weights of a built site
    .venv/bin/python tools/bench.py --play SITE       # the tiny GPT's page: its transfer, and characters per second

Budgets (from the project's issues): warm build <= 10 s, each snippet <= 20 s on 2 cores (the one
that trains four language models is allowed 60 s), each chapter's snippets together <= 2 minutes
(chapter 1) or 3 minutes (chapters 2 and 3), each page <= 600 KB transferred, the search index <= 300 KB
uncompressed, and Lighthouse's performance and accessibility scores >= 95 on each page (Lighthouse's scores are
timings of this machine, so they live here and not in the tests). Numbers over budget are marked OVER; the exit
status is 1 if any is.

Machines of one kind differ by up to about 4 times in speed (docs/ch3/training.md), so the bench starts with a
calibration figure: the steps per second of chapter 3's tiny GPT training loop (batch 12, context 64, AdamW) on
one thread. Read every time below against it: a machine at half the figure takes about twice as long."""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import (  # noqa: E402
    chromium_path,
    launch,
    lighthouse_table,
    new_context,
    node_packages_missing,
    open_page,
    page_urls,
    run_lighthouse_median,
    wait_for_math,
)
from harness import Project  # noqa: E402
from static_server import serve  # noqa: E402

WARM_BUILD_BUDGET_S = 10
SNIPPET_BUDGET_S = 20
LONGER_SNIPPET_BUDGETS_S = {"snippets/ch1/neural/neural_lms.py": 60}  # four models, two at a time, ~20 s each
CHAPTER_BUDGETS_S = {"ch1": 120, "ch2": 180, "ch3": 180}
PAGE_BUDGET_BYTES = 600 * 1024
SEARCH_INDEX_BUDGET_BYTES = 300 * 1024  # uncompressed: every page's search loads it
MIN_LIGHTHOUSE_SCORE = 0.95  # performance and accessibility, desktop preset (tests/lighthouse.mjs)


def verdict(ok):
    return "ok" if ok else "OVER"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bench_calibration(steps=40):
    """Steps per second of the tiny GPT's training loop on one thread, as train_tiny_gpt.py ran it before
    2026-12-04: the attention written out and AdamW unfused. The workload stays fixed so that the figure
    compares machines across dates (the budgets below were set against it), whatever the loop gains later."""
    code = f"""
import time, torch, torch.nn.functional as F
from foundations_of_llms.gpt import GPT, GPTConfig
BATCH = 12
torch.manual_seed(0)
torch.set_num_threads(1)
config = GPTConfig(vocab_size=78, n_ctx=64, d_model=128, n_layer=4, n_head=4)
model = GPT(config)
for block in model.h:
    block.attn.fused = False
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=False)
def step():
    windows = torch.randint(78, (BATCH, config.n_ctx + 1))
    loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
for _ in range(5):
    step()
start = time.perf_counter()
for _ in range({steps}):
    step()
print({steps} / (time.perf_counter() - start))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the calibration failed:\n{done.stderr}")
    rate = float(done.stdout.split()[-1])
    print("== calibration")
    print(f"tiny GPT training loop (batch 12, context 64, AdamW), one thread: {rate:.1f} steps/s "
          "(the slow machine of the suite's budget: 8.3 steps/s)")
    return True


def bench_builds(project, site):
    print("== mkdocs build --strict")
    shutil.rmtree(site, ignore_errors=True)
    done, cold = timed(lambda: project.build(site))
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stderr}")
    _, warm = timed(lambda: project.build(site))
    print(f"cold build (empty site folder): {cold:6.2f} s")
    within = warm <= WARM_BUILD_BUDGET_S
    print(f"warm build (right after):       {warm:6.2f} s   budget {WARM_BUILD_BUDGET_S} s  {verdict(within)}")
    return within


def bench_snippets(project):
    print("\n== snippets, each in its own process, network blocked (slowest first)")
    runs = [project.run_script(script) for script in project.scripts()]
    ok = True
    for run in sorted(runs, key=lambda r: r.seconds, reverse=True):
        budget = LONGER_SNIPPET_BUDGETS_S.get(run.label, SNIPPET_BUDGET_S)
        within = run.seconds <= budget and run.returncode == 0
        ok &= within
        status = verdict(within) if run.returncode == 0 else f"FAILED (exit {run.returncode})"
        print(f"{run.seconds:7.2f} s  {run.label:45}  budget {budget:3d} s  {status}")
    print(f"{sum(r.seconds for r in runs):7.2f} s  all {len(runs)} snippets")
    for chapter, budget in CHAPTER_BUDGETS_S.items():
        total = sum(r.seconds for r in runs if r.label.startswith(f"snippets/{chapter}/"))
        within = total <= budget
        ok &= within
        print(f"{total:7.2f} s  chapter {chapter[2:]} together{'':28}budget {budget:3d} s  {verdict(within)}")
    return ok


def bench_pages(project, site):
    print("\n== bytes transferred per page in Chromium (gzip, as a static host serves them)")
    if chromium_path() is None:
        print("chromium is not installed: skipped (make bench installs it)")
        return False
    from playwright.sync_api import sync_playwright

    server, base_url = serve(site)
    kinds = ("html", "css", "js", "fonts", "fetch", "other")
    print(f"{'page':24}" + "".join(f"{k:>9}" for k in kinds) + f"{'total':>10}")
    ok = True
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for source, path in page_urls(project):
            context = new_context(browser, base_url)
            page, visit = open_page(context, base_url + path, base_url)
            if wait_for_math(page):
                page.wait_for_load_state("networkidle")  # KaTeX's fonts arrive after the typesetting
            context.close()
            sizes = dict(visit.bytes_by_type)
            other = sum(v for k, v in sizes.items() if k not in kinds[:-1])
            row = [sizes.get(k, 0) for k in kinds[:-1]] + [other]
            total = sum(row)
            ok &= total <= PAGE_BUDGET_BYTES
            print(f"{source.removeprefix('docs/'):24}" + "".join(f"{v / 1024:8.1f}K" for v in row)
                  + f"{total / 1024:9.1f}K  {verdict(total <= PAGE_BUDGET_BYTES)}")
        browser.close()
    server.shutdown()
    print(f"budget: {PAGE_BUDGET_BYTES // 1024} KB per page")
    return ok


def uncompressed_weights(site):
    """{page: bytes} of each built page as stored, with what it loads: its stylesheets, scripts, images and
    preloaded fonts, and the search index, which Material's search fetches on every page."""
    from bs4 import BeautifulSoup

    index = site / "search" / "search_index.json"
    weights = {}
    for page in sorted(site.rglob("index.html")):
        if page.parent == site / "404":
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        refs = {tag.get("href") or tag.get("src") for tag in soup.select(
            "link[rel=stylesheet][href], link[rel=preload][href], script[src], img[src]")}
        files = {page, index}
        for ref in refs:
            if ref.startswith("data:") or "://" in ref:  # inlined, or another host's (the tests forbid those)
                continue
            target = (page.parent / ref.split("#")[0].split("?")[0]).resolve()
            if target.is_file():
                files.add(target)
        weights[page.parent.relative_to(site).as_posix() or "."] = sum(f.stat().st_size for f in files)
    return weights


TINY_GPT_SPEED = """async ([count, cache]) => {
    // Characters per second of the page's model: greedy continuation of a prompt in the page's own context
    // (tiny-gpt.js's createContext: one step() per character with the cache, forward() over it without).
    const model = window.benchModel;
    const context = TinyGPT.createContext(model, [...'My lord, '].map((c) => model.chars.indexOf(c)), cache);
    const began = performance.now();
    for (let i = 0; i < count; i++) context.push(context.logits.indexOf(Math.max(...context.logits)));
    return count / ((performance.now() - began) / 1000);
}"""


def bench_tiny_gpt_page(site):
    """The page that runs the tiny GPT in the browser: what it transfers before and after the reader starts the
    model, and how many characters a second the JavaScript model writes, with and without its KV cache."""
    print("\n== the tiny GPT in Chromium (docs/ch3/play.md)")
    if chromium_path() is None:
        print("chromium is not installed: skipped (make bench installs it)")
        return False
    from playwright.sync_api import sync_playwright

    server, base_url = serve(site)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = new_context(browser, base_url)
        page, visit = open_page(context, base_url + "ch3/play/", base_url)
        before = sum(visit.bytes_by_type.values())
        page.get_by_role("button", name="Start the model").click()
        page.wait_for_selector("[data-tiny-gpt][data-ready='true']", state="attached", timeout=60_000)
        after = sum(visit.bytes_by_type.values())
        print(f"transferred: {before / 1024:.0f} KB before the model starts, {after / 1024:.0f} KB after "
              f"(the weights: {(after - before) / 1024:.0f} KB)")
        page.evaluate("async (url) => { const response = await fetch(url); "
                      "window.benchModel = TinyGPT.loadModel(await response.arrayBuffer()); }",
                      base_url + "figures/ch3/play/tiny-gpt-f16.safetensors")
        for cache, count in ((True, 500), (False, 100)):
            rates = [page.evaluate(TINY_GPT_SPEED, [count, cache]) for _ in range(3)]
            print(f"{'with' if cache else 'without'} the KV cache: {sorted(rates)[1]:7.0f} characters/s "
                  f"(median of 3 runs of {count} characters after a 9-character prompt)")
        context.close()
        browser.close()
    server.shutdown()
    return True


def bench_search_and_weights(site):
    print("\n== search index and uncompressed page weights (as stored: html, css, js, images, fonts, index)")
    size = (site / "search" / "search_index.json").stat().st_size
    within = size <= SEARCH_INDEX_BUDGET_BYTES
    print(f"search index: {size / 1024:.1f} KB   budget {SEARCH_INDEX_BUDGET_BYTES // 1024} KB  {verdict(within)}")
    weights = uncompressed_weights(site)
    for page, weight in weights.items():
        print(f"{page:34} {weight / 1024:8.1f} KB")
    print(f"{'smallest to largest':34} {min(weights.values()) / 1024:.0f} to {max(weights.values()) / 1024:.0f} KB")
    return within


def bench_lighthouse(project, site):
    print("\n== Lighthouse per page (desktop preset, simulated throttling; reports in build/lighthouse/)")
    problem = node_packages_missing() or (chromium_path() is None and "chromium is not installed")
    if problem:
        print(f"skipped: {problem} (make bench installs it)")
        return False
    pages = page_urls(project)
    server, base_url = serve(site)
    try:
        results, seconds = timed(lambda: run_lighthouse_median(base_url, [path for _, path in pages],
                                                                 ROOT / "build" / "lighthouse", MIN_LIGHTHOUSE_SCORE))
    finally:
        server.shutdown()
    rows = list(zip([source for source, _ in pages], results, strict=True))
    table = lighthouse_table(rows).splitlines()
    ok = True
    for line, (_, result) in zip(table[1:], rows, strict=True):
        within = all(result[k] is not None and result[k] >= MIN_LIGHTHOUSE_SCORE
                     for k in ("performance", "accessibility")) and result["bytes"] <= PAGE_BUDGET_BYTES
        ok &= within
        table[table.index(line)] = f"{line}  {verdict(within)}"
    print("\n".join(table))
    print(f"{seconds:.0f} s for {len(rows)} pages ({seconds / max(len(rows), 1):.1f} s a page); "
          f"budget: scores >= {100 * MIN_LIGHTHOUSE_SCORE:.0f}, {PAGE_BUDGET_BYTES // 1024} KB per page")
    return ok


def bench_tests():
    print("\n== make test (set-up already done: lint, spelling and the whole test suite)")
    done, seconds = timed(lambda: subprocess.run(["make", "--no-print-directory", "test"],
                                                 cwd=ROOT, capture_output=True, text=True))
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no output)"
    print(f"{seconds:7.1f} s  {last}")
    return done.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-tests", action="store_true", help="do not time the whole test suite")
    parser.add_argument("--weights", type=Path, metavar="SITE", help="only the search index and page weights of a "
                        "site already built in SITE (for comparing two revisions)")
    parser.add_argument("--play", type=Path, metavar="SITE", help="only the tiny GPT's page of a site already built")
    args = parser.parse_args()
    if args.play:
        sys.exit(0 if bench_tiny_gpt_page(args.play) else 1)
    if args.weights:
        sys.exit(0 if bench_search_and_weights(args.weights) else 1)
    project = Project(ROOT, cache=False)  # every snippet is run and timed afresh
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        results = [bench_calibration(), bench_builds(project, site), bench_snippets(project),
                   bench_search_and_weights(site), bench_pages(project, site), bench_tiny_gpt_page(site),
                   bench_lighthouse(project, site)]
    if not args.skip_tests:
        results.append(bench_tests())
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
