"""Test 1: every snippet runs alone, offline, and prints exactly its expected output file."""

import pytest
from conftest import PROJECT
from harness import output_diff

SCRIPTS = PROJECT.scripts()


@pytest.mark.parametrize("script", SCRIPTS, ids=[PROJECT.rel(s) for s in SCRIPTS])
def test_snippet_prints_its_expected_output(script, project, request):
    run = project.run_script(script)
    if run.failure():
        pytest.fail(run.failure(), pytrace=False)
    expected_file = script.with_suffix(".out")
    if request.config.getoption("--update-golden"):
        expected_file.write_text(run.stdout, encoding="utf-8")
        return
    if not expected_file.exists():
        pytest.fail(f"{project.rel(script)} has no expected output file {project.rel(expected_file)}; "
                    "create it with `pytest --update-golden` and review it", pytrace=False)
    diff = output_diff(expected_file.read_text(encoding="utf-8"), run.stdout, project.rel(expected_file))
    if diff:
        pytest.fail(f"{project.rel(script)} printed something other than {project.rel(expected_file)}:\n{diff}"
                    "\nIf the change is intended, run `pytest --update-golden` and review the diff.",
                    pytrace=False)
