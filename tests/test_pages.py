"""Test 2: each page is expanded as MkDocs expands it, and its python blocks run and print the output
the page shows under them. The page itself is the test. Each block is one snippet, included whole, with that
snippet's recorded output included under it, so snippets/made-from.json (test_snippets.py) covers what a page
shows: code written on the page, or an output typed there, would be held to nothing."""

import pytest
from conftest import PROJECT
from harness import block_provenance, check_block

pytestmark = pytest.mark.examples  # pytest -m examples: the examples alone, for a reader's CI

BLOCKS = [block for page in PROJECT.pages() for block in PROJECT.python_blocks(page)]


def test_the_pages_have_python_blocks():
    assert BLOCKS, "no python block found on any page: the page tests would check nothing"


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{PROJECT.rel(b.page)}:{b.line}" for b in BLOCKS])
def test_page_block_prints_the_output_shown(block, project):
    failure = check_block(project, block)
    if failure:
        pytest.fail(failure, pytrace=False)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{PROJECT.rel(b.page)}:{b.line}" for b in BLOCKS])
def test_page_block_shows_a_snippet_and_its_recorded_output(block, project):
    failure = block_provenance(project, block)
    if failure:
        pytest.fail(failure, pytrace=False)
