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
