"""MkDocs hooks (mkdocs.yml `hooks:`): a "Run it yourself" note at the top of every page.

The note lists the exact command for each example the page shows (every `--8<-- "snippets/....py"` include), in
the order the page shows them; a page without examples says how to set up and serve the site instead."""

import re

INCLUDE = re.compile(r"""^\s*-{1,}8<-{1,}\s+["'](snippets/[^"']+\.py)["']""", re.MULTILINE)
TITLE = re.compile(r"^# .*$", re.MULTILINE)
SET_UP = "`make serve` or `make test` sets up `.venv` first (see the README)."


def run_it_yourself(markdown):
    scripts = list(dict.fromkeys(INCLUDE.findall(markdown)))  # unique, in the order shown
    if scripts:
        commands = "\n".join(f"    .venv/bin/python {script}" for script in scripts)
        what = "Each example on this page is a script that runs alone; from the repository root:"
        where = ("A script saves its figures in the folder it runs in. " + SET_UP)
        body = f"    {what}\n\n    ```bash\n{commands}\n    ```\n\n    {where}"
    else:
        body = ("    This page has no examples of its own. To build and serve the whole site locally, from the "
                "repository root:\n\n    ```bash\n    make serve\n    ```\n\n    "
                "`make test` runs every example and checks every output.")
    return f'??? example "Run it yourself"\n{body}\n'


def on_page_markdown(markdown, page, config, files):
    note = run_it_yourself(markdown)
    title = TITLE.search(markdown)
    if title is None:  # no H1 written on the page: the note goes first
        return note + "\n" + markdown
    return f"{markdown[: title.end()]}\n\n{note}\n{markdown[title.end():]}"
