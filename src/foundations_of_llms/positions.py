"""Rotary position embeddings, RoPE (Su et al. 2021), taught on
docs/ch2/embeddings.md.

    from foundations_of_llms.positions import rope
"""

import torch


# --8<-- [start:rope]
def rope(x, positions, base=10_000):
    """RoPE: rotate each pair (x_2i, x_2i+1) of the vector at position m by the
    angle m * omega_i, with omega_i = base^(-2i/d) (docs/ch2/embeddings.md)."""
    omega = base ** (-torch.arange(0, x.shape[-1], 2, dtype=x.dtype)
                     / x.shape[-1])  # (d/2,)
    angles = positions[:, None].to(x.dtype) * omega  # (seq, d/2)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., seq, d/2) each
    rotated = torch.stack([even * angles.cos() - odd * angles.sin(),
                           even * angles.sin() + odd * angles.cos()], -1)
    return rotated.flatten(-2)  # (..., seq, d)
# --8<-- [end:rope]
