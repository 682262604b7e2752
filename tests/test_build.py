"""Test 4: the site builds with `mkdocs build --strict` (broken links, anchors and includes are errors), and what
its search index holds."""

import json
import re

from bs4 import BeautifulSoup


def test_mkdocs_build_strict_passes(built_site):
    done, site = built_site
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    assert (site / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file(), "the built site has no search index"


def test_math_library_is_served_by_the_site(built_site):
    _, site = built_site
    for path in ("assets/katex/katex.min.js", "assets/katex/katex.min.css",
                 "assets/katex/contrib/auto-render.min.js", "assets/katex/LICENSE"):
        assert (site / path).is_file(), f"{path} is missing from the built site"


def test_math_is_rendered_when_the_site_is_built(built_site):
    """tools/mkdocs_hooks.py renders every formula with KaTeX at build time: no page leaves TeX for the browser."""
    _, site = built_site
    raw = [page.relative_to(site).as_posix() for page in sorted(site.rglob("*.html"))
           if re.search(r'class="arithmatex(?: display)?"[^>]*>\\[\(\[]', page.read_text(encoding="utf-8"))]
    assert not raw, f"pages with math left as TeX: {raw}"
    scale = (site / "ch1" / "scale" / "index.html").read_text(encoding="utf-8")
    assert scale.count('class="katex"') > 20, "ch1/scale has no rendered math"
    assert "katex.min.js" not in scale, "a page still loads KaTeX's script"


def _index(site):
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_the_search_index_holds_code_by_its_names_not_its_lines(built_site):
    """tools/mkdocs_hooks.py: code blocks are not indexed, but the names a Python block defines are, on its page."""
    _, site = built_site
    text = {entry["location"]: entry["text"] for entry in _index(site)}
    decoding = " ".join(t for location, t in text.items() if location.startswith("ch2/decoding/"))
    assert "top_p_logits" in decoding and "choose_by_sampling" in decoding  # defined in a block on that page
    assert "before = probs.cumsum(dim=-1) - probs" not in " ".join(text.values())  # a line of that block
    assert not [location for location, t in text.items() if "<pre" in t and not location.startswith("labs/")]


def test_the_search_index_gives_no_answers_away(built_site):
    """A quiz option's feedback and an exercise's solution are on the page, and not in the search index."""
    _, site = built_site
    indexed = " ".join(entry["text"] for entry in _index(site))
    answers = []
    for page in sorted(site.rglob("index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for details in soup.select("details.option, details.success"):
            first = details.find("p")
            if first is not None and first.select_one(".katex") is None and len(first.get_text()) > 40:  # no math
                answers.append((page.relative_to(site).as_posix(), first.get_text(" ", strip=True)[:40]))
    assert len(answers) > 50, "the built site has fewer quiz options and solutions than expected"
    found = [(page, answer) for page, answer in answers if answer in indexed]
    assert not found, f"answers in the search index: {found[:3]}"



def test_a_section_page_says_how_long_its_prose_takes_to_read(built_site):
    """tools/mkdocs_hooks.py counts a page's prose words at build time (238 a minute); held against the words of
    the built page's text, code, math, outputs and the notes aside, it is right to a quarter or one minute."""
    _, site = built_site
    pages = sorted(site.glob("ch*/*/index.html"))
    checked = 0
    for page in pages:
        if page.parent.name in ("quiz", "references"):
            continue
        article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article")
        stated = article.select_one("p.reading-time")
        assert stated is not None, f"{page.relative_to(site)} does not say how long it is to read"
        minutes = int(re.search(r"About (\d+) min of reading", stated.get_text()).group(1))
        for skip in article.select("pre, .highlight, .arithmatex, .search-names, details.example, p.reading-time"):
            skip.decompose()
        words = len(re.findall(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*", article.get_text(" ")))
        where = page.relative_to(site)
        assert abs(minutes - words / 238) <= max(1, 0.25 * minutes), f"{where}: {minutes} min, {words} words"
        checked += 1
    assert checked >= 19, f"only {checked} section pages"


def test_previous_and_next_never_lead_to_a_bibliography(built_site):
    """References are in the navigation, not on the reading path: no page's Previous or Next link is a chapter's
    references (tools/mkdocs_hooks.py, on_nav), and a quiz's Next is the next chapter."""
    _, site = built_site
    wrong, quiz_next = [], {}
    for html in sorted(site.rglob("index.html")):
        footer = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one("nav.md-footer__inner")
        if footer is None:
            continue
        page = html.parent.relative_to(site).as_posix()
        for link in footer.select("a.md-footer__link"):
            if "references/" in link["href"]:
                wrong.append(f"{page}: {link['aria-label']} -> {link['href']}")
            if page.endswith("quiz") and "md-footer__link--next" in link["class"]:
                quiz_next[page] = link["href"]
    assert not wrong, "\n".join(wrong)
    assert quiz_next == {"ch1/quiz": "../../ch2/", "ch2/quiz": "../../ch3/", "ch3/quiz": "../../labs/"}, quiz_next


def test_every_plot_in_a_lab_has_alt_text(built_site):
    """A lab's plot is described by the Markdown cell above its code cell (tools/mkdocs_labs.py), never by
    nbconvert's 'No description has been provided for this image'."""
    _, site = built_site
    images = {}
    for lab in sorted(site.glob("labs/lab*/index.html")):
        for image in BeautifulSoup(lab.read_text(encoding="utf-8"), "html.parser").select(".jp-OutputArea img"):
            images.setdefault(lab.parent.name, []).append(image.get("alt", ""))
    assert images, "no plot found in the labs"
    bad = {lab: alts for lab, alts in images.items() if any(len(alt) < 40 or "No description" in alt for alt in alts)}
    assert not bad, bad
