import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import Project  # noqa: E402


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
