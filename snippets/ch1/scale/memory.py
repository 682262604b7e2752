"""Memory for weights and for training, in bytes per parameter; what fits on a
laptop and on one GPU."""

from collections import Counter

from gguf import GGUFReader

from foundations_of_llms.models import GGUF_DIR, GGUF_FILE

GB = 1e9
# a 16 GB laptop; one 80 GB accelerator (A100 80GB, H100)
LAPTOP, GPU = 16 * GB, 80 * GB
BYTES_PER_PARAMETER = {
    "fp32 weights": 4,
    "bf16 weights": 2,
    "int4 weights": 0.5,
    # Mixed-precision Adam: bf16 weights and gradients (2 + 2), plus fp32 master
    # weights, first and second moments (4 + 4 + 4) = 16 bytes; activations come
    # on top (Rajbhandari et al. 2020, section 3.1).
    "Adam training": 16,
}
MODELS = {"SmolLM2-135M": 135e6, "GPT-2 XL": 1.558e9, "a 7B model": 7e9,
          "Chinchilla": 70e9, "GPT-3": 175e9}

# A real 4-bit file: the GGUF that ships SmolLM2 stores most weights as Q4_1,
# blocks of 32 weights in 16 bytes of 4-bit values + a 2-byte scale + a 2-byte
# minimum, and keeps some tensors at higher precision.
reader = GGUFReader(GGUF_DIR / GGUF_FILE)
weights, stored = Counter(), Counter()
for tensor in reader.tensors:
    weights[tensor.tensor_type.name] += int(tensor.n_elements)
    stored[tensor.tensor_type.name] += int(tensor.n_bytes)
for kind in weights:
    print(f"{kind:5} {weights[kind]:>12,} weights, "
          f"{8 * stored[kind] / weights[kind]:5.2f} bits each")
n_weights, n_bytes = sum(weights.values()), sum(stored.values())
print(f"{GGUF_FILE}: {n_weights:,} weights in {n_bytes / 1e6:.1f} MB = "
      f"{8 * n_bytes / n_weights:.2f} bits each")
# 5 bits, not 4
assert 8 * stored["Q4_1"] / weights["Q4_1"] == (16 + 2 + 2) * 8 / 32

print(f"\n{'':14}" + "".join(f"{name:>19}" for name in BYTES_PER_PARAMETER))
for model, n in MODELS.items():
    cells = []
    for bytes_each in BYTES_PER_PARAMETER.values():
        need = n * bytes_each
        where = ("laptop" if need <= LAPTOP else "1 GPU" if need <= GPU
                 else f"{-(-need // GPU):.0f} GPUs")
        cells.append(f"{need / GB:,.1f} GB {where:>7}")
    print(f"{model:14}" + "".join(f"{cell:>19}" for cell in cells))
