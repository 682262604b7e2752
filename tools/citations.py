"""The citation table: every citation on the site, what it claims, and how it was checked against its source.

A citation is a link into a chapter's bibliography, `[Kingma & Ba 2015](references.md#kingma2015)`, on a page
of docs/. Each one has a row in `citations/CHAPTER.md`:

    | page:line | source | locator | claim | checked how | status |

- page:line: where the citation is (docs/ch3/optimisation.md:69);
- source: the bibliography key it links (kingma2015);
- locator: the section, table, figure, equation or page that the sentence points to (§2.1), or "-" if none;
- claim: what the page says the source says;
- checked how: what was read, and where (the paper's §2.1, Algorithm 1 ...);
- status: `checked` (the source says it), `corrected` (the page was wrong and now says what the source says),
  or `unchecked` (could not be read here; the page must not state it as fact).

tests/test_citations.py fails when a citation has no row, when a row's line no longer holds its citation, or
when a row is malformed. Edits above a citation move its line; `python tools/citations.py --renumber` moves
each row to its citation's new line (matched by page, source, and order on the page) and says what it moved.

    python tools/citations.py --skeleton ch2   # rows for every citation of chapter 2, to fill in
    python tools/citations.py --renumber       # follow the pages' lines after an edit
"""

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"\[([^\]]+)\]\((?:\.\./ch\d/)?references\.md#([\w-]+)\)")
LOCATOR = re.compile(r"(§\s?[\d.]*\d|Table\s[A-Z]?[\d.]*\d|Fig(?:ure|\.)\s?\d+|App(?:endix|\.)\s?[A-Z][\d.]*"
                     r"|Algorithm\s\d+|[Ee]q(?:uation|\.)\s?\(?\d+\)?|p\.\s?\d+)")
HEADER = "| page:line | source | locator | claim | checked how | status |"
STATUSES = {"checked", "corrected", "unchecked"}
COLUMNS = ["where", "source", "locator", "claim", "how", "status"]


def pages(root=ROOT):
    """Every page that can cite: the chapters' Markdown pages, except their bibliographies."""
    for path in sorted((root / "docs").rglob("*.md")):
        if path.name != "references.md":
            yield path


def occurrences(root=ROOT):
    """(page, line, source key, link text, line text) for every citation on the site, in page order."""
    found = []
    for path in pages(root):
        page = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for match in CITATION.finditer(text):  # a link's text may run over two lines: its line is where it starts
            number = text.count("\n", 0, match.start()) + 1
            found.append((page, number, match.group(2), " ".join(match.group(1).split()), lines[number - 1]))
    return found


def cited_lines(root=ROOT):
    """(page, source key) -> the lines of that page that cite it."""
    cited = defaultdict(list)
    for page, line, source, _, _ in occurrences(root):
        cited[page, source].append(line)
    return cited


def chapter(page):
    """docs/ch2/gpt.md -> ch2; the home page, glossary and labs -> site."""
    parts = page.split("/")
    return parts[1] if len(parts) > 2 and re.fullmatch(r"ch\d", parts[1]) else "site"


def table_path(name, root=ROOT):
    return root / "citations" / f"{name}.md"


def read_rows(path):
    """The table's rows as dicts, each with its own line number in the table file (`row_line`)."""
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    in_table = False
    for number, line in enumerate(lines, start=1):
        if line.strip() == HEADER:
            in_table = True
            continue
        if not in_table or not line.startswith("|") or set(line.replace("|", "").strip()) <= {"-", " "}:
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        row = {"row_line": number, "raw": line, "cells": cells}
        if len(cells) == len(COLUMNS):
            row.update(zip(COLUMNS, cells, strict=True))
            page, _, at = row["where"].rpartition(":")
            row["page"], row["line"] = page, int(at) if at.isdigit() else None
        rows.append(row)
    return rows


def all_rows(root=ROOT):
    rows = []
    for path in sorted((root / "citations").glob("*.md")):
        for row in read_rows(path):
            row["table"] = path.relative_to(root).as_posix()
            rows.append(row)
    return rows


def problems(root=ROOT):
    """Every way the tables and the pages disagree, each as one line naming the file and line."""
    found = []
    cited = cited_lines(root)
    rows = all_rows(root)
    listed = defaultdict(list)
    for row in rows:
        where = f"{row['table']}:{row['row_line']}"
        if "status" not in row:
            found.append(f"{where}: a row needs {len(COLUMNS)} cells ({HEADER}), not {len(row['cells'])}")
            continue
        if row["line"] is None:
            found.append(f"{where}: '{row['where']}' is not page:line")
            continue
        if row["status"] not in STATUSES:
            found.append(f"{where}: status '{row['status']}' is not one of {sorted(STATUSES)}")
        for column in ("locator", "claim", "how"):
            if not row[column]:
                found.append(f"{where}: the '{column}' cell is empty")
        expected = table_path(chapter(row["page"]), root).relative_to(root).as_posix()
        if row["table"] != expected:
            found.append(f"{where}: a citation on {row['page']} belongs in {expected}")
        listed[row["page"], row["source"]].append((row["line"], where))
    for key in sorted(set(cited) | set(listed)):
        page, source = key
        lines = sorted(cited.get(key, []))
        rows_here = sorted(listed.get(key, []))
        row_lines = [line for line, _ in rows_here]
        for line in lines:
            if line not in row_lines:
                found.append(f"{page}:{line}: cites {source}, and no row of "
                             f"{table_path(chapter(page), root).relative_to(root).as_posix()} says so")
        for line, where in rows_here:
            if line not in lines:
                found.append(f"{where}: says {page}:{line} cites {source}, and that line does not")
        for line in set(row_lines):
            if line in lines and row_lines.count(line) > lines.count(line):
                found.append(f"{page}:{line}: {row_lines.count(line)} rows for {lines.count(line)} "
                             f"citation(s) of {source}")
    return found


def renumber(root=ROOT):
    """Give each row its citation's current line: rows and citations of one source on one page, in order."""
    cited = cited_lines(root)
    moved = []
    for path in sorted((root / "citations").glob("*.md")):
        text = path.read_text(encoding="utf-8").splitlines()
        groups = defaultdict(list)
        for row in read_rows(path):
            if "status" in row and row["line"] is not None:
                groups[row["page"], row["source"]].append(row)
        for key, rows in groups.items():
            lines = sorted(cited.get(key, []))
            if len(lines) != len(rows):
                print(f"{path.relative_to(root)}: {key[0]} cites {key[1]} {len(lines)} time(s), the table has "
                      f"{len(rows)} row(s): left as it is", file=sys.stderr)
                continue
            for row, line in zip(sorted(rows, key=lambda r: r["line"]), lines, strict=True):
                if row["line"] != line:
                    old = f"{row['page']}:{row['line']}"
                    text[row["row_line"] - 1] = row["raw"].replace(old, f"{row['page']}:{line}", 1)
                    moved.append(f"{old} -> {line}")
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return moved


def skeleton(name, root=ROOT):
    """Rows for every citation of one chapter (or 'site'), with the sentence as a draft claim."""
    out = [HEADER, "|---|---|---|---|---|---|"]
    for page, line, source, _, text in occurrences(root):
        if chapter(page) != name:
            continue
        after = text[text.find(f"#{source})"):][:80]
        locator = LOCATOR.search(after)
        claim = CITATION.sub(r"\1", text).strip().replace("|", "\\|")
        out.append(f"| {page}:{line} | {source} | {locator.group(0) if locator else '-'} | {claim} |  | unchecked |")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skeleton", metavar="CHAPTER", help="print rows for every citation of ch1, ch2, ch3 or site")
    parser.add_argument("--renumber", action="store_true", help="move rows to their citations' current lines")
    args = parser.parse_args()
    if args.skeleton:
        print(skeleton(args.skeleton))
        return 0
    if args.renumber:
        for line in renumber():
            print(line)
    found = problems()
    for line in found:
        print(line)
    counts = defaultdict(int)
    for row in all_rows():
        counts[row.get("status", "malformed")] += 1
    print(f"{len(occurrences())} citations; rows: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
