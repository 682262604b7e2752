import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from filelock import FileLock

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))  # the build hooks, whose limits some tests check

from browser import chromium_path, in_ci, launch  # noqa: E402
from harness import Project  # noqa: E402
from static_server import serve  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite each snippet's expected output file (.out) with what it prints now")


def pytest_collection_modifyitems(items):
    """`pytest -k ch3/training` runs everything that checks docs/ch3/training.md: the tests parametrized by the page
    or by its snippets (snippets/ch3/training/...) match by their ids; a test marked @pytest.mark.page matches too."""
    for item in items:
        for mark in item.iter_markers("page"):
            item.extra_keyword_matches.update(mark.args)


@pytest.fixture(scope="session")
def project():
    """The real project; it remembers snippet runs so identical code runs once per session."""
    return PROJECT


PROJECT = Project()


RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex  # shared by the workers of one run


@pytest.fixture(scope="session")
def built_site():
    """`mkdocs build --strict` of the real site, once per test run, whichever worker asks first (the others wait
    for it and reuse it): (CompletedProcess, site folder)."""
    site = PROJECT.root / "build" / "site-test"
    record = site.with_name("site-test.json")
    site.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(site.with_name("site-test.lock")):
        kept = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
        if kept.get("run") == RUN_ID:
            return subprocess.CompletedProcess(kept["args"], kept["returncode"], kept["stdout"], kept["stderr"]), site
        done = PROJECT.build(site)
        record.write_text(json.dumps({"run": RUN_ID, "args": done.args, "returncode": done.returncode,
                                      "stdout": done.stdout, "stderr": done.stderr}), encoding="utf-8")
        return done, site


@pytest.fixture(scope="module")
def site(built_site):
    """The built site's folder; the build must have passed."""
    done, site = built_site
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return site


@pytest.fixture(scope="module")
def base_url(site):
    """The built site, served on 127.0.0.1 as a static host would serve it."""
    server, url = serve(site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, driven by Playwright). Without it the browser tests are skipped, except in CI,
    where a missing browser is a failure."""
    if chromium_path() is None:
        message = "Chromium is not installed (the set-up installs Debian's chromium: run `make test`)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
