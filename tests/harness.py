"""What the tests check, as plain functions over a project folder, so the same code checks the real site
and the broken miniature sites of test_bad_input.py.

A *snippet* is a script under snippets/ with its expected stdout beside it (same name, .out).
A *page* is a Markdown file under docs/; it shows snippets and their outputs with pymdownx.snippets:

    ```python title="snippets/ch1/ngram_counts.py"
    --8<-- "snippets/ch1/ngram_counts.py"
    ```
    <!--pytest-codeblocks:expected-output-->
    ```text title="Output"
    --8<-- "snippets/ch1/ngram_counts.out"
    ```
"""

import difflib
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import markdown
import pytest_codeblocks
from mkdocs.config import load_config
from run_offline import BLOCKED_MARKER  # what it prints when a script reaches for the network

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "run_offline.py"
INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']([^"']+)["']""")
SNIPPET_TIMEOUT_S = 300
FIGURE_SUFFIXES = {".svg", ".png", ".json"}  # files a snippet writes for a page: docs/figures/<chapter>/<name>
# A wall-clock time as snippets print it ("12.3 s", "40 ms"), or a measured speed-up ("3.1x faster"):
# it differs on every run, so it is not compared, nor are the spaces that right-align it in a column.
TIMING = re.compile(r" *(?<![\w.])\d+(?:\.\d+)?(?: (?:s|ms)\b|x faster\b)")
# A snippet that runs for minutes (a full training run) is run by the tests with these arguments, which make
# it quick, and prints what its <name>.quick.out file holds. Its full output, <name>.out, and what it saves
# come from the Makefile target named here, and are checked against each other by test_tiny_gpt.py.
QUICK_ARGS = {"snippets/ch3/train_tiny_gpt.py": ("--steps", "20")}  # full run: `make tiny-gpt`


@dataclass
class Run:
    label: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    files: dict  # name -> bytes of each figure the run wrote in its working directory

    def failure(self):
        """A message for a run that did not exit cleanly, or None."""
        if self.returncode == 0:
            return None
        if BLOCKED_MARKER in self.stderr:
            headline = f"{self.label} tried to use the network, which examples must not do"
        else:
            headline = f"{self.label} failed with exit status {self.returncode}"
        tail = "\n".join(self.stderr.strip().splitlines()[-25:])
        return f"{headline}\n--- its stderr (last lines) ---\n{tail}"


@dataclass
class PageBlock:
    page: Path  # the Markdown source
    line: int  # line of the opening fence in that source
    code: str  # as MkDocs expands it
    expected_output: str | None
    includes: list  # what the block includes, as written on the page

    def label(self, root):
        shown = f" (shows {', '.join(self.includes)})" if self.includes else ""
        return f"{self.page.relative_to(root)}, python block at line {self.line}{shown}"


class Project:
    def __init__(self, root=ROOT):
        self.root = Path(root)
        self.docs = self.root / "docs"
        self.snippets = self.root / "snippets"
        self.blocks_dir = self.root / "build" / "page-blocks"
        self.runs_dir = self.root / "build" / "runs"
        self.figures = self.docs / "figures"
        self._runs = {}

    # --- snippets -------------------------------------------------------------------------------
    def scripts(self):
        return sorted(p for p in self.snippets.rglob("*.py") if "__pycache__" not in p.parts)

    def rel(self, path):
        return Path(path).resolve().relative_to(self.root).as_posix()

    def quick_args(self, script):
        """The arguments the tests run a script with: () for all but the long runs of QUICK_ARGS."""
        return QUICK_ARGS.get(self.rel(script), ())

    def expected_output_file(self, script):
        return Path(script).with_suffix(".quick.out" if self.quick_args(script) else ".out")

    def run_script(self, script, label=None, args=None):
        """Run a script offline in its own process, in an empty working directory of its own (where it
        writes its figures, as it would in a reader's folder), with its quick_args. Identical code runs once."""
        script = Path(script).resolve()
        code = script.read_text(encoding="utf-8")
        if args is None:
            args = self.quick_args(script) if script.is_relative_to(self.root) else ()
        key = hashlib.sha256("\0".join([code, *args]).encode()).hexdigest()
        if key not in self._runs:
            env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONHASHSEED": "0",
                   "PYTHONUNBUFFERED": "1", "TQDM_DISABLE": "1", "PYTHONWARNINGS": "ignore"}
            workdir = self.runs_dir / key[:16]
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, str(RUNNER), str(script), *args], cwd=workdir, env=env,
                                  capture_output=True, text=True, timeout=SNIPPET_TIMEOUT_S)
            files = {p.name: p.read_bytes() for p in sorted(workdir.iterdir()) if p.suffix in FIGURE_SUFFIXES}
            self._runs[key] = Run(label or self.rel(script), done.returncode, done.stdout, done.stderr,
                                  time.perf_counter() - start, files)
        run = self._runs[key]
        return Run(label or self.rel(script), run.returncode, run.stdout, run.stderr, run.seconds, run.files)

    def figure_dir(self, script):
        """Where a snippet's figures are kept for the site: snippets/ch1/x.py -> docs/figures/ch1/."""
        return self.figures / Path(script).resolve().parent.relative_to(self.snippets)

    def run_code(self, code, name, label, args=()):
        """Run a block of code (from a page) as a script of its own."""
        self.blocks_dir.mkdir(parents=True, exist_ok=True)
        script = self.blocks_dir / name
        script.write_text(code, encoding="utf-8")
        return self.run_script(script, label, args)

    # --- pages ----------------------------------------------------------------------------------
    def pages(self):
        return sorted(self.docs.rglob("*.md"))

    def markdown(self):
        """A Markdown converter configured exactly as mkdocs.yml configures MkDocs'."""
        config = load_config(str(self.root / "mkdocs.yml"))
        return markdown.Markdown(extensions=config["markdown_extensions"],
                                 extension_configs=config["mdx_configs"])

    def expand(self, page):
        """The page's Markdown with every --8<-- include replaced, by the same preprocessor MkDocs runs."""
        cwd = os.getcwd()
        os.chdir(self.root)  # pymdownx.snippets resolves base_path against the working directory, as mkdocs does
        try:
            md = self.markdown()
            lines = page.read_text(encoding="utf-8").split("\n")
            return "\n".join(md.preprocessors["snippet"].run(lines))
        finally:
            os.chdir(cwd)

    def includes(self, page):
        """(line, target) for every --8<-- include written on the page."""
        found = []
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            match = INCLUDE.match(line)
            if match:
                found.append((number, match.group(1)))
        return found

    def python_blocks(self, page):
        """The page's python blocks, expanded as MkDocs expands them, with their expected outputs.

        pytest-codeblocks parses both the source (for line numbers a reader can find) and the expanded
        page (for the code that runs and the output it must print)."""
        source = page.read_text(encoding="utf-8")
        source_blocks = pytest_codeblocks.extract_from_buffer(io.StringIO(source))
        expanded_blocks = pytest_codeblocks.extract_from_buffer(io.StringIO(self.expand(page)))
        assert len(source_blocks) == len(expanded_blocks), f"{page}: includes must not add code fences"
        source_lines = source.splitlines()
        blocks = []
        for written, expanded in zip(source_blocks, expanded_blocks, strict=True):
            if (expanded.syntax or "").split(" ")[0] != "python":
                continue
            body = source_lines[written.lineno: written.lineno + written.code.count("\n")]
            targets = [m.group(1) for m in map(INCLUDE.match, body) if m]
            blocks.append(PageBlock(page, written.lineno, _unpad(expanded.code), _unpad(expanded.expected_output),
                                    targets))
        return blocks

    def run_block(self, block):
        name = f"{self.rel(block.page).replace('/', '__').removesuffix('.md')}__line{block.line}.py"
        shown = [self.root / target for target in block.includes]
        args = self.quick_args(shown[0]) if len(shown) == 1 and shown[0].is_file() else ()  # as the tests run it
        return self.run_code(block.code, name, block.label(self.root), args)

    # --- mkdocs ---------------------------------------------------------------------------------
    def build(self, site_dir):
        """`mkdocs build --strict`; returns the CompletedProcess (output in .stdout)."""
        return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
                              cwd=self.root, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)


def _unpad(text):
    """pymdownx.snippets turns the final newline of an included file into one more, empty, line; undo that,
    so that an included file reads back byte for byte (test_snippets.py compares the files themselves)."""
    return text[:-1] if text is not None and text.endswith("\n\n") else text


def output_diff(expected, actual, expected_name):
    """A unified diff from the expected output to the actual one, or '' if they are equal apart from
    wall-clock times (TIMING), which are shown as measured when the expected output was written."""
    if TIMING.sub("<time>", expected) == TIMING.sub("<time>", actual):
        return ""
    return "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                        fromfile=f"{expected_name} (expected)", tofile="stdout (this run)"))


def check_snippet(project, script, update=False):
    """Run a snippet and compare its stdout with its .out file: a failure message, or None.
    With update=True, (re)write the .out file instead of comparing."""
    run = project.run_script(script)
    if run.failure():
        return run.failure()
    expected_file = project.expected_output_file(script)
    figure_dir = project.figure_dir(script)
    if update:
        expected_file.write_text(run.stdout, encoding="utf-8")
        for name, content in run.files.items():
            figure_dir.mkdir(parents=True, exist_ok=True)
            (figure_dir / name).write_bytes(content)
        return None
    for name, content in run.files.items():
        kept = figure_dir / name
        if not kept.exists():
            return (f"{project.rel(script)} wrote {name}, which is not in {project.rel(figure_dir)}/; "
                    "add it with `pytest --update-golden` and review it")
        if kept.read_bytes() != content:
            return (f"{project.rel(script)} drew {name} differently from {project.rel(kept)}; "
                    "if the change is intended, run `pytest --update-golden` and review the figure")
    if not expected_file.exists():
        return (f"{project.rel(script)} has no expected output file {project.rel(expected_file)}; "
                "create it with `pytest --update-golden` and review it")
    diff = output_diff(expected_file.read_text(encoding="utf-8"), run.stdout, project.rel(expected_file))
    if diff:
        return (f"{project.rel(script)} printed something other than {project.rel(expected_file)}:\n{diff}"
                "\nIf the change is intended, run `pytest --update-golden` and review the diff.")
    return None


def check_block(project, block):
    """Run a page's python block and compare its stdout with the output shown under it: a message, or None."""
    label = block.label(project.root)
    run = project.run_block(block)
    if run.failure():
        return run.failure()
    if block.expected_output is None:
        return (f"{label}: no output is shown under it (<!--pytest-codeblocks:expected-output--> "
                "followed by the included .out file)")
    diff = output_diff(block.expected_output, run.stdout, f"the output shown on {project.rel(block.page)}")
    if diff:
        return f"{label} printed something other than the output shown on the page:\n{diff}"
    return None


def stray_figures(project):
    """Files in docs/figures/ that no snippet writes (every snippet is run): a figure must come from code."""
    written = {(project.figure_dir(s) / name).resolve() for s in project.scripts()
               for name in project.run_script(s).files}
    return [f"{project.rel(p)} is written by no snippet" for p in sorted(project.figures.rglob("*"))
            if p.is_file() and p.resolve() not in written]


def orphans_and_dangling(project):
    shown, dangling = set(), []
    for page in project.pages():
        for line, target in project.includes(page):
            path = project.root / target
            if path.is_file():
                shown.add(path.resolve())
            else:
                dangling.append(f"{project.rel(page)}:{line} includes {target}, which does not exist")
    orphans = []
    page_text = "\n".join(page.read_text(encoding="utf-8") for page in project.pages())
    for figure in sorted(project.figures.rglob("*")):
        if figure.is_file() and figure.suffix != ".json" and figure.name not in page_text:
            orphans.append(f"{project.rel(figure)} is not shown on any page")
    for script in project.scripts():
        for path in {script, script.with_suffix(".out"), project.expected_output_file(script)}:
            if path.resolve() not in shown:
                orphans.append(f"{project.rel(path)} is not shown on any page")
    return orphans, dangling
