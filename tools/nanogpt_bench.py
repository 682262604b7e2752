"""`make bench-nanogpt`: the course's tiny GPT trained with nanoGPT's CPU recipe on nanoGPT's own text and split,
measured as nanoGPT measures, on the machine at hand.

    .venv/bin/python tools/nanogpt_bench.py [--data ../shared/data/tinyshakespeare.txt] [--steps 2000]

The text is Tiny Shakespeare (1,115,394 characters), read from the path given (by default the workplace's
../shared/data/, never committed); its SHA-256 is checked. As nanoGPT's data/shakespeare_char/prepare.py does,
the vocabulary is the sorted set of the file's characters and the first 90 % is the training split, the last
10 % the validation split. The recipe is nanoGPT's for a CPU (config/train_shakespeare_char.py with the README's
overrides: 4 layers, 4 heads, d_model 128, context 64, batch 12, 2,000 iterations, AdamW with lr 1e-3 warmed up
over 100 steps and decayed to 1e-4, betas (0.9, 0.99), weight decay 0.1, gradient clipping at 1, no dropout),
run by the course's own loop: foundations_of_llms.training.train_step and lr_at, on two threads.

It prints the validation loss two ways: nanoGPT's estimate_loss (the mean loss of 20 batches of 12 random
windows, in evaluation mode) and the mean over the whole validation split; how far the estimate moves with
other draws of windows (--draws, for the same trained model); the reference figure beside them,
1.8857 (nanoGPT's recipe on this text, measured on a machine of this kind: ../shared/data/README.md); the
steps per second; and where the training time goes (torch.profiler over 50 steps).
"""

import argparse
import hashlib
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

from foundations_of_llms.gpt import GPT, GPTConfig
from foundations_of_llms.training import decay_groups, lr_at, mean_loss, train_step

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "tinyshakespeare.txt"
SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
NANOGPT_VAL_LOSS = 1.8857  # nanoGPT's CPU recipe on this text at 2,000 iterations (../shared/data/README.md)
BATCH, EVAL_ITERS, CLIP, WEIGHT_DECAY, BETAS = 12, 20, 1.0, 0.1, (0.9, 0.99)


@torch.no_grad()
def estimate_loss(model, data, n_ctx, generator):
    """nanoGPT's estimate_loss: the mean loss of EVAL_ITERS batches of BATCH random windows, in eval mode."""
    model.eval()
    losses = []
    for _ in range(EVAL_ITERS):
        starts = torch.randint(len(data) - n_ctx, (BATCH,), generator=generator)
        x = torch.stack([data[s : s + n_ctx] for s in starts.tolist()])
        y = torch.stack([data[s + 1 : s + n_ctx + 1] for s in starts.tolist()])
        losses.append(torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    model.train()
    return sum(losses) / len(losses)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1337)  # nanoGPT's seed
    # how far one estimate of 20 random batches can move: the estimate again with this many other draws
    parser.add_argument("--draws", type=int, default=20)
    args = parser.parse_args()
    raw = args.data.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{args.data}: sha256 {digest}, expected {SHA256} (Tiny Shakespeare)")
    text = raw.decode("utf-8")
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text])
    cut = int(0.9 * len(ids))
    train, validation = ids[:cut], ids[cut:]
    print(f"Tiny Shakespeare: {len(text):,} characters, vocabulary {len(chars)}; "
          f"train {len(train):,}, validation {len(validation):,} (nanoGPT's 90/10 split)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    config = GPTConfig(vocab_size=len(chars), n_ctx=64, d_model=128, n_layer=4, n_head=4)
    model = GPT(config)
    optimizer = torch.optim.AdamW(decay_groups(model, WEIGHT_DECAY), lr=lr_at(0, args.steps), betas=BETAS)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters; {args.steps} steps of {BATCH} windows of "
          f"{config.n_ctx}, on {args.threads} threads")

    start = time.perf_counter()
    for step in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args.steps)
        loss = train_step(model, optimizer, train, config.n_ctx, BATCH, clip=CLIP)
        if (step + 1) % 500 == 0:
            print(f"step {step + 1:5}: train loss {loss.item():.4f}  ({time.perf_counter() - start:.1f} s)")
    seconds = time.perf_counter() - start

    eval_start = time.perf_counter()
    estimate = estimate_loss(model, validation, config.n_ctx, torch.Generator().manual_seed(args.seed))
    whole = mean_loss(model, validation, config.n_ctx)
    eval_seconds = time.perf_counter() - eval_start
    print(f"\ntraining: {seconds:.1f} s, {args.steps / seconds:.1f} steps/s (evaluation excluded)")
    print(f"validation loss, nanoGPT's estimate ({EVAL_ITERS} batches of {BATCH}): {estimate:.4f}   "
          f"(nanoGPT's recipe on this text: {NANOGPT_VAL_LOSS})")
    print(f"validation loss, the whole validation split:              {whole:.4f}   ({eval_seconds:.1f} s for both)")

    # One estimate is one draw of 240 windows. The same model estimated with other draws shows how far a single
    # estimate, nanoGPT's 1.8857 included, can lie from the whole split's loss.
    draws = [estimate_loss(model, validation, config.n_ctx, torch.Generator().manual_seed(args.seed + 1 + k))
             for k in range(args.draws)]
    mean = sum(draws) / len(draws)
    spread = (sum((d - mean) ** 2 for d in draws) / (len(draws) - 1)) ** 0.5
    print(f"the same model, nanoGPT's estimate with {args.draws} other draws of windows: mean {mean:.4f}, "
          f"standard deviation {spread:.4f}, from {min(draws):.4f} to {max(draws):.4f}; "
          f"{sum(d <= NANOGPT_VAL_LOSS for d in draws)} of {args.draws} at or below {NANOGPT_VAL_LOSS}")

    # Where a step's time goes: 50 more steps under the profiler (the model keeps training; the figures above
    # are already printed).
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(50):
            train_step(model, optimizer, train, config.n_ctx, BATCH, clip=CLIP)
    print("\nwhere 50 training steps spend their time (torch.profiler, self CPU time):")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=40))


if __name__ == "__main__":
    main()
