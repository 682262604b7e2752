"""For each chapter page that shows code: the line of its first example at which the example's own idea starts.

    .venv/bin/python tools/first_idea.py [--rev REV]     # REV: any git revision (default: the working tree)

"Its own idea" starts at the first top-level statement that is not the module docstring, an import, a named
constant (an upper-case assignment: the settings a reader reads first), or a definition the course package now
holds (src/foundations_of_llms/: a function, a class or the corpus constants), which a reader would otherwise
scroll past as copied code. The last column counts those copied lines. Comparing a revision from before the
package with the working tree gives the before and after of issue 15.
"""

import argparse
import ast
import re
import subprocess
from pathlib import Path

from mkdocs_hooks import INCLUDE  # the includes of examples, as the build's "Run it yourself" note reads them

ROOT = Path(__file__).resolve().parents[1]
CORPUS_CONSTANTS = {"PLAYS_DIR", "VALIDATION_PLAYS", "TEST_PLAYS", "STAGE_DIRECTION", "GGUF_DIR", "GGUF_FILE",
                    "CACHE_ROOT", "END", "PRETOKEN", "CONV1D", "WARMUP_STEPS", "PEAK_LR", "MIN_LR"}


def package_names():
    names = set(CORPUS_CONSTANTS)
    for module in (ROOT / "src" / "foundations_of_llms").glob("*.py"):
        names |= {node.name for node in ast.parse(module.read_text(encoding="utf-8")).body
                  if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    return names


def read(path, rev):
    if rev is None:
        return (ROOT / path).read_text(encoding="utf-8")
    return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def pages(rev):
    if rev is None:
        return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("ch*/*.md"))
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "docs/"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    return sorted(p for p in listed if re.fullmatch(r"docs/ch\d/[\w-]+\.md", p))


def idea_line(code, copied):
    """(line of the first statement of the snippet's own, its total lines, its lines of copied definitions)."""
    tree = ast.parse(code)
    copies = sum(node.end_lineno - node.lineno + 1 for node in tree.body
                 if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in copied)
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in copied:
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign) and all(
                isinstance(n, ast.Name) and (n.id in copied or n.id.isupper())
                for t in getattr(node, "targets", [getattr(node, "target", None)])
                for n in (t.elts if isinstance(t, ast.Tuple) else [t])):
            continue
        line = node.lineno
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.decorator_list:
            line = node.decorator_list[0].lineno
        return line, len(code.splitlines()), copies
    return None, len(code.splitlines()), copies


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", help="a git revision (default: the working tree)")
    args = parser.parse_args()
    copied = package_names()
    print(f"{'page':36} {'first example':48} {'idea at line':>12} {'of':>5} {'copied':>7}")
    for page in pages(args.rev):
        scripts = INCLUDE.findall(read(page, args.rev))
        if not scripts:
            continue
        line, total, copies = idea_line(read(scripts[0], args.rev), copied)
        print(f"{page:36} {scripts[0]:48} {line:>12} {total:>5} {copies:>7}")


if __name__ == "__main__":
    main()
