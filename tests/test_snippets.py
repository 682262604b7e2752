"""Test 1: every snippet runs alone, offline, and prints its expected output file: exactly, but for the numbers
its folder's tolerances.toml lets move; and each output was recorded from the code as it is now."""

import fnmatch
import json
import re
import tomllib

import pytest
from conftest import PROJECT
from harness import MADE_FROM, check_snippet, stray_figures

pytestmark = pytest.mark.examples  # pytest -m examples: the examples alone, for a reader's CI

SCRIPTS = PROJECT.scripts()


@pytest.mark.parametrize("script", SCRIPTS, ids=[PROJECT.rel(s) for s in SCRIPTS])
def test_snippet_prints_its_expected_output(script, project, request):
    failure = check_snippet(project, script, update=request.config.getoption("--update-golden"))
    if failure:
        pytest.fail(failure, pytrace=False)


@pytest.mark.parametrize("script", SCRIPTS, ids=[PROJECT.rel(s) for s in SCRIPTS])
def test_snippet_output_was_recorded_from_the_code_as_it_is(script, project, request):
    """An intended change to a snippet, to a course module it imports, to the shipped model or to a pin must be
    followed by recording its output again (--update-golden, which also records what it was made from):
    an output that passes only within its tolerances would otherwise go on showing what the old code printed."""
    if request.config.getoption("--update-golden"):
        pytest.skip("--update-golden records what each output is made from")
    stale = project.stale_outputs(script)
    if stale:
        pytest.fail(stale, pytrace=False)


def test_every_recorded_origin_is_a_snippet(project):
    manifest = project.root / MADE_FROM
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    extra = sorted(recorded.keys() - {project.rel(s) for s in project.scripts()})
    assert not extra, f"{MADE_FROM} names snippets that do not exist: {extra}; remove their entries"


def test_every_figure_is_drawn_by_a_snippet(project):
    stray = stray_figures(project)
    assert not stray, "\n".join(stray + ["Delete it, or add the snippet that draws it."])


def test_every_declared_tolerance_applies_to_something(project):
    """A tolerance or a `varies` pattern in snippets/*/tolerances.toml must name a snippet that exists, a figure it
    writes, and lines of its recorded output that the rule matches: a stale rule would hide nothing but mislead."""
    stale = []
    for table_path in sorted(project.snippets.rglob("tolerances.toml")):
        table = tomllib.loads(table_path.read_text(encoding="utf-8"))
        for kind in ("tolerance", "varies"):
            for number, entry in enumerate(table.get(kind, []), start=1):
                where = f"{project.rel(table_path)} [[{kind}]] #{number}"
                script = table_path.parent / entry["snippet"]
                if not script.is_file():
                    stale.append(f"{where}: no snippet {entry['snippet']} beside it")
                    continue
                if "figure" in entry:
                    kept = [p.name for p in project.figure_dir(script).glob("*")]
                    if not fnmatch.filter(kept, entry["figure"]):
                        stale.append(f"{where}: {project.rel(project.figure_dir(script))}/ has no {entry['figure']}")
                    continue
                recorded = project.expected_output_file(script).read_text(encoding="utf-8").splitlines()
                pattern = re.compile(entry.get("lines") or entry.get("pattern") or "")
                if not any(pattern.search(line) for line in recorded):
                    stale.append(f"{where}: matches no line of {project.rel(project.expected_output_file(script))}")
    assert not stale, "\n".join(stale)
