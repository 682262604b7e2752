"""The glossary: terms defined once, shown as tooltips wherever they appear.

includes/abbreviations.md holds one Markdown abbreviation per term (`*[term]: definition`), and
pymdownx.snippets appends it to every page (auto_append in mkdocs.yml), so that the `abbr` extension wraps
each use of a term in <abbr title="definition"> and Material shows the title as a tooltip. The file lives
outside docs/, so it is never a page of its own. docs/glossary.md lists the same terms, in the same order,
with the same definitions and links to where the chapters explain them.

Checked here: the two lists agree term for term and word for word; each definition is one plain sentence;
every term appears as an <abbr> with its definition on at least one built chapter page; abbreviations leave
math, code, links and headings working; and in Chromium, pointing at a term shows Material's tooltip, in
light and dark. Each failure names the file and line."""

import os
import re
from dataclasses import dataclass

import pytest
from browser import page_title
from bs4 import BeautifulSoup
from conftest import PROJECT
from markdown.extensions.toc import slugify
from mkdocs.config import load_config

ABBREVIATIONS = PROJECT.root / "includes" / "abbreviations.md"
GLOSSARY = PROJECT.docs / "glossary.md"
pytestmark = pytest.mark.page("docs/glossary.md")
TERMS_MIN, TERMS_MAX = 25, 40
ABBREVIATION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<definition>.*)$")
DEFINITION = re.compile(r"^:\s+(?P<definition>.+)$")
SECTION_LINK = re.compile(r"\]\((?P<target>ch\d/[\w-]+\.md#[\w-]+)\)")
MARKUP = re.compile(r"[*_`$\[\]<>|\\]")  # a title attribute shows text as it is: no Markdown, HTML or math
SCHEMES = ("light", "dark")


@dataclass
class Entry:
    term: str
    definition: str
    line: int
    links: tuple = ()


def read_abbreviations(text):
    """The `*[term]: definition` lines of an abbreviations file, in order."""
    return [Entry(m["term"], m["definition"].strip(), number)
            for number, line in enumerate(text.splitlines(), start=1) if (m := ABBREVIATION.match(line))]


def read_glossary(text):
    """The definition list of the glossary page: a term on its own line, then `:   definition`, then an
    indented paragraph of links."""
    lines, entries = text.splitlines(), []
    for index, line in enumerate(lines):
        match = DEFINITION.match(line)
        if match and index > 0 and lines[index - 1].strip():
            body = []
            for following in lines[index + 1:]:
                if following.strip() and not following.startswith("    "):
                    break
                body.append(following)
            links = tuple(SECTION_LINK.findall("\n".join(body)))
            entries.append(Entry(lines[index - 1].strip(), match["definition"].strip(), index, links))
    return entries


def check_glossary(abbreviations, glossary, abbr_name, glossary_name):
    """Every disagreement between the abbreviations file and the glossary page, as 'file:line: message'."""
    problems = []
    seen = {}
    for entry in abbreviations:
        if entry.term in seen:
            problems.append(f"{abbr_name}:{entry.line}: {entry.term!r} is defined twice (also line "
                            f"{seen[entry.term]}): a term is defined once")
        seen[entry.term] = entry.line
        if MARKUP.search(entry.definition):
            problems.append(f"{abbr_name}:{entry.line}: the definition of {entry.term!r} contains markup, which a "
                            "tooltip shows as it is")
        sentence = entry.definition.rstrip(".")
        if not entry.definition.endswith(".") or re.search(r"[.!?] [A-Z]", sentence):
            problems.append(f"{abbr_name}:{entry.line}: the definition of {entry.term!r} must be one sentence "
                            "ending with a full stop")
    if not TERMS_MIN <= len(abbreviations) <= TERMS_MAX:
        problems.append(f"{abbr_name}: {len(abbreviations)} terms; the glossary holds {TERMS_MIN} to {TERMS_MAX}")
    terms = [e.term for e in abbreviations]
    if terms != sorted(terms, key=str.lower):
        problems.append(f"{abbr_name}: the terms are not in alphabetical order")
    listed = {e.term: e for e in glossary}
    for entry in abbreviations:
        shown = listed.get(entry.term)
        if shown is None:
            problems.append(f"{abbr_name}:{entry.line}: {entry.term!r} is not listed on {glossary_name}")
        elif shown.definition != entry.definition:
            problems.append(f"{glossary_name}:{shown.line}: the definition of {entry.term!r} differs from "
                            f"{abbr_name}:{entry.line}:\n  page:          {shown.definition}\n"
                            f"  abbreviation:  {entry.definition}")
    for entry in glossary:
        if entry.term not in seen:
            problems.append(f"{glossary_name}:{entry.line}: {entry.term!r} has no abbreviation in {abbr_name}, "
                            "so it shows no tooltip")
        if not entry.links:
            problems.append(f"{glossary_name}:{entry.line}: {entry.term!r} links to no chapter section "
                            "(chN/page.md#anchor)")
    if [e.term for e in glossary] != [e.term for e in abbreviations if e.term in listed]:
        problems.append(f"{glossary_name}: the terms are not in the order of {abbr_name}")
    return problems


def render(markdown_text):
    """HTML for a Markdown text, converted as MkDocs converts a page (abbreviations appended)."""
    cwd = os.getcwd()
    os.chdir(PROJECT.root)  # pymdownx.snippets resolves base_path against the working directory
    try:
        return PROJECT.markdown().convert(markdown_text)
    finally:
        os.chdir(cwd)


def chapter_pages(site):
    return sorted(p for p in site.glob("ch*/**/index.html"))


def soup_of(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --- the two lists ---------------------------------------------------------------------------------

def test_glossary_page_and_abbreviations_agree():
    abbreviations = read_abbreviations(ABBREVIATIONS.read_text(encoding="utf-8"))
    glossary = read_glossary(GLOSSARY.read_text(encoding="utf-8"))
    problems = check_glossary(abbreviations, glossary, PROJECT.rel(ABBREVIATIONS), PROJECT.rel(GLOSSARY))
    assert not problems, "\n".join(problems)


def test_the_abbreviations_are_appended_to_every_page_and_are_no_page():
    snippets = load_config(str(PROJECT.root / "mkdocs.yml"))["mdx_configs"]["pymdownx.snippets"]
    assert PROJECT.rel(ABBREVIATIONS) in snippets.get("auto_append", []), \
        f"mkdocs.yml: pymdownx.snippets' auto_append must name {PROJECT.rel(ABBREVIATIONS)}"
    assert not ABBREVIATIONS.resolve().is_relative_to(PROJECT.docs.resolve()), \
        f"{PROJECT.rel(ABBREVIATIONS)} must stay outside docs/, or it becomes a page"


# --- the checks catch a disagreement ---------------------------------------------------------------

def test_a_changed_definition_or_a_missing_term_fails_naming_the_line():
    abbreviations = read_abbreviations("*[softmax]: Scores to probabilities.\n*[token]: A unit of text.\n")
    glossary = read_glossary("# Glossary\n\ntoken\n:   A unit of text, or two.\n\n    See [Tokens](ch2/tokens.md#x).\n")
    problems = check_glossary(abbreviations, glossary, "abbr.md", "glossary.md")
    assert problems == [
        "abbr.md: 2 terms; the glossary holds 25 to 40",
        "abbr.md:1: 'softmax' is not listed on glossary.md",
        "glossary.md:3: the definition of 'token' differs from abbr.md:2:\n"
        "  page:          A unit of text, or two.\n  abbreviation:  A unit of text."]


def test_markup_two_sentences_and_a_missing_link_fail():
    abbreviations = read_abbreviations("*[logits]: The *raw* scores. Before the softmax.\n")
    glossary = read_glossary("logits\n:   The *raw* scores. Before the softmax.\n")
    problems = check_glossary(abbreviations, glossary, "abbr.md", "glossary.md")
    assert "abbr.md:1: the definition of 'logits' contains markup, which a tooltip shows as it is" in problems
    assert "abbr.md:1: the definition of 'logits' must be one sentence ending with a full stop" in problems
    assert "glossary.md:1: 'logits' links to no chapter section (chN/page.md#anchor)" in problems


# --- abbreviations leave math, code, links and headings alone -------------------------------------

def test_abbreviations_leave_math_code_links_and_headings_alone():
    text = ("## The KV cache and the softmax\n\n"
            "The softmax of the logits, $\\operatorname{softmax}(z)_k$, and "
            "[the KV cache](decoding.md#the-kv-cache).\n\n"
            "$$\n\\operatorname{softmax}(z) = \\frac{e^{z}}{\\sum e^{z}}\n$$\n\n"
            "`softmax(logits)`\n\n```python\nprobs = softmax(logits)  # the KV cache\n```\n")
    soup = BeautifulSoup(render(text), "html.parser")
    assert soup.find("abbr", string="softmax") is not None, "no abbreviation was applied: is auto_append set?"
    heading = soup.find("h2")
    assert heading["id"] == "the-kv-cache-and-the-softmax", f"an abbreviation changed a heading's id: {heading}"
    assert heading.find("abbr") is not None
    link = soup.find("a", href="decoding.md#the-kv-cache")
    assert link is not None and link.find("abbr", string="KV cache") is not None, f"link altered: {link}"
    maths = soup.select(".arithmatex")
    assert [m.get_text() for m in maths] == ["\\(\\operatorname{softmax}(z)_k\\)",
                                             "\\[\n\\operatorname{softmax}(z) = \\frac{e^{z}}{\\sum e^{z}}\n\\]"]
    assert not soup.select(".arithmatex abbr, code abbr, pre abbr"), "an abbreviation entered math or code"
    assert "probs = softmax(logits)  # the KV cache" in soup.find("pre").get_text()


# --- the built site ---------------------------------------------------------------------------------

def test_every_term_is_a_tooltip_on_some_chapter_page(site):
    shown = set()
    for page in chapter_pages(site):
        if page.parent.name == "quiz":
            continue
        shown |= {(a.get_text(), a.get("title")) for a in soup_of(page).select("article abbr")}
    missing = [f"{PROJECT.rel(ABBREVIATIONS)}:{e.line}: {e.term!r} appears on no chapter page as an <abbr> "
               "with its definition (is the term spelled as the pages spell it?)"
               for e in read_abbreviations(ABBREVIATIONS.read_text(encoding="utf-8"))
               if (e.term, e.definition) not in shown]
    assert not missing, "\n".join(missing)


def test_a_term_is_marked_once_a_section_and_never_in_a_heading_or_link(site):
    """tools/mkdocs_hooks.py keeps the first <abbr> of each term in each section (h2 or h3) and no other."""
    problems, marked = [], 0
    for page in chapter_pages(site):
        name = page.relative_to(site).as_posix()
        article = soup_of(page).select_one("article")
        seen = set()
        for element in article.find_all(["h2", "h3", "abbr"]):
            if element.name != "abbr":
                seen = set()
                continue
            marked += 1
            if element.find_parent(["a", "h1", "h2", "h3", "h4", "h5", "h6"]):
                problems.append(f"{name}: {element.get_text()!r} is marked inside a heading or a link")
            elif element.get_text().lower() in seen:
                problems.append(f"{name}: {element.get_text()!r} is marked twice in one section")
            seen.add(element.get_text().lower())
    assert marked > 100, f"only {marked} terms marked on the chapter pages"
    assert not problems, "\n".join(problems[:20])


def test_built_pages_keep_math_code_and_headings_intact(site):
    problems, code_with_terms, math_with_terms = [], 0, 0
    terms = [e.term for e in read_abbreviations(ABBREVIATIONS.read_text(encoding="utf-8"))]
    for page in chapter_pages(site) + [site / "glossary" / "index.html"]:
        name = page.relative_to(site).as_posix()
        soup = soup_of(page)
        for element in soup.select("article .arithmatex abbr, article code abbr, article pre abbr"):
            problems.append(f"{name}: an abbreviation inside math or code: {element.parent}")
        code_with_terms += sum(any(t in c.get_text() for t in terms) for c in soup.select("article pre"))
        math_with_terms += sum(any(t in m.get_text() for t in terms) for m in soup.select("article .arithmatex"))
        for heading in soup.select("article h2, article h3"):
            if heading.find("abbr") and not re.fullmatch(re.escape(slugify(heading.get_text().rstrip("¶"), "-"))
                                                         + r"(_\d+)?", heading.get("id", "")):
                problems.append(f"{name}: heading {heading.get_text()!r} has id {heading.get('id')!r}")
        for link in soup.select(".md-nav a, .md-nav__link"):
            if "abbr" in link.get_text():
                problems.append(f"{name}: raw markup in a navigation entry: {link.get_text()!r}")
    assert code_with_terms and math_with_terms, "no code block or formula contains a term: the check checks nothing"
    assert not problems, "\n".join(problems)


# --- tooltips in the browser ------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", SCHEMES)
def test_pointing_at_a_term_shows_its_tooltip(browser, base_url, scheme):
    from browser import new_context, open_page

    context = new_context(browser, base_url, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page, visit = open_page(context, base_url + "ch2/decoding/", base_url)
        term = page.locator("article p abbr", has_text="KV cache").first
        definition = term.get_attribute("title")
        term.scroll_into_view_if_needed()
        term.hover()
        tooltip = page.locator(".md-tooltip2--active")
        tooltip.wait_for(state="visible", timeout=5_000)
        text = " ".join(tooltip.inner_text().split())
        colours = tooltip.evaluate("""t => { const inner = t.querySelector('.md-tooltip2__inner') || t;
            const s = getComputedStyle(inner); return [s.color, s.backgroundColor]; }""")
    finally:
        context.close()
    assert text == definition, f"docs/ch2/decoding.md ({scheme}): the tooltip shows {text!r}, not {definition!r}"
    assert colours[0] != colours[1], f"docs/ch2/decoding.md ({scheme}): tooltip text and background are both {colours}"
    assert not visit.console_errors, f"docs/ch2/decoding.md ({scheme}): console errors: {visit.console_errors}"


@pytest.mark.parametrize("way", ["keyboard", "tap"])
def test_a_term_shows_its_definition_by_keyboard_and_by_tap(browser, base_url, way):
    """A marked term is in the tab order, so focusing it shows its tooltip; on a touch screen a tap shows it."""
    from browser import new_context, open_page

    phone = way == "tap"
    context = new_context(browser, base_url, viewport={"width": 390 if phone else 1280, "height": 844},
                          has_touch=phone, is_mobile=phone)
    try:
        page, visit = open_page(context, base_url + "ch2/decoding/", base_url)
        term = page.locator("article p abbr", has_text="KV cache").first
        definition = term.get_attribute("title")
        term.scroll_into_view_if_needed()
        if phone:
            term.tap()
        else:
            assert term.get_attribute("tabindex") == "0", "docs/ch2/decoding.md: a marked term is not in the tab order"
            term.focus()
        tooltip = page.locator(".md-tooltip2--active")
        tooltip.wait_for(state="visible", timeout=5_000)
        text = " ".join(tooltip.inner_text().split())
    finally:
        context.close()
    assert text == definition, f"docs/ch2/decoding.md ({way}): the tooltip shows {text!r}, not {definition!r}"
    assert not visit.console_errors, f"docs/ch2/decoding.md ({way}): console errors: {visit.console_errors}"


def test_the_glossary_has_an_a_to_z_index_and_an_address_for_each_term(site):
    soup = soup_of(site / "glossary" / "index.html")
    terms = [e.term for e in read_glossary(GLOSSARY.read_text(encoding="utf-8"))]
    letters = sorted({t[0].upper() for t in terms})
    toc = [a.get_text(strip=True) for a in soup.select(".md-sidebar--secondary .md-nav--secondary a.md-nav__link")]
    assert toc == letters, f"the table of contents lists {toc}, not the letters {letters}"
    ids = {dt.get_text(" ", strip=True): dt.get("id") for dt in soup.select("article dt")}
    assert set(ids) == set(terms), f"terms on the page {sorted(ids)} != {sorted(terms)}"
    assert all(ids[t] == slugify(t, "-") for t in terms) and len(set(ids.values())) == len(terms), ids


def test_explained_in_links_name_their_page():
    """Each 'Explained in' link names the section and, after it, the page: [Adam](...) (Optimisation: ...)."""
    wrong = []
    for number, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith("Explained in:"):
            for target, named in re.findall(r"\]\((ch\d/[\w-]+\.md)#[\w-]+\)(?: \(([^)]*)\))?", line):
                title = page_title(PROJECT.docs / target)
                if named != title:
                    wrong.append(f"{PROJECT.rel(GLOSSARY)}:{number}: a link to {target} names {named!r}, not {title!r}")
    assert not wrong, "\n".join(wrong)


def test_no_term_is_a_tooltip_on_a_quiz_or_on_the_glossary(site):
    """A quiz's tooltips would give its answers away ('perplexity: the exponential of the mean negative
    log-likelihood'), and the glossary page prints each definition under its term."""
    pages = [*sorted(site.glob("ch*/quiz/index.html")), site / "glossary" / "index.html"]
    marked = {page.relative_to(site).as_posix(): len(soup_of(page).select("article abbr")) for page in pages}
    assert len(pages) == 4 and not any(marked.values()), marked
