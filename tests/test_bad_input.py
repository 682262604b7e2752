"""Bad input fails with a message that names the file: each case is built in a miniature copy of the site."""

import base64
import io
import shutil
import textwrap
import tomllib

import numpy as np
import pytest
import yaml
from compare import (
    NUMBER,
    SVG_IMAGE,
    TIMING,
    Rule,
    Tolerances,
    compare_text,
    images,
    last_digit_unit,
    tolerances_for,
    value,
)
from conftest import PROJECT
from harness import (
    Project,
    block_provenance,
    check_block,
    check_snippet,
    mkdocs_yml,
    orphans_and_dangling,
    output_diff,
    stray_figures,
)
from PIL import Image

GOOD_SCRIPT = 'print("hello")\n'
RAISING_SCRIPT = 'print("about to fail")\nraise ValueError("this example is broken")\n'


def page_showing(script):
    return textwrap.dedent(f"""\
        # Example

        ```python title="{script}"
        --8<-- "{script}"
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text title="Output"
        --8<-- "{script.removesuffix('.py')}.out"
        ```
        """)


@pytest.fixture
def mini(tmp_path):
    """A miniature site with the real markdown configuration: one page showing one good snippet."""
    config = mkdocs_yml(PROJECT.root)
    for key in ("nav", "extra_javascript", "extra_css"):
        config.pop(key, None)
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for folder in ("includes", "overrides", "tools"):  # the glossary, the theme's overrides and the build hooks
        if (PROJECT.root / folder).is_dir():
            shutil.copytree(PROJECT.root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "snippets" / "ch1").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "snippets" / "ch1" / "good.py").write_text(GOOD_SCRIPT, encoding="utf-8")
    (tmp_path / "snippets" / "ch1" / "good.out").write_text("hello\n", encoding="utf-8")
    (tmp_path / "docs" / "index.md").write_text(page_showing("snippets/ch1/good.py"), encoding="utf-8")
    return Project(tmp_path)


def test_the_miniature_site_is_good(mini, tmp_path):
    assert check_snippet(mini, mini.snippets / "ch1" / "good.py") is None
    assert [check_block(mini, b) for b in mini.python_blocks(mini.docs / "index.md")] == [None]
    assert orphans_and_dangling(mini) == ([], [])
    done = mini.build(tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_snippet_that_raises(mini):
    script = mini.snippets / "ch1" / "good.py"
    script.write_text(RAISING_SCRIPT, encoding="utf-8")
    failure = check_snippet(mini, script)
    assert failure is not None
    assert "snippets/ch1/good.py failed" in failure
    assert "line 2" in failure and "ValueError: this example is broken" in failure


def test_a_snippet_whose_output_changed(mini):
    script = mini.snippets / "ch1" / "good.py"
    script.write_text('print("hello, world")\n', encoding="utf-8")
    failure = check_snippet(mini, script)
    assert failure is not None
    assert "snippets/ch1/good.py printed something other than snippets/ch1/good.out" in failure
    assert "-hello\n+hello, world" in failure  # a unified diff


def test_update_golden_rewrites_the_expected_output(mini):
    script = mini.snippets / "ch1" / "good.py"
    script.write_text('print("hello, world")\n', encoding="utf-8")
    assert check_snippet(mini, script, update=True) is None
    assert script.with_suffix(".out").read_text(encoding="utf-8") == "hello, world\n"


def test_an_output_recorded_before_a_change_to_a_course_module(mini):
    """The output still matches after the change (as an output within its tolerances would): only the record of
    what it was made from shows that it was not recorded from the code as it is."""
    package = mini.root / "src" / "foundations_of_llms"
    package.mkdir(parents=True)
    for name in ("__init__.py", "ngrams.py", "plays.py"):  # ngrams.py imports plays.py
        shutil.copy(PROJECT.root / "src" / "foundations_of_llms" / name, package / name)
    script = mini.snippets / "ch1" / "good.py"
    script.write_text("import foundations_of_llms.ngrams  # noqa: F401\n" + GOOD_SCRIPT, encoding="utf-8")
    assert "snippets/made-from.json does not say what snippets/ch1/good.py's" in mini.stale_outputs(script)
    assert check_snippet(mini, script, update=True) is None
    assert mini.stale_outputs(script) is None
    (package / "plays.py").write_text((package / "plays.py").read_text(encoding="utf-8") + "# edited\n",
                                      encoding="utf-8")
    assert check_snippet(mini, script) is None
    stale = mini.stale_outputs(script)
    assert stale is not None
    assert ("snippets/ch1/good.py's recorded output (snippets/ch1/good.out and its figures) was made from other "
            "versions of: src/foundations_of_llms/plays.py.") in stale
    assert "--update-golden -k good" in stale
    assert check_snippet(mini, script, update=True) is None
    assert mini.stale_outputs(script) is None


def test_a_page_that_includes_a_missing_file(mini, tmp_path):
    page = mini.docs / "index.md"
    page.write_text(page_showing("snippets/ch1/missing.py"), encoding="utf-8")
    _, dangling = orphans_and_dangling(mini)
    assert "docs/index.md:4 includes snippets/ch1/missing.py, which does not exist" in dangling
    done = mini.build(tmp_path / "site")
    assert done.returncode != 0
    assert "index.md" in done.stderr and "snippets/ch1/missing.py" in done.stderr, done.stderr


def test_a_snippet_shown_on_no_page(mini):
    (mini.snippets / "ch1" / "orphan.py").write_text(GOOD_SCRIPT, encoding="utf-8")
    orphans, _ = orphans_and_dangling(mini)
    assert "snippets/ch1/orphan.py is not shown on any page" in orphans


@pytest.mark.parametrize(("link", "complaint"), [
    ("[a page](nowhere.md)", "nowhere.md"),
    ("[a section](#no-such-heading)", "no-such-heading"),
])
def test_a_broken_internal_link_or_anchor(mini, tmp_path, link, complaint):
    page = mini.docs / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\nSee {link}.\n", encoding="utf-8")
    done = mini.build(tmp_path / "site")
    assert done.returncode != 0, "a broken link passed the strict build"
    assert "index.md" in done.stderr and complaint in done.stderr, done.stderr


def test_a_python_block_on_a_page_that_raises(mini):
    page = mini.docs / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + textwrap.dedent("""
        ```python
        numbers = [1, 2, 3]
        print(numbers[10])
        ```
        """), encoding="utf-8")
    blocks = mini.python_blocks(page)
    failure = check_block(mini, blocks[-1])
    assert failure is not None
    assert "docs/index.md, python block at line 12 failed" in failure
    assert "IndexError" in failure


def test_a_python_block_written_on_the_page_or_showing_an_output_typed_there(mini):
    page = mini.docs / "index.md"
    good = mini.python_blocks(page)[0]
    assert block_provenance(mini, good) is None
    page.write_text(page.read_text(encoding="utf-8") + textwrap.dedent("""
        ```python
        print("hello")
        ```

        <!--pytest-codeblocks:expected-output-->
        ```text
        hello
        ```
        """), encoding="utf-8")
    pasted = mini.python_blocks(page)[-1]
    assert check_block(mini, pasted) is None  # it prints what the page shows, so only provenance catches it
    assert "docs/index.md, python block at line 12: a python block on a page includes one snippet" in \
        block_provenance(mini, pasted)
    typed = page.read_text(encoding="utf-8").replace('--8<-- "snippets/ch1/good.out"', "hello")
    page.write_text(typed, encoding="utf-8")
    assert "the output under it is not snippets/ch1/good.out" in block_provenance(mini, mini.python_blocks(page)[0])


FIGURE_SCRIPT = 'print("drawing")\nopen("curve.svg", "w").write("<svg>one</svg>")\n'


def test_a_figure_that_changed_or_was_never_kept(mini):
    script = mini.snippets / "ch1" / "good.py"
    script.write_text(FIGURE_SCRIPT, encoding="utf-8")
    (mini.snippets / "ch1" / "good.out").write_text("drawing\n", encoding="utf-8")
    failure = check_snippet(mini, script)
    assert failure and "snippets/ch1/good.py wrote curve.svg, which is not in docs/figures/ch1/" in failure
    assert check_snippet(mini, script, update=True) is None
    assert (mini.docs / "figures" / "ch1" / "curve.svg").read_text() == "<svg>one</svg>"
    assert check_snippet(mini, script) is None
    (mini.docs / "figures" / "ch1" / "curve.svg").write_text("<svg>two</svg>")
    failure = check_snippet(mini, script)
    assert failure and "drew curve.svg differently from docs/figures/ch1/curve.svg" in failure


def test_a_figure_no_snippet_draws_or_no_page_shows(mini):
    (mini.docs / "figures" / "ch1").mkdir(parents=True)
    (mini.docs / "figures" / "ch1" / "hand-drawn.svg").write_text("<svg/>")
    assert stray_figures(mini) == ["docs/figures/ch1/hand-drawn.svg is written by no snippet"]
    assert "docs/figures/ch1/hand-drawn.svg is not shown on any page" in orphans_and_dangling(mini)[0]


def test_times_are_not_compared_but_everything_else_is():
    assert output_diff("trained in 12.3 s, loss 4.20\n", "trained in 9.8 s, loss 4.20\n", "x.out") == ""
    assert output_diff("step took 40 ms\n", "step took 7 ms\n", "x.out") == ""
    assert output_diff("cached: 3.1x faster\n", "cached: 2.7x faster\n", "x.out") == ""
    assert output_diff("lstm   10.0 s   223\n", "lstm    9.8 s   223\n", "x.out") == ""  # right-aligned
    assert output_diff("lstm   10.0 s   223\n", "lstm    9.8 s   224\n", "x.out")
    assert "-trained in 12.3 s, loss 4.20" in output_diff("trained in 12.3 s, loss 4.20\n",
                                                          "trained in 12.3 s, loss 4.21\n", "x.out")
    assert output_diff("version 1.5\n", "version 1.6\n", "x.out")  # a number is masked only before s/ms


def test_a_long_run_is_tested_quickly_against_its_quick_output(mini):
    """A script in harness.QUICK_ARGS runs with those arguments, on its own and as a page block, and must
    print its .quick.out file; a drift there is reported against that file."""
    long_run = mini.snippets / "ch3" / "training" / "train_tiny_gpt.py"
    long_run.parent.mkdir(parents=True)
    long_run.write_text("import sys\nprint(sys.argv[1:])\n", encoding="utf-8")
    long_run.with_suffix(".quick.out").write_text("['--steps', '20']\n", encoding="utf-8")
    page = mini.docs / "training.md"
    shown = page_showing("snippets/ch3/training/train_tiny_gpt.py").replace(".out", ".quick.out")
    page.write_text(shown, encoding="utf-8")
    assert check_snippet(mini, long_run) is None
    assert [check_block(mini, b) for b in mini.python_blocks(page)] == [None]

    long_run.with_suffix(".quick.out").write_text("['--steps', '2000']\n", encoding="utf-8")
    failure = check_snippet(mini, long_run)
    assert failure is not None and "train_tiny_gpt.quick.out" in failure


def test_math_that_katex_cannot_render(mini, tmp_path):
    shutil.copytree(PROJECT.docs / "assets" / "katex", mini.docs / "assets" / "katex")
    (mini.docs / "index.md").write_text("# Math\n\nA sum $\\sum_i x_i$ and a typo $\\fracc{1}{2}$.\n",
                                        encoding="utf-8")
    done = mini.build(tmp_path / "site")
    assert done.returncode != 0
    assert "docs/index.md" in done.stderr and "\\fracc" in done.stderr, done.stderr[-2000:]


LOSS_SCRIPT = 'print("step 50: loss 0.061, 1,000 sequences")\n'
TOLERANCE = """\
[[tolerance]]
snippet = "good.py"
lines = "^step"
abs = 0.004
why = "measured: 0.061 to 0.064 over the portability matrix"
"""


def test_a_float_moves_within_its_declared_tolerance_and_no_further(mini):
    """A tolerance declared in tolerances.toml beside the snippet lets a float move that far, and no further;
    integers and text stay exact; the failure names the file, the number, how far it moved and the rule."""
    script = mini.snippets / "ch1" / "good.py"
    script.write_text(LOSS_SCRIPT.replace("0.061", "0.064"), encoding="utf-8")
    (mini.snippets / "ch1" / "good.out").write_text("step 50: loss 0.061, 1,000 sequences\n", encoding="utf-8")
    failure = check_snippet(mini, script)
    assert failure and "0.061 -> 0.064" in failure and "exact (default: no tolerance declared)" in failure
    (mini.snippets / "ch1" / "tolerances.toml").write_text(TOLERANCE, encoding="utf-8")
    assert check_snippet(mini, script) is None
    assert [check_block(mini, b) for b in mini.python_blocks(mini.docs / "index.md")] == [None]  # the page too

    script.write_text(LOSS_SCRIPT.replace("0.061", "0.066"), encoding="utf-8")  # beyond the tolerance
    failure = check_snippet(mini, script)
    assert failure and "snippets/ch1/good.py printed something other than snippets/ch1/good.out" in failure
    assert "0.061 -> 0.066 moved 0.005, more than 0.004 allowed: abs 0.004" in failure
    assert "measured: 0.061 to 0.064" in failure  # the declaration, shown in the failure
    page_failure = check_block(mini, mini.python_blocks(mini.docs / "index.md")[0])
    assert page_failure and "moved 0.005, more than 0.004" in page_failure

    script.write_text(LOSS_SCRIPT.replace("1,000", "1,001"), encoding="utf-8")  # an integer never moves
    failure = check_snippet(mini, script)
    assert failure and "1,000 -> 1,001, which must be exact" in failure


def test_the_last_printed_digit_tolerance():
    rule = Tolerances([Rule(last_digit=1, why="rounding", source="t")])
    assert compare_text("ratio 6.0448\n", "ratio 6.0449\n", rule, "x") == ""  # a rounding flip
    assert "6.0448 -> 6.0450 moved 0.0002" in compare_text("ratio 6.0448\n", "ratio 6.0450\n", rule, "x")
    assert "6.0448 -> 6.045;" in compare_text("ratio 6.0448\n", "ratio 6.045\n", rule, "x")  # precision changed
    assert "the text differs" in compare_text("ratio 6.0448\n", "rate 6.0448\n", rule, "x")
    assert compare_text("a 1.5e-03\n", "a 1.6e-03\n", rule, "x") == ""  # one unit of the mantissa's last digit
    assert compare_text("a 1.5e-03\n", "a 1.7e-03\n", rule, "x")


def test_a_figure_is_compared_by_its_numbers_within_its_tolerance(mini):
    """An SVG drawn again with coordinates moved by less than its declared tolerance passes; moved further, or
    with other text, it fails naming the figure; matplotlib's content-hashed ids are renumbered first."""
    svg = '<path id="m0123456789" d="M 46.266646 253.99976"/><use xlink:href="#m0123456789"/><text>step</text>'
    script = mini.snippets / "ch1" / "good.py"
    script.write_text(f'print("drawing")\nopen("curve.svg", "w").write({svg!r})\n', encoding="utf-8")
    (mini.snippets / "ch1" / "good.out").write_text("drawing\n", encoding="utf-8")
    assert check_snippet(mini, script, update=True) is None
    (mini.snippets / "ch1" / "tolerances.toml").write_text(
        '[[tolerance]]\nsnippet = "good.py"\nfigure = "curve.svg"\nabs = 0.01\nwhy = "sub-pixel"\n')
    moved = svg.replace("253.99976", "253.995").replace("m0123456789", "m9876543210")
    script.write_text(f'print("drawing")\nopen("curve.svg", "w").write({moved!r})\n', encoding="utf-8")
    assert check_snippet(mini, script) is None
    script.write_text(f'print("drawing")\nopen("curve.svg", "w").write({svg.replace("253.99976", "253.9")!r})\n')
    failure = check_snippet(mini, script)
    assert failure and "drew curve.svg differently from docs/figures/ch1/curve.svg" in failure
    assert "253.99976 -> 253.9 moved 0.0998, more than 0.01" in failure
    script.write_text(f'print("drawing")\nopen("curve.svg", "w").write({svg.replace("step", "epoch")!r})\n')
    assert "the text differs" in check_snippet(mini, script)


def _bumped(text, line_pattern, by_units, svg=False):
    """text with the first float of the first line matching line_pattern moved by by_units(token)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line_pattern is None or line_pattern.search(line):
            timings = [] if svg else [m.span() for m in TIMING.finditer(line)]  # times are never compared
            for match in NUMBER.finditer(line):
                token = match.group(0)
                if "." in token and not any(a <= match.start() < b for a, b in timings):
                    moved = float(token.replace(",", "")) + by_units(token)
                    decimals = max(len(token.partition(".")[2]), 6 if svg else 0)  # SVG numbers drop zeros
                    lines[i] = line[: match.start()] + f"{moved:.{decimals}f}" + line[match.end():]
                    return "\n".join(lines), lines[i]
    raise AssertionError(f"no float on a line matching {line_pattern}")


def _pixel_moved(text, by):
    """An SVG's text with one colour channel of the first pixel of its first embedded image moved by `by`
    (down instead of up where up would pass 255)."""
    match = SVG_IMAGE.search(text)
    pixels = images(text)[0].astype(np.uint8)
    channel = int(pixels[0, 0, 0])
    pixels[0, 0, 0] = channel + by if channel + by <= 255 else channel - by
    png = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(png, format="PNG")
    return text[: match.start(1)] + base64.b64encode(png.getvalue()).decode() + text[match.end(1):]


@pytest.mark.parametrize("table", sorted(PROJECT.snippets.rglob("tolerances.toml")),
                         ids=lambda p: PROJECT.rel(p))
def test_every_real_tolerance_fails_a_change_beyond_it(table):
    """Each tolerance the real snippets declare, applied to their recorded output or figure: a number moved by
    half of what it allows passes, moved by twice as much fails, naming the file and the rule; a colour
    channel of an embedded image moved by what a pixels rule allows passes, and by twice that fails."""
    for script_name in {rule["snippet"] for rule in tomllib.loads(table.read_text()).get("tolerance", [])}:
        script = table.parent / script_name
        for figure in [None, *sorted(p.name for p in PROJECT.figure_dir(script).glob("*.svg"))]:
            tolerances = tolerances_for(script, figure)
            for rule in [r for r in tolerances.rules if r.abs or r.rel or r.last_digit]:
                kept = PROJECT.figure_dir(script) / figure if figure else PROJECT.expected_output_file(script)
                text, name = kept.read_text(encoding="utf-8"), PROJECT.rel(kept)
                half, _ = _bumped(text, rule.lines, lambda t, r=rule: 0.5 * r.allowed(t, value(t)), figure)
                twice, line = _bumped(text, rule.lines, lambda t, r=rule: 2 * r.allowed(t, value(t)), figure)
                if rule.last_digit and not (rule.abs or rule.rel):  # units of the last digit: 1 passes, 2 fail
                    half, _ = _bumped(text, rule.lines, last_digit_unit, figure)
                if tolerances.rule_for(line) is not rule:
                    continue  # an earlier rule covers that line
                assert compare_text(text, half, tolerances, name, svg=bool(figure)) == "", (name, rule)
                failure = compare_text(text, twice, tolerances, name, svg=bool(figure))
                assert name in failure and rule.why in failure, (name, rule, failure)
            pixel_rule = next((r for r in tolerances.rules if r.pixels), None)
            if figure and pixel_rule:
                kept = PROJECT.figure_dir(script) / figure
                text, name = kept.read_text(encoding="utf-8"), PROJECT.rel(kept)
                assert images(text), f"{name}: a pixels rule applies to it, but it embeds no image"
                assert compare_text(text, _pixel_moved(text, pixel_rule.pixels), tolerances, name, svg=True) == ""
                failure = compare_text(text, _pixel_moved(text, 2 * pixel_rule.pixels), tolerances, name, svg=True)
                assert name in failure and pixel_rule.why in failure, (name, pixel_rule, failure)
