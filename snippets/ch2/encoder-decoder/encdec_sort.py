"""A small encoder-decoder transformer learns to sort sequences of digits,
trained in seconds on a CPU."""

import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LENGTH = 8  # digits per sequence
BOS = 10  # the decoder's start token; tokens 0-9 are the digits
VOCAB = 11
D_MODEL, N_HEAD, LAYERS, D_FF = 64, 4, 2, 128
# AdamW; lr up over WARMUP steps, then a cosine down to 0
STEPS, BATCH, PEAK_LR, WARMUP = 150, 128, 3e-3, 15
CLIP = 1.0  # the gradient's global norm is clipped to this
HELD_OUT = 1000  # sequences never used for training
SHOWN = 4  # held-out examples printed
torch.manual_seed(0)
# results that do not depend on the number of
# cores; for matrices this small, faster too
torch.set_num_threads(1)
# float64: in float32 the rounding of one CPU's kernels differs from another's in
# the last bits, training grows the difference, and which held-out sequences come
# out wrong changed from one machine to the next. In float64 the same growth stays
# far below what is printed, on every CPU tried (the README's portability matrix).
torch.set_default_dtype(torch.float64)


class Seq2Seq(nn.Module):
    """Token + learned position embeddings around torch's nn.Transformer
    (pre-LN), and an output layer."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL)  # shared by source and target
        self.position = nn.Embedding(LENGTH, D_MODEL)
        self.transformer = nn.Transformer(D_MODEL, N_HEAD, LAYERS, LAYERS, D_FF,
                                          dropout=0.0,
                                          batch_first=True, norm_first=True)
        self.out = nn.Linear(D_MODEL, VOCAB)

    def embed_with_positions(self, ids):  # (batch, seq) -> (batch, seq, d_model)
        return self.embed(ids) + self.position(torch.arange(ids.shape[1]))

    def forward(self, source, target_in):  # logits: (batch, target, vocab)
        causal_mask = nn.Transformer.generate_square_subsequent_mask(
            target_in.shape[1])
        states = self.transformer(self.embed_with_positions(source),
                                  self.embed_with_positions(target_in),
                                  tgt_mask=causal_mask, tgt_is_causal=True)
        return self.out(states)


def seq2seq_greedy_decode(model, source):
    """Start from BOS, append the most probable next token LENGTH times; the
    source is encoded once."""
    # (batch, source, d_model)
    memory = model.transformer.encoder(model.embed_with_positions(source))
    output = torch.full((source.shape[0], 1), BOS)
    for _ in range(LENGTH):
        causal_mask = nn.Transformer.generate_square_subsequent_mask(
            output.shape[1])
        states = model.transformer.decoder(model.embed_with_positions(output),
                                           memory, tgt_mask=causal_mask,
                                           tgt_is_causal=True)
        output = torch.cat(
            [output, model.out(states[:, -1]).argmax(-1, keepdim=True)], dim=1)
    return output[:, 1:]


held_out = torch.randint(10, (HELD_OUT, LENGTH))
held_out_set = {tuple(row) for row in held_out.tolist()}
model = Seq2Seq()
optimizer = torch.optim.AdamW(model.parameters(), lr=PEAK_LR)
# a multiple of PEAK_LR at each step
warmup_then_cosine = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda step: min((step + 1) / WARMUP,
                                0.5 * (1 + math.cos(math.pi * step / STEPS))))
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
start = time.perf_counter()
for step in range(1, STEPS + 1):
    source = torch.randint(10, (BATCH, LENGTH))
    keep = torch.tensor([tuple(row) not in held_out_set
                         for row in source.tolist()])
    source = source[keep]  # never train on a held-out sequence
    # the task: the same digits in increasing order
    target = source.sort(dim=1).values
    # teacher forcing
    target_in = torch.cat([torch.full((len(source), 1), BOS), target[:, :-1]],
                          dim=1)
    loss = F.cross_entropy(model(source, target_in).reshape(-1, VOCAB),
                           target.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    optimizer.step()
    warmup_then_cosine.step()
    if step % 50 == 0:
        print(f"step {step:3}: loss {loss.item():.3f}")
print(f"trained in {time.perf_counter() - start:.1f} s")

model.eval()
with torch.no_grad():
    predicted = seq2seq_greedy_decode(model, held_out)
expected = held_out.sort(dim=1).values
correct = (predicted == expected).all(dim=1)  # (held_out,): every digit right
first_wrong = (~correct).nonzero().flatten()[:1].tolist()
# the first few, and the first mistake
for i in sorted(set(range(SHOWN)) | set(first_wrong)):
    verdict = ("correct" if correct[i]
               else "WRONG, sorted is " + "".join(map(str, expected[i].tolist())))
    print(f"  {''.join(map(str, held_out[i].tolist()))} -> "
          f"{''.join(map(str, predicted[i].tolist()))}  {verdict}")
per_digit = (predicted == expected).float().mean().item()
print(f"held-out exact-match accuracy: {correct.float().mean().item():.1%} of "
      f"{HELD_OUT:,} sequences ({per_digit:.1%} of digits); "
      f"{(~correct).sum().item()} wrong")
