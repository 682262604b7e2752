"""Test 4: the site builds with `mkdocs build --strict` (broken links, anchors and includes are errors)."""


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
