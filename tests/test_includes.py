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


# The code column of a page at 1280 px holds about 82 characters of code (issue 19); lines beyond it hide
# their ends, usually their comments. Outputs (.out) scroll with a visible cue instead (test_quality.py).
CODE_COLUMN = 82
CODE_SUFFIXES = (".py", ".js")
SECTION = r"(?:#|//) --8<-- \[(start|end):{}\]"


def shown_lines(target):
    """(file, line number, text) of what an include shows: a whole file, or its section FILE:NAME."""
    path, _, name = target.partition(":")
    lines = (PROJECT.root / path).read_text(encoding="utf-8").splitlines()
    numbered = list(enumerate(lines, start=1))
    if name:
        marks = [i for i, line in numbered if re.search(SECTION.format(re.escape(name)), line)]
        numbered = numbered[marks[0]: marks[1] - 1] if len(marks) == 2 else []
    return [(path, number, text) for number, text in numbered if "--8<--" not in text]


def test_shown_code_fits_the_code_column():
    """Every line of code a page shows by inclusion (scripts, the package's sections, the browser GPT's
    JavaScript) is at most CODE_COLUMN characters (snippets/ruff.toml and src/ruff.toml set the same limit)."""
    long = set()
    for page in PROJECT.pages():
        for line, target in PROJECT.includes(page):
            if target.partition(":")[0].endswith(CODE_SUFFIXES):
                long.update(f"{path}:{number} ({len(text)} characters, shown by {PROJECT.rel(page)}:{line})"
                            for path, number, text in shown_lines(target) if len(text) > CODE_COLUMN)
    assert not long, f"{len(long)} shown lines wider than {CODE_COLUMN}:\n" + "\n".join(sorted(long)[:40])
