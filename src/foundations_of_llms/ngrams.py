"""Chapter 1's n-gram models of Shakespeare, taught on docs/ch1/ngrams.md: words,
n-grams, add-k perplexity.

    from foundations_of_llms.ngrams import (
        count_ngrams,
        ngrams,
        perplexity,
        tokenize,
        word_split,
    )
"""

import math
import re
from collections import Counter

from foundations_of_llms.plays import (
    PLAYS_DIR,
    TEST_PLAYS,
    VALIDATION_PLAYS,
    spoken_lines,
)


# --8<-- [start:words]
def tokenize(line):
    """Lower-cased words (keeping inner apostrophes: o'er, i'll) and punctuation
    marks (docs/ch1/ngrams.md)."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*|[.,;:!?]", line.lower())


def play_words(chosen):
    """Every spoken line of the chosen plays, as its list of tokens
    (docs/ch1/ngrams.md)."""
    plays = [p for p in sorted(PLAYS_DIR.glob("*/*.md")) if chosen(p.stem)]
    return [tokenize(line) for play in plays for line in spoken_lines(play)]


def ngrams(tokens, n):
    """All n-grams of one line, padded with n-1 start symbols and one end symbol
    (docs/ch1/ngrams.md)."""
    padded = ["<s>"] * (n - 1) + tokens + ["</s>"]
    return [tuple(padded[i : i + n]) for i in range(len(padded) - n + 1)]
# --8<-- [end:words]


# --8<-- [start:perplexity]
def with_unk(lines, vocab):
    """The lines with every word outside the vocabulary replaced by <unk>
    (docs/ch1/ngrams.md)."""
    return [[word if word in vocab else "<unk>" for word in line]
            for line in lines]


def word_split(min_count):
    """The training, validation and test plays as lines of tokens, every word seen
    fewer than min_count times in training replaced by <unk>, and that vocabulary
    (without </s> and <unk>) (docs/ch1/ngrams.md)."""
    train = play_words(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
    word_counts = Counter(word for line in train for word in line)
    vocab = {word for word, count in word_counts.items() if count >= min_count}
    splits = (train, play_words(VALIDATION_PLAYS.__contains__),
              play_words(TEST_PLAYS.__contains__))
    return *(with_unk(lines, vocab) for lines in splits), vocab


def count_ngrams(lines, n):
    """C(g) for every n-gram g of the lines, and C(h) for every history h before a
    word (docs/ch1/ngrams.md)."""
    grams = Counter(g for line in lines for g in ngrams(line, n))
    histories = Counter()
    for gram, count in grams.items():
        histories[gram[:-1]] += count  # C(h): how often h is followed by anything
    return grams, histories


def perplexity(lines, counts, k, vocab_size):
    """exp of the mean negative log-probability per token under add-k smoothing
    (docs/ch1/ngrams.md)."""
    grams, histories = counts
    n = len(next(iter(grams)))
    nll, tokens = 0.0, 0
    for line in lines:
        for gram in ngrams(line, n):
            p = (grams[gram] + k) / (histories[gram[:-1]] + k * vocab_size)
            nll -= math.log(p)
            tokens += 1
    return math.exp(nll / tokens)
# --8<-- [end:perplexity]
