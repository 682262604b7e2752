"""Test 1: every snippet runs alone, offline, and prints exactly its expected output file."""

import pytest
from conftest import PROJECT
from harness import check_snippet, stray_figures

SCRIPTS = PROJECT.scripts()


@pytest.mark.parametrize("script", SCRIPTS, ids=[PROJECT.rel(s) for s in SCRIPTS])
def test_snippet_prints_its_expected_output(script, project, request):
    failure = check_snippet(project, script, update=request.config.getoption("--update-golden"))
    if failure:
        pytest.fail(failure, pytrace=False)


def test_every_figure_is_drawn_by_a_snippet(project):
    stray = stray_figures(project)
    assert not stray, "\n".join(stray + ["Delete it, or add the snippet that draws it."])
