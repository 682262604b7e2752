"""Bad input fails with a message that names the file: each case is built in a miniature copy of the site."""

import shutil
import textwrap

import pytest
import yaml
from conftest import PROJECT
from harness import Project, check_block, check_snippet, orphans_and_dangling, output_diff, stray_figures

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
    config = yaml.safe_load((PROJECT.root / "mkdocs.yml").read_text(encoding="utf-8"))
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
    long_run = mini.snippets / "ch3" / "train_tiny_gpt.py"
    long_run.parent.mkdir()
    long_run.write_text("import sys\nprint(sys.argv[1:])\n", encoding="utf-8")
    long_run.with_suffix(".quick.out").write_text("['--steps', '20']\n", encoding="utf-8")
    page = mini.docs / "training.md"
    page.write_text(page_showing("snippets/ch3/train_tiny_gpt.py").replace(".out", ".quick.out"), encoding="utf-8")
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
