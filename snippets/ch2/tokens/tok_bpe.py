"""Byte-pair encoding (Sennrich et al. 2016)
learned from scratch on the training plays."""

from collections import Counter

from foundations_of_llms.bpe import (
    END,
    PRETOKEN,
    bpe_segment,
    bpe_symbols,
    train_bpe,
)
from foundations_of_llms.plays import (
    PLAYS_DIR,
    TEST_PLAYS,
    VALIDATION_PLAYS,
    spoken_lines,
)

NUM_MERGES = 1000
# learn from the word types seen at least twice:
# the rare rest would only slow training down
MIN_COUNT = 2
SHOWN_MERGES = 10
EXAMPLES = ["Friends, Romans, countrymen, lend me your ears;",
            "Tokenisation splits unfamiliar words", "café"]

plays = sorted(PLAYS_DIR.glob("*/*.md"))
train_lines = [line for p in plays if p.stem not in VALIDATION_PLAYS | TEST_PLAYS
               for line in spoken_lines(p)]
validation_lines = [line for p in plays if p.stem in VALIDATION_PLAYS
                    for line in spoken_lines(p)]
word_counts = Counter(word for line in train_lines
                      for word in PRETOKEN.findall(line))
kept = {word: count for word, count in word_counts.items() if count >= MIN_COUNT}
print(f"training plays: {word_counts.total():,} words and punctuation marks, "
      f"{len(word_counts):,} distinct; BPE learns from the {len(kept):,} seen "
      "at least twice")

merges = train_bpe(kept, NUM_MERGES)
initial = sorted({symbol for word in kept for symbol in bpe_symbols(word)})
print(f"vocabulary: {len(initial)} initial symbols + {NUM_MERGES:,} merges = "
      f"{len(initial) + NUM_MERGES:,}")
print("first merges:", "  ".join(f"{a}+{b}" for a, b in merges[:SHOWN_MERGES]))
print("last merges: ", "  ".join(f"{a}+{b}" for a, b in merges[-SHOWN_MERGES:]))

ranks = {pair: rank for rank, pair in enumerate(merges)}
vocabulary = set(initial) | {a + b for a, b in merges}
for text in EXAMPLES:
    tokens = [s if s in vocabulary else "<unk>" for w in PRETOKEN.findall(text)
              for s in bpe_segment(w, ranks)]
    print(f"{text!r} -> {tokens}")

# The trade-off: a bigger vocabulary gives shorter sequences. The first k merges
# are themselves the BPE of k merges.
validation = Counter(word for line in validation_lines
                     for word in PRETOKEN.findall(line))
# words as separated by spaces
n_words = sum(len(line.split()) for line in validation_lines)
unseen = sum(count for word, count in validation.items()
             if word not in word_counts) / validation.total()
print(f"\nvalidation plays: {n_words:,} words; a vocabulary of all "
      f"{len(word_counts):,} training words and marks misses {unseen:.1%} of the "
      "validation ones")
print(f"{'merges':>6} {'vocabulary':>10} {'tokens per word':>16}")
tokens_per_word = []
for k in (0, 100, 250, 500, 1000):
    ranks_k = {pair: rank for rank, pair in enumerate(merges[:k])}
    segments = {word: bpe_segment(word, ranks_k) for word in validation}
    # nothing is lost
    assert all("".join(segments[word]) == word + END for word in validation)
    tokens_per_word.append(sum(count * len(segments[word])
                               for word, count in validation.items()) / n_words)
    print(f"{k:>6,} {len(initial) + k:>10,} {tokens_per_word[-1]:>16.2f}")
# more merges, shorter sequences
assert tokens_per_word == sorted(tokens_per_word, reverse=True)
