"""Test 3: every include points to a file that exists, and every snippet and its output are shown."""

from conftest import PROJECT


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
    for script in project.scripts():
        for path in (script, script.with_suffix(".out")):
            if path.resolve() not in shown:
                orphans.append(f"{project.rel(path)} is not shown on any page")
    return orphans, dangling


def test_every_include_exists():
    _, dangling = orphans_and_dangling(PROJECT)
    assert not dangling, "\n".join(dangling)


def test_every_snippet_and_output_is_shown():
    orphans, _ = orphans_and_dangling(PROJECT)
    assert not orphans, "\n".join(orphans)


def test_every_expected_output_has_its_snippet():
    strays = [PROJECT.rel(out) for out in PROJECT.snippets.rglob("*.out") if not out.with_suffix(".py").exists()]
    assert not strays, f"expected-output files with no snippet: {strays}"
