"""Held-out perplexity of add-k smoothed unigram, bigram and trigram models of Shakespeare."""

import math
import re
from collections import Counter

from foundations_of_llms.plays import PLAYS_DIR, TEST_PLAYS, VALIDATION_PLAYS, spoken_lines

MIN_COUNT = 2  # rarer training words become <unk>
K_GRID = [1.0, 0.1, 0.01, 0.001, 0.0001]


def tokenize(line):
    """Lower-cased words (keeping inner apostrophes: o'er, i'll) and punctuation marks."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*|[.,;:!?]", line.lower())


def ngrams(tokens, n):
    """All n-grams of one line, padded with n-1 start symbols and one end symbol."""
    padded = ["<s>"] * (n - 1) + tokens + ["</s>"]
    return [tuple(padded[i : i + n]) for i in range(len(padded) - n + 1)]


def load(split):
    plays = sorted(PLAYS_DIR.glob("*/*.md"))
    chosen = [p for p in plays if split(p.stem)]
    return [tokenize(line) for play in chosen for line in spoken_lines(play)]


train = load(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
validation, test = load(VALIDATION_PLAYS.__contains__), load(TEST_PLAYS.__contains__)

word_counts = Counter(word for line in train for word in line)
vocab = {word for word, count in word_counts.items() if count >= MIN_COUNT}
V = len(vocab) + 2  # + </s> and <unk>: every token a model can predict


def with_unk(lines):
    return [[word if word in vocab else "<unk>" for word in line] for line in lines]


train, validation, test = with_unk(train), with_unk(validation), with_unk(test)
test_tokens = sum(len(line) + 1 for line in test)  # + 1 for each </s>
unk_rate = sum(line.count("<unk>") for line in test) / test_tokens
print(f"vocabulary V = {V:,}; test tokens: {test_tokens:,}; test tokens that are <unk>: {unk_rate:.1%}")

grams = {n: Counter(g for line in train for g in ngrams(line, n)) for n in (1, 2, 3)}
histories = {n: Counter() for n in (1, 2, 3)}
for n in (1, 2, 3):
    for gram, count in grams[n].items():
        histories[n][gram[:-1]] += count  # C(h): how often h is followed by anything


def perplexity(lines, n, k):
    """exp of the mean negative log-probability per token, with add-k smoothing."""
    nll, tokens = 0.0, 0
    for line in lines:
        for gram in ngrams(line, n):
            p = (grams[n][gram] + k) / (histories[n][gram[:-1]] + k * V)
            nll -= math.log(p)
            tokens += 1
    return math.exp(nll / tokens)


for n in (2, 3):
    test_grams = [g for line in test for g in ngrams(line, n)]
    unseen = sum(g not in grams[n] for g in test_grams) / len(test_grams)
    unseen_history = sum(g[:-1] not in histories[n] for g in test_grams) / len(test_grams)
    print(f"test {n}-grams never seen in training: {unseen:.1%}; with a history never seen: {unseen_history:.1%}")

h = ("good",)  # how much probability add-one leaves to the words really seen after one history
print(f"after 'good', add-one leaves the words seen there {histories[2][h] / (histories[2][h] + V):.1%} "
      "of the probability")

print(f"\n{'model':8} {'k (chosen on validation)':>24} {'test PPL, k=1':>14} {'test PPL, chosen k':>19}")
laplace, tuned = {}, {}  # test perplexity with k = 1 and with the k chosen on validation
for n, name in [(1, "unigram"), (2, "bigram"), (3, "trigram")]:
    best_k = min(K_GRID, key=lambda k: perplexity(validation, n, k))
    laplace[name], tuned[name] = perplexity(test, n, 1.0), perplexity(test, n, best_k)
    print(f"{name:8} {best_k:>24g} {laplace[name]:>14.1f} {tuned[name]:>19.1f}")
print(f"\nlowest test perplexity: {min(tuned, key=tuned.get)}")

# What the page says about this table, checked: a change of data or code that breaks it fails here.
assert tuned["bigram"] < laplace["bigram"] and tuned["trigram"] < laplace["trigram"]  # add-one is too generous
assert tuned["trigram"] > tuned["bigram"]  # add-k cannot make up for the trigrams never seen
