"""Four neural language models of Shakespeare, trained for the same small
budget on the same data."""

import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import torch
import torch.nn as nn

from foundations_of_llms.figures import save_light_and_dark
from foundations_of_llms.neural import stream_perplexity, token_stream, word_step
from foundations_of_llms.ngrams import play_words
from foundations_of_llms.plays import TEST_PLAYS, VALIDATION_PLAYS

# rarer training words become <unk>, exactly as for the n-gram models
MIN_COUNT = 2
# width of every model's word vectors and of the vector it predicts from
D_MODEL = 64
# tokens per training sequence (and the most any model can look back)
CONTEXT = 64
# the feed-forward model's fixed window: the
# 4 previous words, as a 5-gram model has
WINDOW = 4
BATCH = 32  # sequences per step
# the same budget for every model: 100 x 32 x 64
# = 204,800 tokens, a fifth of the training text
STEPS = 100
LEARNING_RATE = 1e-2
EVAL_EVERY = 20  # steps between two measurements of validation perplexity
# the validation curve is measured on the
# first 4,096 tokens of the validation plays
CURVE_TOKENS = 4_096
SEED = 0
# the best n-gram model: add-k bigram, k chosen on validation
BIGRAM_TEST_PPL = 244.6  # ngram_perplexity.out


train_lines = play_words(lambda name: name not in VALIDATION_PLAYS | TEST_PLAYS)
word_counts = Counter(word for line in train_lines for word in line)
# most frequent word first
by_frequency = sorted(word_counts.items(), key=lambda item: (-item[1], item[0]))
vocab = ["</s>", "<unk>"] + [word for word, count in by_frequency
                             if count >= MIN_COUNT]
index = {word: i for i, word in enumerate(vocab)}
V = len(vocab)
train = token_stream(train_lines, index)
# a million small Python objects: the worker processes need only the tensors
del train_lines, word_counts, by_frequency
validation = token_stream(play_words(VALIDATION_PLAYS.__contains__), index)
test = token_stream(play_words(TEST_PLAYS.__contains__), index)


def output_layer():
    """Exact probabilities over all V words. An adaptive softmax (Grave et al.
    2017) spends less work on rare words: the 2,000 most frequent have
    full-size vectors, the others smaller ones, in two clusters."""
    return nn.AdaptiveLogSoftmaxWithLoss(D_MODEL, V, cutoffs=[2000, 6000],
                                         div_value=4.0)


class FeedForwardLM(nn.Module):
    """Bengio et al. (2003): the vectors of the WINDOW previous words,
    concatenated, through a tanh layer."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, D_MODEL)
        self.hidden = nn.Linear(WINDOW * D_MODEL, 4 * D_MODEL)
        self.project = nn.Linear(4 * D_MODEL, D_MODEL)
        self.head = output_layer()

    def forward(self, ids):  # (batch, time) -> (batch, time, D_MODEL)
        # zeros before the first word
        vectors = nn.functional.pad(self.embed(ids), (0, 0, WINDOW - 1, 0))
        window = torch.cat([vectors[:, i : i + ids.shape[1]]
                            for i in range(WINDOW)], dim=-1)
        return self.project(torch.tanh(self.hidden(window)))


class RecurrentLM(nn.Module):
    """Elman RNN (Mikolov et al. 2010) or LSTM (Hochreiter & Schmidhuber 1997):
    a state carried word to word."""

    def __init__(self, cell):
        super().__init__()
        self.embed = nn.Embedding(V, D_MODEL)
        self.rnn = cell(D_MODEL, 2 * D_MODEL, batch_first=True)
        self.project = nn.Linear(2 * D_MODEL, D_MODEL)
        self.head = output_layer()

    def forward(self, ids):
        states, _ = self.rnn(self.embed(ids))  # (batch, time, 2 * D_MODEL)
        return self.project(states)


class TransformerLM(nn.Module):
    """A small decoder-only transformer (chapter 2 builds each part): 2 layers,
    4 heads, a causal mask."""

    def __init__(self, layers=2, heads=4):
        super().__init__()
        self.embed = nn.Embedding(V, D_MODEL)
        self.position = nn.Embedding(CONTEXT, D_MODEL)
        layer = nn.TransformerEncoderLayer(D_MODEL, heads, 4 * D_MODEL,
                                           dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, layers,
                                            enable_nested_tensor=False)
        self.norm = nn.LayerNorm(D_MODEL)
        self.head = output_layer()

    def forward(self, ids):
        time_steps = ids.shape[1]
        x = self.embed(ids) + self.position(torch.arange(time_steps))
        # -inf above the diagonal
        causal_mask = nn.Transformer.generate_square_subsequent_mask(time_steps)
        return self.norm(self.layers(x, mask=causal_mask, is_causal=True))


def train_model(model):
    """STEPS of AdamW on random CONTEXT-long windows; the same windows, in the
    same order, for every model."""
    batches = torch.Generator().manual_seed(SEED)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    curve, seconds = [], 0.0
    for step in range(1, STEPS + 1):
        start = time.perf_counter()
        word_step(model, optimizer, train, CONTEXT, BATCH, batches)
        seconds += time.perf_counter() - start
        if step % EVAL_EVERY == 0:
            perplexity = stream_perplexity(model, validation[: CURVE_TOKENS + 1],
                                           CONTEXT)
            curve.append((step, perplexity))
    return curve, seconds


builders = {
    "feed-forward (2003)": FeedForwardLM,
    "Elman RNN (2010)": lambda: RecurrentLM(nn.RNN),
    "LSTM (1997)": lambda: RecurrentLM(nn.LSTM),
    "transformer (2017)": TransformerLM,
}


def train_and_test(name):
    """One model, on one thread: a single thread gives the same numbers on
    every run, bit for bit (with two, one run in several ended with other last
    bits). Two such processes keep both cores busy."""
    torch.set_num_threads(1)
    torch.manual_seed(SEED)  # the same initial randomness for every model
    model = builders[name]()
    curve, seconds = train_model(model)
    parameters = sum(p.numel() for p in model.parameters())
    return curve, seconds, stream_perplexity(model, test, CONTEXT), parameters


def draw_validation_curves(curves):
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for (name, curve), marker in zip(curves.items(), "osD^", strict=True):
        steps, values = zip(*curve, strict=True)
        ax.plot([s * BATCH * CONTEXT for s in steps], values, marker=marker,
                ms=4, label=name)
    ax.set(yscale="log", xlabel="training tokens seen",
           ylabel="validation perplexity (log scale)",
           title="Four neural language models, the same data and budget")
    # a tick every 25 of perplexity, written as plain numbers
    ax.yaxis.set_major_locator(ticker.MultipleLocator(25))
    ax.yaxis.set_major_formatter(ticker.ScalarFormatter())
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax.xaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    ax.legend(frameon=False)
    return fig


def compare_four_models():
    print(f"V = {V:,}; tokens: train {len(train) - 1:,}, validation "
          f"{len(validation) - 1:,}, test {len(test) - 1:,}")
    # ids below the first cutoff: the most frequent words
    head_share = (train < 2000).float().mean()
    print(f"the 2,000 words with full-size output vectors are {head_share:.1%} "
          "of the training tokens")
    print(f"\n{'model':20} {'parameters':>11} {'training time':>14} "
          f"{'test PPL':>9}")
    curves, results = {}, {}
    # two models at a time, one per core
    with ProcessPoolExecutor(max_workers=2) as pool:
        outcomes = zip(builders, pool.map(train_and_test, builders), strict=True)
        for name, (curve, seconds, perplexity, parameters) in outcomes:
            curves[name], results[name] = curve, perplexity
            print(f"{name:20} {parameters:>11,} {seconds:>12.1f} s "
                  f"{perplexity:>9.1f}")

    print("\nthe best n-gram model, add-k bigram, on the same test tokens: "
          f"{BIGRAM_TEST_PPL}")
    below = [name for name, ppl in results.items() if ppl < BIGRAM_TEST_PPL]
    print(f"neural models below it: {', '.join(below)}")
    # the page says: learned vectors already pay off
    assert all(ppl < BIGRAM_TEST_PPL for ppl in results.values())
    # state helps
    assert (max(results["Elman RNN (2010)"], results["LSTM (1997)"])
            < results["feed-forward (2003)"])

    # What the figure's description says, computed from the curves it draws.
    # lowest first
    first, last = (sorted(curves, key=lambda name: curves[name][i][1])
                   for i in (0, -1))
    measurements = range(len(curves[first[0]]))
    highest = {max(curves, key=lambda name: curves[name][i][1])
               for i in measurements}
    def falls_every_time(curve):
        return all(before[1] > after[1]
                   for before, after in zip(curve, curve[1:], strict=False))

    falling = [name for name, curve in curves.items() if falls_every_time(curve)]
    print(f"\nvalidation curves: lowest at step {EVAL_EVERY} {first[0]}, at step "
          f"{STEPS} {last[0]}; highest at every measurement: "
          f"{', '.join(sorted(highest))}")
    print("falling at every measurement, the last one included: "
          f"{', '.join(falling)}")
    final = {name: curve[-1][1] for name, curve in curves.items()}
    # all but the highest at the last measurement
    others = [final[name] for name in last[:-1]]
    # "the other three end close together"
    assert max(others) - min(others) < (final[last[-1]] - max(others)) / 2

    save_light_and_dark(lambda: draw_validation_curves(curves),
                        "neural-lm-curves")
    print("\nsaved neural-lm-curves-light.svg and neural-lm-curves-dark.svg")


# the worker processes import this file for its definitions, and skip this
if __name__ == "__main__":
    compare_four_models()
