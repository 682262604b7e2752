"""Count n-grams in Shakespeare's plays,
turn counts into probabilities, sample text."""

import random
from collections import Counter, defaultdict

from foundations_of_llms.ngrams import ngrams, tokenize
from foundations_of_llms.plays import (
    PLAYS_DIR,
    TEST_PLAYS,
    VALIDATION_PLAYS,
    spoken_lines,
)

CONTEXT = ("good",)  # the history h in P(w | h) for the bigram table below
SEED = 0
LINES_TO_SAMPLE = 5

train_plays = [p for p in sorted(PLAYS_DIR.glob("*/*.md"))
               if p.stem not in VALIDATION_PLAYS | TEST_PLAYS]
train_lines = [tokenize(line) for play in train_plays
               for line in spoken_lines(play)]
print(f"training plays: {len(train_plays)}, lines: {len(train_lines):,}, "
      f"tokens: {sum(len(line) for line in train_lines):,}")

# C(h, w): how often word w follows history
# h. The MLE is P(w | h) = C(h, w) / C(h).
counts = {n: Counter(g for line in train_lines for g in ngrams(line, n))
          for n in (1, 2, 3)}
followers = {n: defaultdict(Counter) for n in (2, 3)}
for n in (2, 3):
    for gram, count in counts[n].items():
        followers[n][gram[:-1]][gram[-1]] = count

for n in (1, 2, 3):
    print(f"distinct {n}-grams: {len(counts[n]):,}")

after_good = followers[2][CONTEXT]
total = sum(after_good.values())  # C(h) = sum over w of C(h, w)
print(f"\nC({CONTEXT[0]}) = {total:,}; the most likely next tokens:")
for word, count in after_good.most_common(8):
    print(f"  P({word!r:>10} | {CONTEXT[0]}) = {count:4d} / {total} = "
          f"{count / total:.4f}")
# Every token is followed by a token or by </s>,
# so C(h) is also the number of times h occurs.
assert total == counts[1][CONTEXT]

# Sampling: start from <s> <s>, draw w ~ P(w | last two words) until </s>.
rng = random.Random(SEED)
seen_lines = {" ".join(line) for line in train_lines}
copies = 0
print(f"\n{LINES_TO_SAMPLE} lines sampled from the trigram MLE model "
      f"(seed {SEED}):")
for _ in range(LINES_TO_SAMPLE):
    history, words = ("<s>", "<s>"), []
    while True:
        options = followers[3][history]
        word = rng.choices(list(options), weights=list(options.values()))[0]
        if word == "</s>":
            break
        words.append(word)
        history = (history[1], word)
    copies += " ".join(words) in seen_lines
    print("  " + " ".join(words))
print(f"sampled lines that occur verbatim in the training plays: {copies} of "
      f"{LINES_TO_SAMPLE}")
