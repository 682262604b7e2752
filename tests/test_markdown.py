"""Markdown traps in the chapters' source that the strict build does not report.

- A wrapped line of prose that begins with a number and a full stop ("250. It does ...") starts a numbered
  list in Markdown: the number disappears from the sentence and a new list item begins. The test names the file
  and line; rewrap the paragraph so that the line starts with a word.
- A file of the repository named in the prose (`snippets/ch3/training/tolerances.toml`) must exist: a file
  moved or renamed leaves the sentence pointing at nothing, and no link check sees a path in code spans.
  (`src/model.py` is openai/gpt-2's file, not this repository's: the course package is src/foundations_of_llms.)
"""

import re

import pytest
from conftest import PROJECT

PAGES = sorted(PROJECT.docs.rglob("*.md"))
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
NUMBERED = re.compile(r"^(?P<indent>\s*)\d+\.\s")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
# `path` in prose, for the repository's own folders; "file.py:name" names a part of file.py
REPO_PATH = re.compile(r"`((?:snippets|docs|tests|tools|benchmarks|citations|src/foundations_of_llms)/[^`\s:]*)")


def wrapped_numbered_lines(text):
    """Line numbers of lines that read as a new numbered item but continue the paragraph above them: the line
    above is prose at the same indent (not blank, not a fence; a list item's text starts after its marker) and
    does not end with a colon (a list introduced without a blank line). The next item of a list, after a
    continuation line indented under the item before, has a smaller indent than that line and is not reported."""
    found, fence, previous = [], False, ""
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fence = not fence
        elif not fence:
            numbered = NUMBERED.match(line)
            if numbered and previous.strip() and not previous.rstrip().endswith(":"):
                item = LIST_ITEM.match(previous)  # the text of a list item starts after its marker
                indent_above = item.end() if item else len(previous) - len(previous.lstrip())
                if indent_above == len(numbered["indent"]):
                    found.append(number)
        previous = "" if fence else line
    return found


@pytest.mark.parametrize("page", PAGES, ids=[PROJECT.rel(p) for p in PAGES])
def test_no_wrapped_line_starts_a_numbered_list(page):
    lines = wrapped_numbered_lines(page.read_text(encoding="utf-8"))
    assert not lines, "\n".join(
        f"{PROJECT.rel(page)}:{n}: a wrapped line starts with a number and a full stop; Markdown makes it a new "
        "numbered list item and the number disappears from the sentence. Rewrap so the line starts with a word."
        for n in lines)


def test_the_check_finds_the_trap():
    sample = ("- it would have stopped at step 175 of\n  250. It does not\n\n- a bullet,\n  wrapped at\n  3. Here\n\n"
              "1. a real item,\n   wrapped\n2. another\n")
    assert wrapped_numbered_lines(sample) == [2, 6]


def missing_paths(text, root):
    """(line, path) for each repository path in code spans of the text that does not exist under root."""
    return [(number, match[1]) for number, line in enumerate(text.splitlines(), start=1)
            for match in REPO_PATH.finditer(line) if not (root / match[1].rstrip("/")).exists()]


@pytest.mark.parametrize("page", PAGES, ids=[PROJECT.rel(p) for p in PAGES])
def test_a_file_named_in_the_prose_exists(page):
    missing = missing_paths(page.read_text(encoding="utf-8"), PROJECT.root)
    assert not missing, "\n".join(f"{PROJECT.rel(page)}:{n}: names {path}, which is not in the repository"
                                   for n, path in missing)


def test_the_path_check_finds_a_moved_file():
    sample = "see `snippets/ch3/tolerances.toml`\nand `snippets/ch3/training/tolerances.toml`, `src/model.py`\n"
    assert missing_paths(sample, PROJECT.root) == [(1, "snippets/ch3/tolerances.toml")]
    named = sum(len(REPO_PATH.findall(page.read_text(encoding="utf-8"))) for page in PAGES)
    assert named >= 10, f"only {named} repository paths found in the pages: the pattern no longer matches them"
