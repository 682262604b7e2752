"""Chapter 1's neural language models read the plays as one stream of word ids,
taught on docs/ch1/neural.md.

    from foundations_of_llms.neural import (
        stream_perplexity,
        token_stream,
        word_step,
    )
"""

import math

import torch
import torch.nn as nn


# --8<-- [start:stream]
def token_stream(lines, index):
    """All lines as one stream of word ids, each line ended by </s> (id 0), after
    a first </s>; 1 is <unk> (docs/ch1/neural.md)."""
    ids = [0]
    for line in lines:
        ids += [index.get(word, 1) for word in line] + [0]
    return torch.tensor(ids)


def rows(stream, context):
    """A stream cut into rows of `context` inputs and their next words, every word
    after the first a target exactly once; the last row is padded, target -1
    meaning "no word" (docs/ch1/neural.md)."""
    pad = -(len(stream) - 1) % context
    inputs = torch.cat([stream[:-1],
                        torch.zeros(pad, dtype=torch.long)]).view(-1, context)
    targets = torch.cat([stream[1:], torch.full((pad,), -1)]).view(-1, context)
    return inputs, targets


@torch.no_grad()
def stream_perplexity(model, stream, context):
    """exp of the mean negative log-likelihood of every word of the stream, for a
    model whose `head` is an adaptive softmax (docs/ch1/neural.md)."""
    model.eval()
    inputs, targets = rows(stream, context)
    nll = 0.0
    for batch in range(0, len(inputs), 64):
        vectors, words = (model(inputs[batch : batch + 64]),
                          targets[batch : batch + 64])
        real = words >= 0
        # log P(word | its context)
        nll -= model.head(vectors[real], words[real]).output.sum().item()
    model.train()
    return math.exp(nll / (len(stream) - 1))


def word_step(model, optimizer, stream, context, batch, generator):
    """One step of training: `batch` random windows of the stream, the mean
    negative log-likelihood of every next word under the model's adaptive softmax,
    its gradient clipped to norm 1 (docs/ch1/neural.md)."""
    starts = torch.randint(len(stream) - context - 1, (batch,),
                           generator=generator)
    windows = torch.stack([stream[s : s + context + 1] for s in starts.tolist()])
    inputs, targets = windows[:, :-1], windows[:, 1:]
    # mean NLL
    loss = model.head(model(inputs).flatten(0, 1), targets.flatten()).loss
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss
# --8<-- [end:stream]
