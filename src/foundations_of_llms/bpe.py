"""Byte-pair encoding (Sennrich et al. 2016) from scratch, taught on
docs/ch2/tokens.md.

    from foundations_of_llms.bpe import PRETOKEN, bpe_segment, train_bpe
"""

import math
import re
from collections import Counter, defaultdict
from itertools import pairwise

# --8<-- [start:bpe]
# glued to a word's last character, so that a final "s" and an inner "s" are
# different symbols
END = "</w>"
# words (apostrophes kept) and single punctuation marks
PRETOKEN = re.compile(r"[\w']+|[^\w\s]")


def bpe_symbols(word):
    """A word as BPE starts from it: its characters, the last one marked as ending
    the word (docs/ch2/tokens.md)."""
    return list(word[:-1]) + [word[-1] + END]


def merge_pair(symbols, pair):
    """Replace every occurrence of the adjacent pair (a, b) in a list of symbols
    by the one symbol ab (docs/ch2/tokens.md)."""
    merged, i = [], 0
    while i < len(symbols):
        if tuple(symbols[i : i + 2]) == pair:
            merged.append(pair[0] + pair[1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return merged


def train_bpe(word_counts, num_merges):
    """Learn merges: again and again, fuse the most frequent pair of adjacent
    symbols into a new symbol (docs/ch2/tokens.md)."""
    words, counts = ([bpe_symbols(word) for word in word_counts],
                     list(word_counts.values()))
    # pair -> occurrences; pair -> words that hold it
    pair_counts, words_with = Counter(), defaultdict(set)
    for i, symbols in enumerate(words):
        for pair in pairwise(symbols):
            pair_counts[pair] += counts[i]
            words_with[pair].add(i)
    merges = []
    for _ in range(num_merges):
        # on a tie, the pair that was counted first
        best = max(pair_counts, key=pair_counts.get)
        merges.append(best)
        # only the words holding the pair change: recount their pairs
        for i in words_with.pop(best):
            for pair in pairwise(words[i]):
                pair_counts[pair] -= counts[i]
            words[i] = merge_pair(words[i], best)
            for pair in pairwise(words[i]):
                pair_counts[pair] += counts[i]
                words_with[pair].add(i)
        del pair_counts[best]
    return merges


def bpe_segment(word, ranks):
    """Split any word: start from its characters and apply the learned merges,
    earliest-learned first (docs/ch2/tokens.md)."""
    symbols = bpe_symbols(word)
    while len(symbols) > 1:
        pair = min(pairwise(symbols), key=lambda pair: ranks.get(pair, math.inf))
        if pair not in ranks:
            break
        symbols = merge_pair(symbols, pair)
    return symbols
# --8<-- [end:bpe]
