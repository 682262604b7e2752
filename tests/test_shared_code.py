"""Snippets are standalone, so a few helpers (the corpus loader, the tokeniser) are written out in each
snippet that needs them. This keeps the copies identical: a fix made in one copy fails here until it is
made in all, and a name on two pages always means the same code."""

import ast
from collections import defaultdict

from conftest import PROJECT

SHARED_CONSTANTS = {"PLAYS_DIR", "VALIDATION_PLAYS", "TEST_PLAYS", "STAGE_DIRECTION"}


def shared_definitions(project):
    """name -> {source text: [snippets or labs defining it that way]} for top-level functions, classes and shared
    constants. The labs (docs/labs/lab*.py) run alone too, and copy the snippets' code."""
    found = defaultdict(lambda: defaultdict(list))
    for script in [*project.scripts(), *sorted(project.docs.glob("labs/lab*.py"))]:
        code = script.read_text(encoding="utf-8")
        for node in ast.parse(code).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name not in SHARED_CONSTANTS:
                    continue
            else:
                continue
            found[name][ast.get_source_segment(code, node)].append(project.rel(script))
    return found


def test_a_name_means_the_same_code_in_every_snippet():
    differing = {name: versions for name, versions in shared_definitions(PROJECT).items() if len(versions) > 1}
    report = []
    for name, versions in differing.items():
        report.append(f"{name} is defined {len(versions)} different ways:")
        report += [f"  in {', '.join(scripts)}:\n    " + source.replace("\n", "\n    ")
                   for source, scripts in versions.items()]
    assert not differing, "\n".join(report)


def test_the_corpus_loader_is_shared():
    """The check above has something to compare: the corpus loader really appears in several snippets."""
    versions = shared_definitions(PROJECT)["spoken_lines"]
    assert sum(len(scripts) for scripts in versions.values()) >= 3
