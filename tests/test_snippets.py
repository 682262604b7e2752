"""Test 1: every snippet runs alone, offline, and prints exactly its expected output file."""

import pytest
from conftest import PROJECT
from harness import check_snippet

SCRIPTS = PROJECT.scripts()


@pytest.mark.parametrize("script", SCRIPTS, ids=[PROJECT.rel(s) for s in SCRIPTS])
def test_snippet_prints_its_expected_output(script, project, request):
    failure = check_snippet(project, script, update=request.config.getoption("--update-golden"))
    if failure:
        pytest.fail(failure, pytrace=False)
