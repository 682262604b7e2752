"""Headless Chromium (Debian's, driven by Playwright) against a built site served on 127.0.0.1.
Used by test_browser.py and by tools/bench.py."""

import os
import shutil
from dataclasses import dataclass, field
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


def new_context(browser, base_url, **options):
    """A fresh browser context in which any request to another host is recorded (by open_page) and aborted."""
    local = urlparse(base_url).netloc
    context = browser.new_context(**options)
    context.route(lambda u: urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != local,
                  lambda route: route.abort())
    return context


def open_page(context, url, base_url):
    """Load a page, recording console errors, requests to other hosts and the bytes transferred."""
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
    page.goto(url, wait_until="networkidle")
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
