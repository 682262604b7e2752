import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser import chromium_path, in_ci, launch  # noqa: E402
from harness import Project  # noqa: E402
from static_server import serve  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite each snippet's expected output file (.out) with what it prints now")


@pytest.fixture(scope="session")
def project():
    """The real project; it remembers snippet runs so identical code runs once per session."""
    return PROJECT


PROJECT = Project()


@pytest.fixture(scope="session")
def built_site():
    """`mkdocs build --strict` of the real site, once per session: (CompletedProcess, site folder)."""
    site = PROJECT.root / "build" / "site-test"
    return PROJECT.build(site), site


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
