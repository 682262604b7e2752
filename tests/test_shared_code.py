"""Code is defined once. The model, the corpus, the training helpers and the figure helper are in the course
package (src/foundations_of_llms/), and no snippet may write them out again. A few smaller helpers (the n-gram
tokeniser, BPE, RoPE) are still written out in the two or three snippets that use them; those copies must stay
identical, so that a fix made in one fails here until it is made in all."""

import ast
from collections import defaultdict

from conftest import PROJECT

SHARED_CONSTANTS = {"PLAYS_DIR", "VALIDATION_PLAYS", "TEST_PLAYS", "STAGE_DIRECTION"}  # once copied, now in the package


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


def test_no_snippet_redefines_what_the_course_package_defines():
    """The model, the corpus, the training helpers and the figure helper are defined once, in
    src/foundations_of_llms/, and imported: a snippet or lab that writes one out again is a copy that can drift."""
    package = {}
    for module in sorted((PROJECT.root / "src" / "foundations_of_llms").glob("*.py")):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                package[node.name] = PROJECT.rel(module)
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                package[node.targets[0].id] = PROJECT.rel(module)
    assert {"GPT", "spoken_lines", "save_light_and_dark", "from_pretrained"} <= set(package)
    copies = [f"{script} defines {name}, which {package[name]} defines: import it instead"
              for name, versions in shared_definitions(PROJECT).items() if name in package
              for scripts in versions.values() for script in scripts]
    assert not copies, "\n".join(copies)
