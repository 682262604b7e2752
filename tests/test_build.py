"""Test 4: the site builds with `mkdocs build --strict` (broken links, anchors and includes are errors)."""

import re


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
           if re.search(r'class="arithmatex(?: display)?">\\[\(\[]', page.read_text(encoding="utf-8"))]
    assert not raw, f"pages with math left as TeX: {raw}"
    scale = (site / "ch1" / "scale" / "index.html").read_text(encoding="utf-8")
    assert scale.count('class="katex"') > 20, "ch1/scale has no rendered math"
    assert "katex.min.js" not in scale, "a page still loads KaTeX's script"
