"""Held-out perplexity of add-k smoothed unigram,
bigram and trigram models of Shakespeare."""

from foundations_of_llms.ngrams import (
    count_ngrams,
    ngrams,
    perplexity,
    word_split,
)

MIN_COUNT = 2  # rarer training words become <unk>
K_GRID = [1.0, 0.1, 0.01, 0.001, 0.0001]

train, validation, test, vocab = word_split(MIN_COUNT)
V = len(vocab) + 2  # + </s> and <unk>: every token a model can predict
test_tokens = sum(len(line) + 1 for line in test)  # + 1 for each </s>
unk_rate = sum(line.count("<unk>") for line in test) / test_tokens
print(f"vocabulary V = {V:,}; test tokens: {test_tokens:,}; test tokens that are "
      f"<unk>: {unk_rate:.1%}")

counts = {n: count_ngrams(train, n) for n in (1, 2, 3)}  # n -> (C(g), C(h))
grams, histories = ({n: c[0] for n, c in counts.items()},
                    {n: c[1] for n, c in counts.items()})


def ppl(lines, n, k):
    return perplexity(lines, counts[n], k, V)


for n in (2, 3):
    test_grams = [g for line in test for g in ngrams(line, n)]
    unseen = sum(g not in grams[n] for g in test_grams) / len(test_grams)
    unseen_history = sum(g[:-1] not in histories[n]
                         for g in test_grams) / len(test_grams)
    print(f"test {n}-grams never seen in training: {unseen:.1%}; with a history "
          f"never seen: {unseen_history:.1%}")

# how much probability add-one leaves to the words really seen after one history
h = ("good",)
print("after 'good', add-one leaves the words seen there "
      f"{histories[2][h] / (histories[2][h] + V):.1%} of the probability")

print(f"\n{'model':8} {'k (chosen on validation)':>24} {'test PPL, k=1':>14} "
      f"{'test PPL, chosen k':>19}")
# test perplexity with k = 1 and with the k chosen on validation
laplace, tuned = {}, {}
for n, name in [(1, "unigram"), (2, "bigram"), (3, "trigram")]:
    best_k = min(K_GRID, key=lambda k: ppl(validation, n, k))
    laplace[name], tuned[name] = ppl(test, n, 1.0), ppl(test, n, best_k)
    print(f"{name:8} {best_k:>24g} {laplace[name]:>14.1f} {tuned[name]:>19.1f}")
print(f"\nlowest test perplexity: {min(tuned, key=tuned.get)}")

# What the page says about this table, checked: a change of data or code that
# breaks it fails here.
# add-one is too generous
assert (tuned["bigram"] < laplace["bigram"]
        and tuned["trigram"] < laplace["trigram"])
# add-k cannot make up for the trigrams never seen
assert tuned["trigram"] > tuned["bigram"]
