"""Every citation on the site has a row in citations/CHAPTER.md saying what was checked in the source, and how
(tools/citations.py reads both sides)."""

import citations

ROW = "| {where} | {source} | §2.1 | the step is at most alpha | read §2.1 of the paper | {status} |\n"


def _site(tmp_path, page_text, table_rows):
    (tmp_path / "docs" / "ch3").mkdir(parents=True)
    (tmp_path / "docs" / "ch3" / "optimisation.md").write_text(page_text, encoding="utf-8")
    (tmp_path / "docs" / "ch3" / "references.md").write_text("- [Adam](https://arxiv.org){#kingma2015}\n")
    (tmp_path / "citations").mkdir()
    (tmp_path / "citations" / "ch3.md").write_text(citations.HEADER + "\n|---|---|---|---|---|---|\n" + table_rows)
    return tmp_path


PAGE = "# Optimisation\n\nAdam's step is at most alpha ([Kingma & Ba 2015](references.md#kingma2015), §2.1).\n"


def test_every_citation_on_the_site_has_a_row_that_says_how_it_was_checked():
    found = citations.problems()
    assert not found, ("the citation tables disagree with the pages (after an edit that moved lines: "
                       "python tools/citations.py --renumber):\n" + "\n".join(found))


def test_every_table_row_names_a_status_and_each_status_is_used_honestly():
    rows = citations.all_rows()
    assert rows, "citations/ holds no rows"
    for row in rows:
        if row["status"] == "checked":
            assert row["how"] not in {"-", "?"}, f"{row['table']}:{row['row_line']}: 'checked' needs how"


def test_a_citation_without_a_row_is_named_by_page_and_line(tmp_path):
    root = _site(tmp_path, PAGE, "")
    assert citations.problems(root) == [
        "docs/ch3/optimisation.md:3: cites kingma2015, and no row of citations/ch3.md says so"]


def test_a_row_whose_line_moved_is_named_and_renumber_follows_the_page(tmp_path):
    root = _site(tmp_path, "\n\n" + PAGE, ROW.format(where="docs/ch3/optimisation.md:3", source="kingma2015",
                                                     status="checked"))
    assert citations.problems(root) == [
        "docs/ch3/optimisation.md:5: cites kingma2015, and no row of citations/ch3.md says so",
        "citations/ch3.md:3: says docs/ch3/optimisation.md:3 cites kingma2015, and that line does not"]
    assert citations.renumber(root) == ["docs/ch3/optimisation.md:3 -> 5"]
    assert citations.problems(root) == []


def test_a_malformed_row_is_named_by_table_and_line(tmp_path):
    root = _site(tmp_path, PAGE, ROW.format(where="docs/ch3/optimisation.md:3", source="kingma2015",
                                            status="probably"))
    assert citations.problems(root) == [
        "citations/ch3.md:3: status 'probably' is not one of ['checked', 'corrected', 'unchecked']"]
