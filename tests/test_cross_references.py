"""A snippet may restate a number that another snippet prints (a baseline to compare with). It says where
the number comes from in a comment, `... = 244.6  # ...: ngram_perplexity.out`, and this test checks that
the number really is in that output file, so the two cannot drift apart."""

import re

import pytest
from conftest import PROJECT

# A number, with its thousands grouped or not: 244.6, 14125, 14_125 in code, 14,125 in an output.
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[,_]\d{3})+(?:\.\d+)?(?![\w.]|,\d)|(?<![\w.,])\d+(?:\.\d+)?(?![\w.]|,\d)")


def numbers_in(text):
    """The numbers in a text, without their thousands separators."""
    return [re.sub(r"[,_]", "", n) for n in NUMBER.findall(text)]


SOURCE = re.compile(r"#.*?([\w/-]+\.out)\b")


def restated_numbers(project):
    found = []
    for script in project.scripts():
        for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), start=1):
            source = SOURCE.search(line)
            if source:
                code = line[: line.index("#")]
                found.append((f"{project.rel(script)}:{number}", source.group(1), numbers_in(code)))
    return found


RESTATED = restated_numbers(PROJECT)


@pytest.mark.parametrize("where, source, numbers", RESTATED, ids=[r[0] for r in RESTATED])
def test_a_restated_number_is_in_the_output_it_cites(where, source, numbers):
    matches = list(PROJECT.snippets.rglob(source.split("/")[-1]))
    assert len(matches) == 1, f"{where} cites {source}, but {len(matches)} files under snippets/ have that name"
    printed = set(numbers_in(matches[0].read_text(encoding="utf-8")))
    assert numbers, f"{where} cites {source} but restates no number"
    missing = [n for n in numbers if n not in printed]
    assert not missing, f"{where} restates {missing}, which {PROJECT.rel(matches[0])} does not print"


def test_restated_numbers_are_found():
    assert RESTATED, "no snippet restates a number from another's output; this test would check nothing"
