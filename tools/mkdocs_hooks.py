"""MkDocs hooks (mkdocs.yml `hooks:`): a "Run it yourself" note at the top of every page, and the math rendered
when the site is built.

- The note lists the exact command for each example the page shows (every `--8<-- "snippets/....py"` include), in
  the order the page shows them; a page without examples (a quiz, the references, the glossary) has no note.
- Math: pymdownx.arithmatex leaves each formula's TeX in the page, as \\( ... \\) or \\[ ... \\]. After the build,
  KaTeX (the copy the site serves, run by Node.js: tools/katex_render.js) turns every formula of every page into
  HTML, in one call. The reader's browser then has nothing to typeset: no script to fetch and run, and no text
  that moves when the math appears. A formula KaTeX cannot parse fails the build, naming the page and the TeX.
  Each page then preloads the KaTeX fonts its formulas are drawn with (tools/katex_fonts.py), so that they arrive
  with the stylesheets rather than after the text has been laid out with a fallback font. A short inline
  formula, with the punctuation touching it ("$x$," or "($x$"), is wrapped in a span that does not break, so that
  it is never split at a relation sign and never parted from its comma at a line end.
- Search: the index holds the prose, not the code. Every code block and output is marked data-search-exclude, and
  a Python block leaves behind, for the index only, the names it defines (functions, classes, constants), so
  that searching for `top_p_logits` still finds the page that writes it out. Not indexed either: the "Run it
  yourself" note (the same sentences on every page), display math (TeX), and answers (a quiz option's feedback,
  an exercise's solution), which a search must not give away.
- Reading time: a section page says, under its title, how many minutes its prose takes to read at 238 words a
  minute, the average silent reading rate for English non-fiction (Brysbaert 2019, a meta-analysis of 190
  studies); code, math and included outputs are not counted.
- Glossary terms: the abbreviations appended to every page mark each use of a term; only the first use in each
  section stays a tooltip, and none in a heading or a link."""

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup
from katex_fonts import fonts_used
from markdown.extensions.toc import slugify
from mkdocs.exceptions import PluginError

INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["'](snippets/[^"']+\.py)["']""", re.MULTILINE)
TITLE = re.compile(r"^# .*$", re.MULTILINE)
SET_UP = "`make serve` or `make test` sets up `.venv` first (see the README)."


EDIT_URI = "edit/main/docs/"  # "Edit this page": the page's source on the repository's main branch


def on_config(config):
    if config["repo_url"]:  # MkDocs' own default for GitHub is edit/master/docs/
        config["edit_uri"] = EDIT_URI
    return config


def on_nav(nav, config, files):
    """A chapter's references are one click away in the navigation, but not a step of the Previous/Next path:
    the last section's Next is the quiz, and the quiz's Previous that section."""
    for page in nav.pages:
        while page.next_page is not None and page.next_page.file.src_uri.endswith("references.md"):
            page.next_page = page.next_page.next_page
        while page.previous_page is not None and page.previous_page.file.src_uri.endswith("references.md"):
            page.previous_page = page.previous_page.previous_page
    return nav


def run_it_yourself(markdown):
    """The note, for a page that shows examples; None for one with nothing to run (a quiz, the references)."""
    scripts = list(dict.fromkeys(INCLUDE.findall(markdown)))  # unique, in the order shown
    if not scripts:
        return None
    commands = "\n".join(f"    .venv/bin/python {script}" for script in scripts)
    what = "Each example on this page is a script that runs alone; from the repository root:"
    where = ("A script saves its figures in the folder it runs in. " + SET_UP)
    block = f'    ```bash title="Terminal, in the repository root"\n{commands}\n    ```'
    return f'??? example "Run it yourself"\n    {what}\n\n{block}\n\n    {where}\n'


WORDS_PER_MINUTE = 238  # silent reading of English non-fiction (Brysbaert 2019, J. Memory and Language 109, 104047)
SECTION_PAGE = re.compile(r"^ch\d/(?!index|quiz|references)[\w-]+\.md$")
NOT_PROSE = re.compile(r"^(?P<fence>[ \t]*```).*?^(?P=fence)|\$\$.*?\$\$|\$[^$\n]+\$|<!--.*?-->|\]\([^)]*\)"
                       r"|^\s*-+8<-+.*?$", re.DOTALL | re.MULTILINE)


def prose_words(markdown):
    """The words a reader reads on a page: no code, included files, math, comments or link targets."""
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*", NOT_PROSE.sub(" ", markdown)))


def on_page_markdown(markdown, page, config, files):
    title = TITLE.search(markdown)
    head = ""
    if SECTION_PAGE.match(page.file.src_uri):  # a section page says how long it is to read
        minutes = max(1, round(prose_words(markdown) / WORDS_PER_MINUTE))
        head += f'<p class="reading-time">About {minutes} min of reading, examples aside.</p>\n\n'
    note = run_it_yourself(markdown)
    if note is not None:
        head += note + "\n"
    if not head:
        return markdown
    if title is None:  # no H1 written on the page: the note goes first
        return head + markdown
    return f"{markdown[: title.end()]}\n\n{head}{markdown[title.end():]}"


DEFINED = re.compile(r"^(?:async def|def|class) ([A-Za-z_]\w*)|^([A-Z][A-Z0-9_]*) *[=:]", re.MULTILINE)


def index_names_only(soup, block):
    """Keep a code block out of the search index; a Python block leaves, for the index only, the names it defines."""
    block["data-search-exclude"] = ""
    names = [a or b for a, b in DEFINED.findall(block.get_text())] if "language-python" in block["class"] else []
    if names:
        index_only = soup.new_tag("p", attrs={"hidden": "", "class": "search-names"})
        index_only.string = "Defines: " + ", ".join(dict.fromkeys(names))
        block.insert_after(index_only)


def on_page_content(html_text, page, config, files):
    if page.file.src_uri.startswith("labs/lab"):  # the labs' hook (tools/mkdocs_labs.py) indexes a lab's code
        return html_text
    soup = BeautifulSoup(html_text, "html.parser")
    for details in soup.select("details.example, details.success"):
        if details.summary and details.summary.get_text() in ("Run it yourself", "Solution"):
            details["data-search-exclude"] = ""  # the same sentences on every page; an exercise's answer
    for option in soup.select("details.option"):  # a quiz option's feedback: searching must not give answers away
        for feedback in option.find_all(recursive=False):
            if feedback.name != "summary":
                feedback["data-search-exclude"] = ""
    for formula in soup.select("div.arithmatex"):  # display math: its TeX is nothing a reader searches for
        formula["data-search-exclude"] = ""
    for block in soup.select("div.highlight"):
        index_names_only(soup, block)
    if page.file.src_uri.endswith("quiz.md") or page.file.src_uri == "glossary.md":
        for term in soup.find_all("abbr"):  # a quiz's tooltips would give answers away; the glossary
            term.unwrap()  # defines each term just below it
    else:
        mark_each_term_once(soup)
    phone_variants(soup, page, config)
    if page.file.src_uri == "glossary.md":
        for term in soup.select("dt"):  # each term an address of its own: glossary/#causal-mask
            term["id"] = slugify(term.get_text(" ", strip=True), "-")
    return str(soup)


PHONE_MEDIA = "(max-width: 700px)"  # below this width the desktop figures' text would be under 10 CSS px


def phone_variants(soup, page, config):
    """A figure drawn for a phone too (NAME-phone-light.svg beside NAME-light.svg: figures.save_light_and_dark)
    is shown as a <picture> whose phone source replaces the desktop image on a narrow screen; the <img>, its
    alt text and its #only-light or #only-dark are kept, so Material still shows one palette's image."""
    for image in soup.select('img[src*="figures/"]'):
        source = image["src"].partition("#")[0]
        phone = re.sub(r"-(light|dark)\.svg$", r"-phone-\1.svg", source)
        # the src is relative to the page's address, docs/ch1/neural/ for ch1/neural.md, a folder that need
        # not exist: ".." is taken away by name, not by the file system
        file = Path(os.path.normpath(Path(config["docs_dir"]) / page.url / phone))
        if phone == source or not file.is_file():
            continue
        picture = soup.new_tag("picture")
        image.wrap(picture)
        picture.insert(0, soup.new_tag("source", attrs={"media": PHONE_MEDIA, "srcset": phone}))


def mark_each_term_once(soup):
    """A glossary term is a tooltip (<abbr>) at its first use in each section (h2 or h3), and never inside a
    heading or a link: every use marked would underline "token" six times in one paragraph. A marked term is in the
    tab order (tabindex 0), so the keyboard reaches its definition too: Material shows the tooltip on focus, as on
    pointing and on a tap."""
    seen = set()
    for element in soup.find_all(["h2", "h3", "abbr"]):
        if element.name != "abbr":
            seen = set()  # a new section
        elif element.find_parent(["a", "h1", "h2", "h3", "h4", "h5", "h6"]) or element.get_text().lower() in seen:
            element.unwrap()
        else:
            seen.add(element.get_text().lower())
            element["tabindex"] = "0"


ROOT = Path(__file__).resolve().parents[1]
MATH = re.compile(r'(<(span|div) class="arithmatex(?: display)?"(?: data-search-exclude="")?>)'  # display: not indexed
                  r'(\\\(|\\\[)(.*?)(?:\\\)|\\\])(</\2>)', re.DOTALL)
# A short inline formula and the punctuation touching it ("$x$," or "($x$") are kept on one line: KaTeX draws a
# formula as inline blocks, and a browser may break a line between two of them (after "=" or "->") or between
# the formula and the comma after it, which then starts the next line. Only short formulas (up to NOWRAP_GLYPHS
# characters drawn, about 220 px), which never need a line break inside them either, even on a 360 px phone.
NOWRAP_GLYPHS = 24
TAG = re.compile(r"<[^>]+>")
TOUCHING = re.compile("(?P<before>[(\\[\u201c\u2018\"']?)\0(?P<math>[^\0]*)\0"
                      "(?P<after>(?:[,.;:!?)\\]\u201d\u2019\"']|-[A-Za-z]+)*)")


def glyphs(katex_html):
    """The number of characters KaTeX draws for a formula (its visible HTML, not the MathML for screen readers)."""
    drawn = katex_html.split('class="katex-html"', 1)[-1].split(">", 1)[-1]
    return len("".join(html.unescape(TAG.sub("", drawn)).split()))


def tie_punctuation(page_html):
    """Wraps each marked (short) formula, between two NUL characters, with the punctuation touching it if any, in a
    span that does not wrap (extra.css: .math-nowrap); removes the marks."""
    def tie(match):  # a short formula never breaks, at a relation ("p =" | "0.9") or at its punctuation
        return f'<span class="math-nowrap">{match["before"]}{match["math"]}{match["after"]}</span>'
    return TOUCHING.sub(tie, page_html)


SOURCES = {}  # built page -> its Markdown source, for error messages


def on_post_page(output, page, config):
    SOURCES[Path(page.file.abs_dest_path).resolve()] = f"{Path(config['docs_dir']).name}/{page.file.src_uri}"
    return output


def preload(fonts, where, page_html):
    """Fetch the page's KaTeX fonts with its stylesheets, not after the text is drawn (see tools/katex_fonts.py)."""
    up = "../" * (len(where.parts) - 1)
    links = "".join(f'<link rel="preload" href="{up}assets/katex/fonts/{font}" as="font" type="font/woff2" '
                    f'crossorigin>' for font in sorted(fonts))
    return page_html.replace('<link rel="stylesheet"', links + '<link rel="stylesheet"', 1)


def on_post_build(config):
    pages = sorted(Path(config["site_dir"]).rglob("*.html"))
    found = {page: MATH.findall(page.read_text(encoding="utf-8")) for page in pages}
    formulas = sorted({(html.unescape(tex), opening == "\\[") for matches in found.values()
                       for _, _, opening, tex, _ in matches})
    if not formulas:
        return
    if shutil.which("node") is None:
        raise PluginError("the math is rendered at build time by Node.js, which is not installed "
                          "(`make serve` and `make test` install Debian's nodejs)")
    katex = Path(config["docs_dir"]) / "assets" / "katex" / "katex.min.js"
    done = subprocess.run(["node", str(ROOT / "tools" / "katex_render.js"), str(katex)], capture_output=True,
                          input=json.dumps([{"tex": tex, "display": display} for tex, display in formulas]),
                          text=True, encoding="utf-8", check=False)
    if done.returncode != 0:
        raise PluginError(f"tools/katex_render.js failed:\n{done.stderr}")
    rendered = dict(zip(formulas, json.loads(done.stdout), strict=True))
    fonts_of = {formula: fonts_used(result["html"]) if "html" in result else set()  # once per distinct formula
                for formula, result in rendered.items()}
    tied = {formula for formula, result in rendered.items()  # short inline formulas, for tie_punctuation
            if not formula[1] and "html" in result and glyphs(result["html"]) <= NOWRAP_GLYPHS}
    errors = []
    for page, matches in found.items():
        if not matches:
            continue

        def replace(match, page=page):
            tex, display = html.unescape(match.group(4)), match.group(3) == "\\["
            result = rendered[(tex, display)]
            if "error" in result:
                where = SOURCES.get(page.resolve(), page.relative_to(config["site_dir"]))
                errors.append(f"{where}: {result['error']}\n    in: {tex.strip()}")
                return match.group(0)
            math = match.group(1) + result["html"] + match.group(5)
            if (tex, display) in tied:  # marked for tie_punctuation
                return "\0" + math + "\0"
            return math

        text = tie_punctuation(MATH.sub(replace, page.read_text(encoding="utf-8")))
        fonts = set().union(*(fonts_of[html.unescape(tex), opening == "\\["] for _, _, opening, tex, _ in matches))
        page.write_text(preload(fonts, page.relative_to(config["site_dir"]), text), encoding="utf-8")
    if errors:
        raise PluginError("KaTeX could not render this math:\n" + "\n".join(errors))
