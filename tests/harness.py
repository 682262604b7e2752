"""What the tests check, as plain functions over a project folder, so the same code checks the real site
and the broken miniature sites of test_bad_input.py.

A *snippet* is a script under snippets/ with its expected stdout beside it (same name, .out).
A *page* is a Markdown file under docs/; it shows snippets and their outputs with pymdownx.snippets:

    ```python title="snippets/ch1/ngrams/ngram_counts.py"
    --8<-- "snippets/ch1/ngrams/ngram_counts.py"
    ```
    <!--pytest-codeblocks:expected-output-->
    ```text title="Output"
    --8<-- "snippets/ch1/ngrams/ngram_counts.out"
    ```
"""

import ast
import hashlib
import io
import json
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
import yaml
from compare import Tolerances, compare_json, compare_text, tolerances_for
from filelock import FileLock
from mkdocs.config import load_config
from mkdocs.utils.yaml import get_yaml_loader
from run_offline import BLOCKED_MARKER  # what it prints when a script reaches for the network

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "run_offline.py"
INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']([^"']+)["']""")
# Environment variables that change which kernels torch and MKL run, so the last bits of floating-point results
# (make test-portability sets them); a run under other values is another run.
NUMERIC_KNOBS = ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA",
                 "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Files every run may read besides its own code: the pins, the shipped models, the course package, the runner.
RUN_INPUTS = ("requirements*.txt", "docs/models/**/*", "src/**/*.py", "tests/run_offline.py")
# What each recorded output was made from (Project.made_from), written by --update-golden: an output recorded
# before a change to its code passes only within its tolerances, and so would go on showing the old output.
MADE_FROM = "snippets/made-from.json"
PACKAGE_DIR = "src/"  # the course package (src/foundations_of_llms/), which the snippets import
# Files a snippet writes for a page, kept in docs/figures/<chapter>/<page>/ (weights: the tiny GPT for the browser).
FIGURE_SUFFIXES = {".svg", ".png", ".json", ".safetensors"}
# A snippet that runs for minutes (a full training run) is run by the tests with these arguments, which make
# it quick, and prints what its <name>.quick.out file holds. Its full output, <name>.out, and what it saves
# come from the Makefile target named here, and are checked against each other by test_tiny_gpt.py.
QUICK_ARGS = {"snippets/ch3/training/train_tiny_gpt.py": ("--steps", "20")}  # full run: `make tiny-gpt`


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
    output_includes: list = ()  # what the output shown under it includes, as written on the page

    def label(self, root):
        shown = f" (shows {', '.join(self.includes)})" if self.includes else ""
        return f"{self.page.relative_to(root)}, python block at line {self.line}{shown}"


class Project:
    def __init__(self, root=ROOT, cache=True):
        self.root = Path(root)
        self.cache = cache
        self.docs = self.root / "docs"
        self.snippets = self.root / "snippets"
        self.blocks_dir = self.root / "build" / "page-blocks"
        self.runs_dir = self.root / "build" / "runs"
        self.figures = self.docs / "figures"
        self._runs = {}
        self._inputs = None  # the digest of RUN_INPUTS, read once

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

    def made_from(self, script):
        """{path: digest} of what a snippet's recorded output and figures come from: the snippet with its quick
        arguments, the course package's modules it imports (and those they import), the shipped models when
        one of those names them, and the pinned requirements. The interpreter and the CPU are left out: they
        are what the tolerances are for."""
        def digest(data):
            return hashlib.sha256(data).hexdigest()[:16]
        script = Path(script).resolve()
        code = script.read_text(encoding="utf-8")
        found = {self.rel(script): digest("\0".join((code, *self.quick_args(script))).encode())}
        package = self.root / PACKAGE_DIR / "foundations_of_llms"
        todo, seen, texts = [code], set(), [code]
        while todo:
            for node in ast.walk(ast.parse(todo.pop())):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = "foundations_of_llms" if node.level else (node.module or "")
                    module = f"{base}.{node.module}" if node.level and node.module else base
                    names = [module] + [f"{module}.{alias.name}" for alias in node.names]
                for name in names:
                    parts = name.split(".")
                    if parts[0] != "foundations_of_llms":
                        continue
                    for path in (package / "__init__.py", package.joinpath(*parts[1:]).with_suffix(".py")):
                        if path.is_file() and path not in seen:
                            seen.add(path)
                            texts.append(path.read_text(encoding="utf-8"))
                            todo.append(texts[-1])
        for path in sorted(seen):
            found[self.rel(path)] = digest(path.read_bytes())
        if any(re.search(r"tiny[-_]gpt|docs/models", text, re.I) for text in texts):
            for path in sorted((self.docs / "models").rglob("*")):
                if path.is_file():
                    found[self.rel(path)] = digest(path.read_bytes())
        for path in sorted(self.root.glob("requirements*.txt")):
            found[self.rel(path)] = digest(path.read_bytes())
        return found

    def record_made_from(self, script):
        """Write made_from(script) into MADE_FROM (--update-golden), under a lock: the test workers share it."""
        manifest = self.root / MADE_FROM
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.runs_dir / "made-from.lock")):
            recorded = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
            recorded[self.rel(script)] = self.made_from(script)
            manifest.write_text(json.dumps(dict(sorted(recorded.items())), indent=1) + "\n", encoding="utf-8")

    def stale_outputs(self, script):
        """How the inputs of a snippet differ from those its recorded output was made from: a message, or None."""
        manifest = self.root / MADE_FROM
        recorded = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
        recorded = recorded.get(self.rel(script))
        if recorded is None:
            return (f"{MADE_FROM} does not say what {self.rel(script)}'s recorded output was made from; record it with "
                    f"`pytest tests/test_snippets.py --update-golden -k {script.stem}` and review the diff")
        now = self.made_from(script)
        moved = sorted(path for path in recorded.keys() | now.keys() if recorded.get(path) != now.get(path))
        if not moved:
            return None
        return (f"{self.rel(script)}'s recorded output ({self.rel(self.expected_output_file(script))} and its figures) "
                f"was made from other versions of: {', '.join(moved)}. It may still pass within its tolerances, but "
                f"it is not what the code prints now: rerun it with `pytest tests/test_snippets.py --update-golden "
                f"-k {script.stem}` and review the diff")

    def run_key(self, code, args, env=None):
        """What a run's result depends on: the code and its arguments, the interpreter, the pinned packages, the
        shipped models and data, the runner, and the knobs that change floating-point results (portability)."""
        if self._inputs is None:
            inputs = hashlib.sha256()
            for path in sorted(p for pattern in RUN_INPUTS for p in self.root.glob(pattern) if p.is_file()):
                inputs.update(path.relative_to(self.root).as_posix().encode() + b"\0" + path.read_bytes())
            self._inputs = inputs.hexdigest()
        digest = hashlib.sha256()
        env = os.environ if env is None else env
        for part in (code, *args, sys.version, self._inputs, *(f"{k}={env.get(k, '')}" for k in NUMERIC_KNOBS)):
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()

    def run_script(self, script, label=None, args=None):
        """Run a script offline in its own process, in an empty working directory of its own (where it
        writes its figures, as it would in a reader's folder), with its quick_args.

        Identical code runs once: the result is kept in build/runs/<key>/ (run_key), which the test workers
        share (a lock per key) and later sessions reuse while nothing it depends on has changed; a failed run
        is never reused. Project(cache=False) runs everything afresh (make bench)."""
        script = Path(script).resolve()
        code = script.read_text(encoding="utf-8")
        if args is None:
            args = self.quick_args(script) if script.is_relative_to(self.root) else ()
        key = self.run_key(code, args)
        if key not in self._runs:
            self._runs[key] = self._run_once(script, args, key)
        run = self._runs[key]
        return Run(label or self.rel(script), run.returncode, run.stdout, run.stderr, run.seconds, run.files)

    def run_record(self, key):
        """Where a run's working directory (its figures) and its result (.json) are kept."""
        return self.runs_dir / key[:20]

    def _run_once(self, script, args, key):
        workdir = self.run_record(key)
        result = workdir.with_suffix(".json")
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(workdir.with_suffix(".lock")):
            if self.cache and result.is_file():
                kept = json.loads(result.read_text(encoding="utf-8"))
                if kept["returncode"] == 0:
                    return Run(kept["label"], 0, kept["stdout"], kept["stderr"], kept["seconds"],
                               {name: (workdir / name).read_bytes() for name in kept["files"]})
            env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONHASHSEED": "0",
                   "PYTHONUNBUFFERED": "1", "TQDM_DISABLE": "1", "PYTHONWARNINGS": "ignore"}
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, str(RUNNER), str(script), *args], cwd=workdir, env=env,
                                  capture_output=True, text=True)  # time limit: pytest-timeout
            files = {p.name: p.read_bytes() for p in sorted(workdir.iterdir()) if p.suffix in FIGURE_SUFFIXES}
            run = Run(self.rel(script), done.returncode, done.stdout, done.stderr, time.perf_counter() - start,
                      files)
            knobs = {k: os.environ[k] for k in NUMERIC_KNOBS if k in os.environ}
            result.write_text(json.dumps({"label": run.label, "returncode": run.returncode, "stdout": run.stdout,
                                          "stderr": run.stderr, "seconds": run.seconds, "files": sorted(files),
                                          "knobs": knobs, "args": list(args)}), encoding="utf-8")
            return run

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
            if targets and all(t.startswith(PACKAGE_DIR) for t in targets):
                continue  # the course package's source, shown where it is taught: tests/test_package.py tests it
            shown = [m.group(1) for m in map(INCLUDE.match, (written.expected_output or "").splitlines()) if m]
            blocks.append(PageBlock(page, written.lineno, _unpad(expanded.code), _unpad(expanded.expected_output),
                                    targets, shown))
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
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def mkdocs_yml(root):
    """mkdocs.yml as data, with its !ENV tags resolved as MkDocs resolves them (SITE_URL, REPO_URL)."""
    return yaml.load((Path(root) / "mkdocs.yml").read_text(encoding="utf-8"), Loader=get_yaml_loader(yaml.SafeLoader))


def _unpad(text):
    """pymdownx.snippets turns the final newline of an included file into one more, empty, line; undo that,
    so that an included file reads back byte for byte (test_snippets.py compares the files themselves)."""
    return text[:-1] if text is not None and text.endswith("\n\n") else text


def output_diff(expected, actual, expected_name, tolerances=None):
    """A unified diff from the expected output to the actual one, with each number that moved beyond its
    tolerance (compare.py), or '' if they agree. Wall-clock times are never compared."""
    return compare_text(expected, actual, tolerances or Tolerances(), expected_name)


def figure_diff(kept, content, tolerances, name):
    """'' if a figure or data file agrees with the copy kept for the site: an SVG or JSON file number by number
    within its declared tolerance, anything else byte for byte."""
    if kept.suffix == ".json":
        return compare_json(kept.read_text(encoding="utf-8"), content.decode("utf-8"), tolerances, name)
    if kept.suffix == ".svg":
        return compare_text(kept.read_text(encoding="utf-8"), content.decode("utf-8"), tolerances, name, svg=True)
    return "" if kept.read_bytes() == content else f"{name}: the bytes differ\n"


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
        project.record_made_from(script)
        return None
    for name, content in run.files.items():
        kept = figure_dir / name
        if not kept.exists():
            return (f"{project.rel(script)} wrote {name}, which is not in {project.rel(figure_dir)}/; "
                    "add it with `pytest --update-golden` and review it")
        diff = figure_diff(kept, content, tolerances_for(script, name), project.rel(kept))
        if diff:
            return (f"{project.rel(script)} drew {name} differently from {project.rel(kept)}:\n{diff}"
                    "If the change is intended, run `pytest --update-golden` and review the figure")
    if not expected_file.exists():
        return (f"{project.rel(script)} has no expected output file {project.rel(expected_file)}; "
                "create it with `pytest --update-golden` and review it")
    diff = output_diff(expected_file.read_text(encoding="utf-8"), run.stdout, project.rel(expected_file),
                       tolerances_for(script))
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
    shown = [project.root / target for target in block.includes if target.endswith(".py")]
    tolerances = tolerances_for(shown[0]) if len(shown) == 1 else None  # a block showing one snippet
    diff = output_diff(block.expected_output, run.stdout, f"the output shown on {project.rel(block.page)}",
                       tolerances)
    if diff:
        return f"{label} printed something other than the output shown on the page:\n{diff}"
    return None


def block_provenance(project, block):
    """A page block is one snippet, included whole, with that snippet's recorded output under it: so each output
    a page shows is one that snippets/made-from.json says what was made from. A message, or None."""
    label = block.label(project.root)
    if len(block.includes) != 1 or not block.includes[0].endswith(".py"):
        return (f"{label}: a python block on a page includes one snippet, whole (--8<-- \"snippets/....py\"), and "
                "nothing else")
    shown = block.includes[0]
    if block.code != (project.root / shown).read_text(encoding="utf-8"):
        return f"{label}: the block holds more than {shown}: write the code in the snippet"
    recorded = project.expected_output_file(project.root / shown)
    if list(block.output_includes) != [project.rel(recorded)]:
        return (f"{label}: the output under it is not {project.rel(recorded)}, {shown}'s recorded output; "
                f"include that file (--8<-- \"{project.rel(recorded)}\")")
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
            path = project.root / target.split(":")[0]  # "file.py:section" includes one section of file.py
            if path.is_file():
                shown.add(path.resolve())
            else:
                dangling.append(f"{project.rel(page)}:{line} includes {target}, which does not exist")
    orphans = []
    page_text = "\n".join(page.read_text(encoding="utf-8") for page in project.pages())
    for figure in sorted(project.figures.rglob("*")):
        # NAME-phone-light.svg is shown wherever NAME-light.svg is (tools/mkdocs_hooks.py: phone_variants)
        name = re.sub(r"-phone-(light|dark)\.svg$", r"-\1.svg", figure.name)
        if figure.is_file() and figure.suffix != ".json" and name not in page_text:
            orphans.append(f"{project.rel(figure)} is not shown on any page")
    for script in project.scripts():
        for path in {script, script.with_suffix(".out"), project.expected_output_file(script)}:
            if path.resolve() not in shown:
                orphans.append(f"{project.rel(path)} is not shown on any page")
    return orphans, dangling
