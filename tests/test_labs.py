"""The labs (docs/labs/lab*.py, jupytext percent format), which mkdocs-jupyter executes in the build.

Each lab runs as a plain script, offline, and exits 0 (its cells assert what its text claims); a lab cell that
raises fails `mkdocs build --strict`, naming the lab; an unchanged lab is not run again (the cache); each built
lab page links a real .ipynb, and links it in Colab only when the repository is on GitHub; the search index holds
the labs' prose but none of their outputs; each lab page stays under 600 KB transferred in Chromium
(test_browser.py, which loads every page, labs included)."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import jupytext
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import PROJECT
from harness import Project, mkdocs_yml
from mkdocs_labs import colab_url

LABS = sorted((PROJECT.docs / "labs").glob("lab*.py"))
LAB_IDS = [lab.stem for lab in LABS]
# A sentence of each lab's prose (no math in it), which a search must be able to find.
PROSE = {
    "lab1-ngrams": "A bigram model predicts each word from the one before it",
    "lab2-transformer-block": "A decoder must not look ahead",
    "lab3-tiny-gpt": "A seeded generator makes the draw repeatable",
}
LAB_HOOK = PROJECT.root / "tools" / "mkdocs_labs.py"


def test_every_lab_is_known():
    assert LAB_IDS == sorted(PROSE), f"docs/labs/ holds {LAB_IDS}; PROSE in tests/test_labs.py names {sorted(PROSE)}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_a_lab_runs_as_a_script_offline(project, lab):
    run = project.run_script(lab)
    assert run.failure() is None, run.failure()


# --- the build, on a miniature site ---------------------------------------------------------------------------

def mini_site(tmp_path, lab_source):
    """The real configuration (plugins, hooks, markdown) with one page and one lab, docs/labs/lab-mini.py."""
    config = mkdocs_yml(PROJECT.root)
    for key in ("nav", "extra_javascript", "extra_css", "watch"):
        config.pop(key, None)
    config["theme"].pop("custom_dir", None)
    config["hooks"] = [str(LAB_HOOK)]
    for extension in config["markdown_extensions"]:  # files the real pages include: found in the real project
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            extension["pymdownx.snippets"]["base_path"] = [".", str(PROJECT.root)]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "docs" / "labs").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [the lab](labs/lab-mini.py).\n", encoding="utf-8")
    lab = tmp_path / "docs" / "labs" / "lab-mini.py"
    lab.write_text(lab_source, encoding="utf-8")
    return Project(tmp_path), lab


# Each run of this lab appends a line to runs.txt in the build's working directory, the miniature site's root.
COUNTING_LAB = textwrap.dedent("""\
    # %% [markdown]
    # # A miniature lab
    #
    # Some prose.

    # %%
    with open("runs.txt", "a") as runs:
        runs.write("ran\\n")
    print("RESULT", 6 * 7)
    """)


def test_the_build_runs_a_lab_once_and_again_when_it_changes(tmp_path):
    mini, lab = mini_site(tmp_path, COUNTING_LAB)
    runs = tmp_path / "runs.txt"
    done = mini.build(tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (tmp_path / "site" / "labs" / "lab-mini" / "index.html").read_text(encoding="utf-8")
    assert "RESULT 42" in html, "the lab's output is not on its page: was it executed?"
    assert runs.read_text() == "ran\n"

    done = mini.build(tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert runs.read_text() == "ran\n", "an unchanged lab ran again: the mkdocs-jupyter cache did not work"

    lab.write_text(COUNTING_LAB.replace("6 * 7", "6 * 9"), encoding="utf-8")
    done = mini.build(tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert runs.read_text() == "ran\nran\n", "a changed lab did not run again: the cache key missed the change"
    html = (tmp_path / "site" / "labs" / "lab-mini" / "index.html").read_text(encoding="utf-8")
    assert "RESULT 54" in html and "RESULT 42" not in html


def test_a_lab_cell_that_raises_fails_the_build_naming_the_lab(tmp_path):
    broken = COUNTING_LAB + '\n# %%\nnumbers = [1, 2, 3]\nprint(numbers[10])\n'
    mini, _ = mini_site(tmp_path, broken)
    done = mini.build(tmp_path / "site")
    output = done.stdout + done.stderr
    assert done.returncode != 0, f"a lab cell raised and the build passed:\n{output}"
    assert "lab-mini.py" in output, f"the build's error does not name the lab:\n{output}"
    assert "IndexError" in output, f"the build's error does not show the exception:\n{output}"


# --- the built site --------------------------------------------------------------------------------------------

def lab_page(site, lab):
    page = site / "labs" / lab.stem / "index.html"
    assert page.is_file(), f"{PROJECT.rel(lab)} was not built into {page.relative_to(site)}"
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_a_lab_page_links_its_notebook(site, lab):
    soup = lab_page(site, lab)
    links = [a["href"] for a in soup.select("article a[href$='.ipynb']")]
    assert links, f"{PROJECT.rel(lab)}: its page has no link to an .ipynb"
    for href in links:
        target = (site / "labs" / lab.stem / href).resolve()
        assert target.is_file(), f"{PROJECT.rel(lab)}: its page links {href}, which is not in the built site"
        notebook = json.loads(target.read_text(encoding="utf-8"))
        assert notebook.get("nbformat") == 4, f"{href} is not a Jupyter notebook (nbformat 4)"
        expected = jupytext.read(lab)
        sources = [c["source"] if isinstance(c["source"], str) else "".join(c["source"]) for c in notebook["cells"]]
        assert sources[1:] == [c.source for c in expected.cells], f"{href} lacks the cells of {PROJECT.rel(lab)}"
        assert "pip install" in sources[0], f"{href} does not start with the install cell"  # tools/mkdocs_labs.py


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_a_lab_page_has_no_colab_link_without_a_github_repository(site, lab):
    """The default build, with no REPO_URL: there is no copy on GitHub for Colab to open, so no link to it
    (tests/test_publishing.py builds with a GitHub REPO_URL and checks the link)."""
    if os.environ.get("REPO_URL"):
        pytest.skip(f"REPO_URL={os.environ['REPO_URL']} is set: this build is not the default one")
    links = [a["href"] for a in lab_page(site, lab).select("a[href*='colab.research.google.com']")]
    assert not links, f"{PROJECT.rel(lab)}: Colab links in a build without REPO_URL: {links}"


def test_colab_links_only_a_github_repository():
    expected = "https://colab.research.google.com/github/owner/re.po/blob/notebooks/labs/lab1-ngrams.ipynb"
    for repo_url in ("https://github.com/owner/re.po", "https://github.com/owner/re.po/",
                     "https://github.com/owner/re.po.git"):
        assert colab_url(repo_url, "lab1-ngrams") == expected, repo_url
    for repo_url in (None, "", "https://gitlab.com/owner/repo", "https://github.com/owner",
                     "https://github.com/owner/repo/tree/main", "http://github.com/owner/repo"):
        assert colab_url(repo_url, "lab1-ngrams") is None, f"a Colab link for repo_url={repo_url!r}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_a_lab_page_is_made_of_the_sites_parts(site, lab):
    soup = lab_page(site, lab)
    article = soup.select_one("article")
    where = PROJECT.rel(lab)
    assert not article.select("style"), f"{where}: its page still inlines CSS"
    assert not article.select("script"), f"{where}: its page still carries scripts (MathJax, clipboard)"
    assert article.select(".jp-OutputArea"), f"{where}: its page shows no outputs: was the lab executed?"
    assert not article.select(".jp-OutputArea:not([data-search-exclude])"), f"{where}: an output is searchable"
    assert article.select(".highlight > pre > code"), f"{where}: its code cells are not Material code blocks"


def outputs_not_in_source(site, lab):
    """Lines the lab printed (longer than 20 characters) that its source does not contain."""
    source = lab.read_text(encoding="utf-8")
    lines = {line.strip() for output in lab_page(site, lab).select(".jp-OutputArea") for line in
             output.get_text().splitlines()}
    return sorted(line for line in lines if len(line) > 20 and line not in source)


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_the_search_index_holds_a_labs_prose_but_not_its_outputs(site, lab):
    entries = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    mine = [e for e in entries if e["location"].startswith(f"labs/{lab.stem}/")]
    text = re.sub(r"\s+", " ", " ".join(e["title"] + " " + e["text"] for e in mine))
    assert PROSE[lab.stem] in text, f"{PROJECT.rel(lab)}: the search index lacks its prose {PROSE[lab.stem]!r}"
    printed = outputs_not_in_source(site, lab)
    assert printed, f"{PROJECT.rel(lab)}: found no printed line to look for in the index"
    indexed = [line for line in printed if re.sub(r"\s+", " ", line) in text]
    assert not indexed, f"{PROJECT.rel(lab)}: its outputs are in the search index: {indexed[:3]}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_IDS)
def test_a_downloaded_notebook_runs_in_an_empty_folder_offline(site, lab, tmp_path):
    """As a reader runs it: the built LAB.ipynb in an empty folder, with the files its text asks the reader to
    download beside it (lab 3: the tiny GPT's checkpoint), executed by `jupyter nbconvert --execute` with the
    network blocked in the kernel (tests/run_offline.py's guard, installed by a sitecustomize)."""
    notebook = site / "labs" / lab.stem / f"{lab.stem}.ipynb"
    first = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    assert first["cell_type"] == "code" and "pip install" in "".join(first["source"]), "no install cell first"
    assert all(line.startswith("#") for line in "".join(first["source"]).splitlines()), "the install line runs"
    folder = tmp_path / "reader"
    folder.mkdir()
    shutil.copy(notebook, folder)
    text = "".join("".join(c["source"]) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"])
    for name in re.findall(r"\]\(\.\./\.\./models/tiny-gpt/([\w.-]+)\)", text):  # files the lab asks to download
        (folder / "tiny-gpt").mkdir(exist_ok=True)
        shutil.copy(site / "models" / "tiny-gpt" / name, folder / "tiny-gpt" / name)
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(
        "import run_offline\nrun_offline.install_guard('the notebook')\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(guard), str(PROJECT.root / "tests")]),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('203.0.113.1', 80))"],
                           env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "NETWORK BLOCKED" in probe.stderr, "the guard is not installed"
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--output", "executed.ipynb", notebook.name], cwd=folder, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{notebook.name} failed in an empty folder:\n{done.stderr[-3000:]}"
    executed = json.loads((folder / "executed.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
