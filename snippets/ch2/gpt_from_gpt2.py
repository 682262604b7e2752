"""The same GPT, given the weights of the transformers library's GPT-2: the two compute the same logits."""

import torch
from transformers import GPT2Config, GPT2LMHeadModel

from foundations_of_llms.gpt import GPT, GPTConfig

BATCH, SEQ = 4, 16
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
torch.manual_seed(0)
config = GPTConfig()
gpt2 = GPT2LMHeadModel(GPT2Config(
    vocab_size=config.vocab_size, n_positions=config.n_ctx, n_embd=config.d_model, n_layer=config.n_layer,
    n_head=config.n_head, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,  # no dropout: a deterministic model
    bos_token_id=None, eos_token_id=None)).eval()
with torch.no_grad():
    for p in gpt2.parameters():  # GPT-2's initialisation sets every bias to 0 and every LayerNorm gain to 1,
        p.normal_(0.0, 0.5)  # which would hide a bias or a gain copied to the wrong place: randomise them all

ours = GPT(config).eval()
weights = {}
for name, tensor in gpt2.state_dict().items():
    name = name.removeprefix("transformer.")
    weights[name] = tensor.T if name.endswith(CONV1D) else tensor  # Conv1D keeps W as (in, out), nn.Linear as (out, in)
assert weights.keys() == ours.state_dict().keys()
ours.load_state_dict(weights)

n_ours = sum(p.numel() for p in ours.parameters())
n_gpt2 = sum(p.numel() for p in gpt2.parameters())
assert n_ours == n_gpt2
print(f"parameters: ours {n_ours:,}, GPT2LMHeadModel {n_gpt2:,}")
print(f"GPT-2's activation: {gpt2.config.activation_function!r}; "
      f"output layer tied to the token embedding: {gpt2.lm_head.weight is gpt2.transformer.wte.weight}")

ids = torch.randint(config.vocab_size, (BATCH, SEQ))
with torch.no_grad():
    logits = ours(ids)  # (batch, seq, vocab_size)
    expected = gpt2(ids).logits
torch.testing.assert_close(logits, expected)
print(f"logits {tuple(logits.shape)} equal to GPT-2's within float32 rounding (torch.testing.assert_close)")
print("first four logits at the last position:")
print(f"  ours  {' '.join(f'{v:8.4f}' for v in logits[0, -1, :4].tolist())}")
print(f"  GPT-2 {' '.join(f'{v:8.4f}' for v in expected[0, -1, :4].tolist())}")
