"""Exercise: add-k probabilities sum to one after every history, seen or not,
and a model that spreads its probability evenly over m words has perplexity m."""

import math
from collections import Counter

# a toy corpus, one line
TRAINING_TEXT = "the cat sat on the mat . the dog sat on the log ."
K = 0.1

tokens = TRAINING_TEXT.split() + ["</s>"]
vocabulary = sorted(set(tokens))
# (history, word) -> count
bigram_counts = Counter(zip(["<s>"] + tokens[:-1], tokens, strict=True))
history_counts = Counter(history for history, _ in bigram_counts.elements())


def add_k_probability(history, word, k=K):
    """P(word | history) = (C(history, word) + k) / (C(history) + k |V|)."""
    return (bigram_counts[(history, word)] + k) / (
        history_counts[history] + k * len(vocabulary))


print(f"|V| = {len(vocabulary)}: {' '.join(vocabulary)}")
# "zebra" never occurs: C(h) = 0, and add-k gives the uniform 1/|V|
for history in ["the", "sat", "zebra"]:
    total = sum(add_k_probability(history, word) for word in vocabulary)
    assert math.isclose(total, 1.0)
    best = max(vocabulary, key=lambda word: add_k_probability(history, word))
    print(f"after {history!r:8}: C(h) = {history_counts[history]}, sum over V = "
          f"{total:.6f}, most probable {best!r} "
          f"({add_k_probability(history, best):.4f})")
assert math.isclose(add_k_probability("zebra", "cat"), 1 / len(vocabulary))

for m in [2, 10, 14_125]:  # a uniform guess over m words, scored on 1,000 tokens
    perplexity = math.exp(-sum(math.log(1 / m) for _ in range(1000)) / 1000)
    assert math.isclose(perplexity, m)
    print(f"uniform over {m:,} words: perplexity {perplexity:,.1f}")
