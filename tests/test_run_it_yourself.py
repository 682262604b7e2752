"""Every built page that shows examples opens with a "Run it yourself" note that gives the exact command for each
of them (tools/mkdocs_hooks.py writes it); a page with nothing to run has no such note."""

import html
import re

import pytest
from browser import page_urls
from conftest import PROJECT

PAGES = page_urls(PROJECT)
NOTE = re.compile(r'<details class="example"[^>]*>\s*<summary>Run it yourself</summary>(.*?)</details>', re.DOTALL)


def note_text(site, path):
    built = site / path / "index.html"
    assert built.is_file(), f"{built} was not built"
    found = NOTE.search(built.read_text(encoding="utf-8"))
    if found is None:
        return None
    text = re.sub(r"</(?:p|div|pre|code)>", "\n", found.group(1))  # the end of a block ends a line
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.mark.parametrize(("source", "path"), PAGES, ids=[source for source, _ in PAGES])
def test_page_has_the_command_for_each_of_its_examples(built_site, source, path):
    done, site = built_site
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    text = note_text(site, path)
    if source.endswith(".py"):  # a lab (tools/mkdocs_labs.py writes its note): the lab itself is the script
        scripts = [source]
    else:
        scripts = [target for _, target in PROJECT.includes(PROJECT.root / source)  # examples, not the package's
                   if target.startswith("snippets/") and target.endswith(".py")]  # source, which they import
    if not scripts:
        assert text is None, f"{source} has nothing to run, and a \"Run it yourself\" note"
        return
    assert text is not None, f"{source}: the built page has no \"Run it yourself\" note"
    for script in scripts:
        assert f".venv/bin/python {script}" in text, f"{source}: the note lacks the command for {script}"
    listed = re.findall(r"\.venv/bin/python (\S+)", text)
    assert sorted(listed) == sorted(set(scripts)), f"{source}: the note lists {listed}, the page shows {scripts}"
