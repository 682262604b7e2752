"""Exercises and bibliographies of the chapter pages.

- Every section page (a page of docs/chN/ other than the chapter index, its bibliography and the pages in
  NOT_SECTIONS) has an "Exercises" section with at least one collapsible solution (`??? success`).
- A solution shows code only by including a tested snippet, with its output under it; no python is pasted.
- Every inline citation in prose, "Author et al. YEAR", "Author & Author YEAR", "Author and Author (YEAR)"
  or a single author of the bibliography with a year, is a link to an entry of a chapter bibliography
  (docs/chN/references.md), and the entry's key carries the cited year.
- Every bibliography entry has an anchor and a link to its source, and is cited from some page.

Each failure names the file and line at fault.
"""

import re

import pytest
from browser import page_title
from conftest import PROJECT
from harness import mkdocs_yml

DOCS = PROJECT.docs
CHAPTERS = sorted(p for p in DOCS.glob("ch*") if (p / "references.md").is_file())
NOT_SECTIONS = {"index.md", "references.md", "quiz.md", "attention-explorer.md"}
SECTION_PAGES = [p for chapter in CHAPTERS for p in sorted(chapter.glob("*.md")) if p.name not in NOT_SECTIONS]
CHAPTER_PAGES = [p for chapter in CHAPTERS for p in sorted(chapter.glob("*.md")) if p.name != "references.md"]

SOLUTION = re.compile(r"^(?P<indent>\s*)\?\?\?\+? success\b")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,})(?P<info>.*)$")
INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']([^"']+)["']""")
ENTRY_ID = re.compile(r"\{#(?P<key>[\w-]+)\}")
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]*)\)")
NAME = r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?"  # Vaswani, Ben Allal
CITATION = re.compile(rf"(?P<name>{NAME}(?:\s+et\s+al\.|\s+(?:&|and)\s+{NAME}))(?:,|\s+\()?\s*\(?"
                      r"(?P<year>(?:19|20)\d\d)\b")


def rel(path):
    return path.relative_to(PROJECT.root).as_posix()


def bibliography(chapter):
    """key -> (line, entry text) for every entry of a chapter's references.md."""
    entries = {}
    page = chapter / "references.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("- "):
            text = line
            for more in lines[number:]:  # an entry goes on over the indented lines after it
                if not more.startswith("  "):
                    break
                text += " " + more.strip()
            found = ENTRY_ID.search(text)
            entries[found["key"] if found else f"<no anchor, line {number}>"] = (number, text)
    return entries


BIBLIOGRAPHIES = {chapter.name: bibliography(chapter) for chapter in CHAPTERS}


def single_authors():
    """Surnames of single-author entries with a year, as (surname, year) pairs: 'Shannon (1948)'."""
    found = set()
    for entries in BIBLIOGRAPHIES.values():
        for _, text in entries.values():
            match = re.match(r"- (?P<surname>[A-Z][\w'-]+), [A-Z]\.(?: [A-Z]\.)? \((?P<year>\d{4})\)", text)
            if match:
                found.add((match["surname"], match["year"]))
    return found


SINGLE = [re.compile(rf"(?P<name>\b{surname})(?:,|\s+\()?\s*\(?(?P<year>{year})\b")
          for surname, year in single_authors()]


def prose(page):
    """The page's text with code blocks, math blocks and inline code blanked out (newlines kept), so that
    offsets still give line numbers."""
    out, fence, math = [], None, False
    for line in page.read_text(encoding="utf-8").split("\n"):
        fenced = FENCE.match(line)
        if fence is None and fenced:
            fence = fenced["ticks"]
            out.append("")
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append("")
        elif line.strip() == "$$":
            math = not math
            out.append("")
        elif math:
            out.append("")
        else:
            out.append(re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), line))
    return "\n".join(out)


def solutions(page):
    """(line, body lines as (number, text)) for every collapsible solution of the page."""
    lines = page.read_text(encoding="utf-8").split("\n")
    found = []
    for number, line in enumerate(lines, start=1):
        match = SOLUTION.match(line)
        if not match:
            continue
        indent, body = len(match["indent"]), []
        for later, text in enumerate(lines[number:], start=number + 1):
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            body.append((later, text))
        found.append((number, body))
    return found


@pytest.mark.parametrize("page", SECTION_PAGES, ids=rel)
def test_a_section_page_has_exercises_with_solutions(page):
    lines = page.read_text(encoding="utf-8").split("\n")
    headings = [n for n, line in enumerate(lines, start=1) if line.strip() == "## Exercises"]
    assert headings, f"{rel(page)}: no '## Exercises' section"
    start = headings[0]
    end = next((n for n, line in enumerate(lines, start=1) if n > start and line.startswith("## ")), len(lines) + 1)
    collapsible = [n for n, line in enumerate(lines, start=1) if start < n < end and SOLUTION.match(line)]
    assert collapsible, (f"{rel(page)}:{start}: the Exercises section has no collapsible solution "
                         "('??? success \"Solution\"' under an exercise)")


@pytest.mark.parametrize("page", SECTION_PAGES, ids=rel)
def test_a_solution_includes_its_code_and_output(page):
    problems = []
    for _, body in solutions(page):
        fences = [(n, FENCE.match(text)) for n, text in body if FENCE.match(text)]
        opening = fences[0::2]  # fences in a solution come in pairs: opening, closing
        for (number, fence), (closing, _) in zip(opening, fences[1::2], strict=False):
            if not fence["info"].strip().startswith("python"):
                continue
            inside = [text for n, text in body if number < n < closing and text.strip()]
            pasted = [text.strip() for text in inside if not INCLUDE.match(text)]
            if pasted or not inside:
                problems.append(f"{rel(page)}:{number}: a python block in a solution must only include a snippet "
                                f"(--8<-- \"snippets/...py\"), found {pasted[:1] or 'nothing'}")
                continue
            after = [text for n, text in body if n > closing and text.strip()][:3]
            shown = any("pytest-codeblocks:expected-output" in text for text in after[:1]) and any(
                INCLUDE.match(text) and INCLUDE.match(text).group(1).endswith(".out") for text in after)
            if not shown:
                problems.append(f"{rel(page)}:{number}: a solution's snippet must be followed by its output "
                                "(<!--pytest-codeblocks:expected-output--> and the included .out file)")
    assert not problems, "\n".join(problems)


def citation_problems(page):
    text = prose(page)
    links = [(m.start("text"), m.end("text"), m["target"]) for m in LINK.finditer(text)]
    plain = LINK.sub(lambda m: "[" + m["text"] + "]" + " " * (len(m.group()) - len(m["text"]) - 2), text)
    problems = []
    for match in [*CITATION.finditer(plain), *(m for pattern in SINGLE for m in pattern.finditer(plain))]:
        line = text.count("\n", 0, match.start()) + 1
        cited = " ".join(match.group().split())
        target = next((t for start, end, t in links if start <= match.start("name") < end), None)
        if target is None:
            problems.append(f"{rel(page)}:{line}: the citation '{cited}' is not a link to the chapter's "
                            "bibliography: write [Author et al. YEAR](references.md#key), or "
                            "[Author et al.](references.md#key) (YEAR, ...) when the year is in brackets")
            continue
        where, _, key = target.partition("#")
        chapter = (page.parent / where).resolve().parent.name if where else page.parent.name
        if not where.endswith("references.md") or key not in BIBLIOGRAPHIES.get(chapter, {}):
            problems.append(f"{rel(page)}:{line}: the citation '{cited}' links to '{target}', which is not an "
                            "entry of a chapter bibliography")
        elif match["year"] not in key:
            problems.append(f"{rel(page)}:{line}: the citation '{cited}' links to the entry '{key}', "
                            f"not one of {match['year']}")
    return problems


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=rel)
def test_inline_citations_link_to_the_bibliography(page):
    problems = citation_problems(page)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", [c.name for c in CHAPTERS])
def test_every_bibliography_entry_has_an_anchor_and_a_link(chapter):
    problems = []
    for key, (line, text) in BIBLIOGRAPHIES[chapter].items():
        where = f"docs/{chapter}/references.md:{line}"
        if key.startswith("<"):
            problems.append(f"{where}: the entry has no anchor ({{#key}} after its title)")
        if "](http" not in text and "No online copy found" not in text:
            problems.append(f"{where}: the entry '{key}' has no link to its source (or 'No online copy found')")
    assert BIBLIOGRAPHIES[chapter], f"docs/{chapter}/references.md has no entries"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", [c.name for c in CHAPTERS])
def test_every_bibliography_entry_is_cited(chapter):
    cited = set()
    for page in DOCS.rglob("*.md"):
        for match in LINK.finditer(page.read_text(encoding="utf-8")):
            where, _, key = match["target"].partition("#")
            if where.endswith("references.md") and (page.parent / where).resolve().parent.name == chapter:
                cited.add(key)
    uncited = [f"docs/{chapter}/references.md:{line}: '{key}' is cited by no page"
               for key, (line, _) in BIBLIOGRAPHIES[chapter].items() if key not in cited]
    assert not uncited, "\n".join(uncited)


def test_the_checks_find_something():
    """The citation pattern does match an unlinked citation, and the pages do have linked ones."""
    assert CITATION.search("as Vaswani et al. (2017, §3) showed") and CITATION.search("(Chen & Goodman, 1999)")
    assert any("references.md#" in page.read_text(encoding="utf-8") for page in SECTION_PAGES)


def _nav_pages(entries):
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        yield from _nav_pages(value) if isinstance(value, list) else [value]


def _nav_labels(entries):
    """(label, page) for every page the nav names with a label of its own."""
    for entry in entries:
        if isinstance(entry, dict):
            label, value = next(iter(entry.items()))
            yield from _nav_labels(value) if isinstance(value, list) else [(label, value)]


def test_a_pages_navigation_label_is_its_title():
    """The sidebar and the page say the same thing (the home page is "Home")."""
    differ = [f"nav {label!r} for {page}, whose title is {page_title(PROJECT.docs / page)!r}"
              for label, page in _nav_labels(mkdocs_yml(PROJECT.root)["nav"])
              if page != "index.md" and label != page_title(PROJECT.docs / page)]
    assert not differ, "\n".join(differ)


def test_next_from_a_quiz_leads_to_the_next_chapter_not_a_bibliography():
    pages = list(_nav_pages(mkdocs_yml(PROJECT.root)["nav"]))
    after_quiz = [pages[i + 1] for i, page in enumerate(pages[:-1]) if page.endswith("quiz.md")]
    assert after_quiz and not [p for p in after_quiz if p.endswith("references.md")], after_quiz


def test_each_chapter_links_its_lab():
    """A chapter's index page and one of its section pages link the chapter's lab."""
    for lab in sorted(PROJECT.docs.glob("labs/lab*.py")):
        chapter = PROJECT.docs / f"ch{lab.stem[3]}"
        linking = [p.name for p in sorted(chapter.glob("*.md"))
                   if f"../labs/{lab.name}" in p.read_text(encoding="utf-8")]
        assert "index.md" in linking and len(linking) >= 2, f"{PROJECT.rel(lab)} is linked from {linking} only"


def test_a_section_page_opens_with_what_it_teaches():
    """Under its title, every section page says what a reader can do after it: 'After this page you can', 2+ items."""
    missing = []
    for page in sorted(PROJECT.docs.glob("ch*/*.md")):
        if page.stem in ("index", "quiz", "references"):
            continue
        head = page.read_text(encoding="utf-8").split("\n## ")[0]
        block = re.search(r'^!!! abstract "After this page you can"\n((?:    - .+\n)+)', head, re.MULTILINE)
        if block is None or block.group(1).count("    - ") < 2:
            missing.append(PROJECT.rel(page))
    assert not missing, f"pages that do not open with what they teach: {missing}"
