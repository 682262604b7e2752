"""Test 3: every include points to a file that exists, and every snippet and its output are shown."""

from conftest import PROJECT
from harness import orphans_and_dangling


def test_every_include_exists():
    _, dangling = orphans_and_dangling(PROJECT)
    assert not dangling, "\n".join(dangling)


def test_every_snippet_and_output_is_shown():
    orphans, _ = orphans_and_dangling(PROJECT)
    assert not orphans, "\n".join(orphans)


def test_every_expected_output_has_its_snippet():
    strays = [PROJECT.rel(out) for out in PROJECT.snippets.rglob("*.out")
              if not (out.parent / (out.name.split(".")[0] + ".py")).exists()]  # x.out and x.quick.out: x.py
    assert not strays, f"expected-output files with no snippet: {strays}"
