"""Count the parameters of GPT-2 small, BERT-base and GPT-3 175B: by formula,
and by building each model."""

import torch
from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

from foundations_of_llms.scale import decoder_parameters


def encoder_parameters(vocab, context, d_model, layers, segments=2):
    """BERT: the same layers, plus segment embeddings, a LayerNorm on the
    embeddings and the pooler, and no final LayerNorm."""
    decoder = decoder_parameters(vocab, context, d_model, layers) - 2 * d_model
    return (decoder + segments * d_model + 2 * d_model
            + (d_model * d_model + d_model))


def built(model_class, config):
    """Build the architecture on the 'meta' device: shapes only, no memory, no
    weights to download."""
    with torch.device("meta"):
        model = model_class(config)
    # a tied (shared) tensor is counted once
    return sum(p.numel() for p in model.parameters())


# GPT-2 small: 12 layers, d_model 768, 12 heads, context 1024, vocabulary 50,257
gpt2 = GPT2Config()
# BERT-base (uncased): 12 layers, d_model 768, context 512, vocabulary 30,522
bert = BertConfig()
# Brown et al. 2020, Table 2.1, 2.1
gpt3 = GPT2Config(n_layer=96, n_embd=12288, n_head=96, n_positions=2048)

rows = [
    ("GPT-2 small", decoder_parameters(gpt2.vocab_size, gpt2.n_positions,
                                       gpt2.n_embd, gpt2.n_layer),
     built(GPT2LMHeadModel, gpt2), "124M"),
    ("BERT-base", encoder_parameters(bert.vocab_size,
                                     bert.max_position_embeddings,
                                     bert.hidden_size,
                                     bert.num_hidden_layers),
     built(BertModel, bert), "110M"),
    ("GPT-3 175B", decoder_parameters(gpt3.vocab_size, gpt3.n_positions,
                                      gpt3.n_embd, gpt3.n_layer),
     built(GPT2LMHeadModel, gpt3), "175.0B"),
]
print(f"{'model':11} {'formula':>16} {'built by transformers':>22} "
      f"{'published':>10}")
for name, formula, library, published in rows:
    assert formula == library, (f"{name}: the formula misses "
                                f"{library - formula:,} parameters")
    print(f"{name:11} {formula:>16,} {library:>22,} {published:>10}")

n_gpt3 = rows[2][1]
share = gpt3.n_layer * 12 * gpt3.n_embd**2 / n_gpt3
print("\nGPT-3: 12 * layers * d_model^2 = "
      f"{gpt3.n_layer * 12 * gpt3.n_embd**2:,} ({share:.1%} of the total)")
print(f"GPT-3: formula / published 175.0B = {n_gpt3 / 175.0e9:.4f}")
