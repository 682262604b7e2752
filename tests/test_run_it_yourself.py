"""Every built page opens with a "Run it yourself" note that gives the exact command for each example the page
shows (tools/mkdocs_hooks.py writes it)."""

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
    assert text is not None, f"{source}: the built page has no \"Run it yourself\" note"
    if source.endswith(".py"):  # a lab (tools/mkdocs_labs.py writes its note): the lab itself is the script
        scripts = [source]
    else:
        scripts = [target for _, target in PROJECT.includes(PROJECT.root / source)  # examples, not the package's
                   if target.startswith("snippets/") and target.endswith(".py")]  # source, which they import
    for script in scripts:
        assert f".venv/bin/python {script}" in text, f"{source}: the note lacks the command for {script}"
    listed = re.findall(r"\.venv/bin/python (\S+)", text)
    assert sorted(listed) == sorted(set(scripts)), f"{source}: the note lists {listed}, the page shows {scripts}"
    if not scripts:
        assert "make serve" in text, f"{source}: a page without examples should say how to serve the site"
