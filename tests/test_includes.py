"""Test 3: every include points to a file that exists, and every snippet and its output are shown."""

import re

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


def test_a_pages_snippets_outputs_and_figures_are_at_its_address():
    """docs/ch3/loss.md shows snippets/ch3/loss/*.py with their outputs, and the figures in docs/figures/ch3/loss/
    (the README's layout): `pytest -k ch3/loss` then runs everything that checks the page."""
    misplaced = []
    for page in PROJECT.pages():
        address = PROJECT.rel(page).removeprefix("docs/").removesuffix(".md")
        for line, target in PROJECT.includes(page):
            if target.startswith("snippets/") and not target.startswith(f"snippets/{address}/"):
                misplaced.append(f"{PROJECT.rel(page)}:{line} shows {target}, which belongs in snippets/{address}/")
        for figure in re.findall(r"figures/([\w/.-]+)", page.read_text(encoding="utf-8")):
            if not figure.startswith(f"{address}/"):
                misplaced.append(f"{PROJECT.rel(page)} shows figures/{figure}, which belongs in "
                                 f"docs/figures/{address}/")
    assert not misplaced, "\n".join(misplaced)
