"""Test 2: each page is expanded as MkDocs expands it, and its python blocks run and print the output
the page shows under them. The page itself is the test."""

import pytest
from conftest import PROJECT
from harness import output_diff

BLOCKS = [block for page in PROJECT.pages() for block in PROJECT.python_blocks(page)]


def test_the_pages_have_python_blocks():
    assert BLOCKS, "no python block found on any page: the page tests would check nothing"


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{PROJECT.rel(b.page)}:{b.line}" for b in BLOCKS])
def test_page_block_prints_the_output_shown(block, project):
    label = block.label(project.root)
    if block.expected_output is None:
        pytest.fail(f"{label}: no output is shown under it (<!--pytest-codeblocks:expected-output--> "
                    "followed by the included .out file)", pytrace=False)
    run = project.run_block(block)
    if run.failure():
        pytest.fail(run.failure(), pytrace=False)
    diff = output_diff(block.expected_output, run.stdout, f"the output shown on {project.rel(block.page)}")
    if diff:
        pytest.fail(f"{label} printed something other than the output shown on the page:\n{diff}", pytrace=False)
