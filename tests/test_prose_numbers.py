"""Numbers in prose, held to the files they were read from.

A paragraph (or table) of a page that states figures from outputs is preceded by a comment naming those files
(then a blank line, so that Markdown keeps the comment a block of its own):

    <!-- numbers from: benchmarks/nanogpt/run.log, snippets/ch3/training/train_curve.out
         0.004 = 1.9019 - 1.8982
         1.88 : nanoGPT's README, cited -->

Every decimal number of the paragraph below it (up to the next blank line; not a place such as §3.4 or
Table 2.1) must then be one of these:
- in one of the files, to the paragraph's precision (27.7 for a file's 27.68);
- the result of an arithmetic line `N = expression`, whose operands are in the files (a whole number as
  134515008 for a file's 134,515,008) or are themselves listed, rounded to N's decimals;
- listed with a reason, `N : why` (a quoted figure, a constant of the recipe).

So a number typed from an output that has since changed, or a difference worked out wrongly, fails with the
page, its line and the number.
"""

import ast
import operator
import re

import pytest
from conftest import PROJECT

COMMENT = re.compile(r"<!-- numbers from: (?P<body>.*?)-->", re.DOTALL)
RULE = re.compile(r"(?P<number>\d[\d.]*)\s*(?P<sign>[=:])\s*(?P<rest>.+)")
DECIMAL = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.]|,\d)")
# in a file, a number may run into its unit (0.375B, 1.04x), and 3.14e+23 counts by its mantissa (3.14, as a
# page writes $3.14 \times 10^{23}$)
FILE_DECIMAL = re.compile(r"(?<![\w.,])\d+\.\d+(?![\d.]|,\d)")
# where a number is a place in a source, not a figure: §3.4, Table 2.1, Figure 2.2, Eq. 3.1
LOCATOR = re.compile(r"(?:§|\b(?:Table|Figure|Fig\.|Eq\.|Appendix|App\.|Section|section) ?)\d+(?:\.\d+)*")
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
PAGES = [page for page in sorted(PROJECT.docs.rglob("*.md")) if "<!-- numbers from:" in page.read_text()]


def decimals(text):
    return len(text.split(".")[1])


def rounds_to(value, text):
    return round(value, decimals(text)) == float(text)


def evaluate(node, known, where):
    """An arithmetic expression of +, -, *, / over numbers, each of which must be known (from the files or
    listed): its value."""
    if isinstance(node, ast.Expression):
        return evaluate(node.body, known, where)
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.left, known, where), evaluate(node.right, known, where))
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        text = ast.unparse(node)
        if not (known(text) or re.fullmatch(r"10*", text)):  # a power of ten is a unit, not a figure
            pytest.fail(f"{where}: {text} in an arithmetic line is in none of the files", pytrace=False)
        return node.value
    pytest.fail(f"{where}: only numbers and + - * / may make a number: {ast.unparse(node)}", pytrace=False)


def checked_blocks(page):
    """(page:line of the comment, the files' text, arithmetic {N: expression}, reasons {N: why}, the block's
    lines as (line number, text)) for each annotated block of the page."""
    text = page.read_text()
    lines = text.splitlines()
    for match in COMMENT.finditer(text):
        start = text.count("\n", 0, match.start()) + 1
        where = f"{PROJECT.rel(page)}:{start}"
        sources, arithmetic, reasons = [], {}, {}
        for line in match["body"].strip().splitlines():
            rule = RULE.match(line.strip())
            if rule:  # N = expression, or N : why
                (arithmetic if rule["sign"] == "=" else reasons)[rule["number"]] = rule["rest"]
                continue
            for name in filter(None, (name.strip() for name in line.split(","))):  # the files
                path = PROJECT.root / name
                if not path.is_file():
                    pytest.fail(f"{where}: the numbers' file {name} does not exist", pytrace=False)
                sources.append(path.read_text())
        end = text.count("\n", 0, match.end()) + 1
        while end < len(lines) and not lines[end].strip():  # a blank line keeps the comment its own HTML block
            end += 1
        block = []
        for number in range(end, len(lines)):
            if not lines[number].strip():
                break
            block.append((number + 1, lines[number]))
        if not block:
            pytest.fail(f"{where}: the comment is followed by no paragraph", pytrace=False)
        yield where, "\n".join(sources), arithmetic, reasons, block


@pytest.mark.parametrize("page", PAGES, ids=[PROJECT.rel(p) for p in PAGES])
def test_every_number_is_in_its_files_or_worked_out_from_them(page):
    problems = []
    for where, sources, arithmetic, reasons, block in checked_blocks(page):
        found = [match.group() for match in FILE_DECIMAL.finditer(sources)]
        integers = {number.replace(",", "") for number in re.findall(r"\d[\d,]*\d|\d", sources)}

        def known(text, found=found, reasons=reasons, integers=integers):
            if "." not in text:  # an operand written whole: 134515008 for a file's 134,515,008
                return text in reasons or text in integers
            return text in reasons or any(decimals(f) >= decimals(text) and rounds_to(float(f), text)
                                          for f in found)

        for number, expression in arithmetic.items():
            value = evaluate(ast.parse(expression, mode="eval"), known, where)
            if not rounds_to(value, number):
                problems.append(f"{where}: {number} = {expression} is {value:.6g}")
        for line_number, line in block:
            prose = LOCATOR.sub("", re.sub(r"\]\([^)]*\)", "]", line))  # not a link's target, nor a locator
            for match in DECIMAL.finditer(prose):
                number = match.group()
                if not (known(number) or number in arithmetic):
                    problems.append(f"{PROJECT.rel(page)}:{line_number}: {number} is in none of the files "
                                    f"named at {where}, and no line there works it out or gives its source")
    assert not problems, "\n".join(problems)


def test_a_wrong_number_and_a_wrong_difference_are_caught(tmp_path, monkeypatch):
    """The check itself, on a made-up page and output: a number typed from the output passes, a mistyped
    one and a difference worked out wrongly fail."""
    out = tmp_path / "run.out"
    out.write_text("loss 1.9019, other 1.8982, speed 27.68%, compute 3.15e+23\n")
    page = tmp_path / "page.md"
    page.write_text("<!-- numbers from: run.out\n     0.004 = 1.9019 - 1.8982\n     0.005 = 1.9019 - 1.8982\n"
                    "     1.88 : a quoted figure -->\n\nThe loss is 1.9019 (27.7 %), 0.004 above 1.8982; 1.88 is "
                    "quoted (Table 2.1, §4.1); $3.15 \\times 10^{23}$ FLOPs; 1.9109 is not in the output.\n")
    monkeypatch.setattr(PROJECT, "root", tmp_path)
    with pytest.raises(AssertionError) as failure:
        test_every_number_is_in_its_files_or_worked_out_from_them(page)
    message = str(failure.value)
    assert "0.005 = 1.9019 - 1.8982 is 0.0037" in message
    assert "page.md:6: 1.9109 is in none of the files" in message
    assert "1.9019 is in none" not in message and "27.7 is" not in message and "1.88 is" not in message
    assert "2.1 is" not in message and "4.1 is" not in message and "3.15 is" not in message
    assert "0.004 =" not in message
